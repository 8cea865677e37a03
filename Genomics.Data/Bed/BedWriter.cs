using System.IO.Compression;
using System.Text;

namespace Genomics.Data.Bed;

/// <summary>
/// Writes BED, tab-separated, LF line ends (.gz when the path says so). The file appears only when complete:
/// rows go to a temporary file beside it that is renamed over the target at the end.
/// </summary>
public static class BedWriter
{
    public static void Write(string path, IEnumerable<BedInterval> intervals)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(intervals);
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (Stream file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (Stream body = full.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionLevel.Optimal) : file)
            using (var writer = new StreamWriter(body, new UTF8Encoding(false)) { NewLine = "\n" })
            {
                foreach (var interval in intervals)
                {
                    writer.WriteLine(Format(interval));
                }
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>One row; a missing name is written as "." when extra columns follow it.</summary>
    static string Format(BedInterval interval)
    {
        if (interval.Start < 0 || interval.End <= interval.Start)
        {
            throw new ArgumentException($"{interval.Chrom}:{interval.Start}-{interval.End} is not a non-empty 0-based interval", nameof(interval));
        }
        var columns = new List<string> { interval.Chrom, interval.Start.ToString(System.Globalization.CultureInfo.InvariantCulture), interval.End.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (interval.Name is not null || interval.Extra.Count > 0)
        {
            columns.Add(interval.Name ?? ".");
        }
        columns.AddRange(interval.Extra);
        foreach (string column in columns)
        {
            if (column.Length == 0 || column.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0)
            {
                throw new ArgumentException($"BED column '{column}' of {interval.Chrom}:{interval.Start}-{interval.End} is empty or holds a tab or line break", nameof(interval));
            }
        }
        return string.Join('\t', columns);
    }
}
