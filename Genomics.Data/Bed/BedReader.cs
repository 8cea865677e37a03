using System.Globalization;
using System.IO.Compression;
using Genomics.Data.Genome;

namespace Genomics.Data.Bed;

/// <summary>
/// Reads BED (plain or .gz): tab-separated, or whitespace-separated when a line has no tab (so a tabbed
/// file may carry spaces inside its name column). <c>track</c>, <c>browser</c>, <c>#</c> and blank lines
/// are skipped. Every rejected row is reported as <c>path:line: problem</c>.
/// </summary>
public static class BedReader
{
    const string SkipHint = "set SkipMissing (--skip-missing) to drop rows the genome does not hold";

    public static BedReadResult Read(string path, BedReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= BedReadOptions.Default;
        var intervals = new List<BedInterval>();
        var skippedBy = new Dictionary<string, int>(StringComparer.Ordinal);
        int skipped = 0;
        using var reader = Open(path);
        long lineNumber = 0;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (IsHeaderOrBlank(line))
            {
                continue;
            }
            var interval = Parse(path, lineNumber, line);
            if (options.Genome is { } genome && !Fits(path, genome, interval, options.SkipMissing))
            {
                skipped++;
                skippedBy[interval.Chrom] = skippedBy.GetValueOrDefault(interval.Chrom) + 1;
                continue;
            }
            intervals.Add(interval);
        }
        return new BedReadResult(path, intervals, skipped, skippedBy);
    }

    static StreamReader Open(string path)
    {
        Stream file = File.OpenRead(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            file = new GZipStream(file, CompressionMode.Decompress);
        }
        return new StreamReader(file, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
    }

    static bool IsHeaderOrBlank(string line)
    {
        var s = line.AsSpan().TrimStart();
        return s.IsEmpty || s.IsWhiteSpace() || s[0] == '#' || IsKeyword(s, "track") || IsKeyword(s, "browser");
    }

    static bool IsKeyword(ReadOnlySpan<char> s, string keyword) =>
        s.StartsWith(keyword, StringComparison.Ordinal) && (s.Length == keyword.Length || char.IsWhiteSpace(s[keyword.Length]));

    /// <summary>One data line → interval, checking only what the line itself can get wrong.</summary>
    internal static BedInterval Parse(string path, long lineNumber, string line)
    {
        string[] columns = line.Contains('\t')
            ? line.TrimEnd('\r', '\n').Split('\t')
            : line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (columns.Length < 3)
        {
            throw new DataFormatException(path, lineNumber, $"expected at least 3 columns (chrom, start, end), found {columns.Length}",
                "BED lines are tab-separated: chrom start end [name ...]");
        }
        string chrom = columns[0].Trim();
        if (chrom.Length == 0)
        {
            throw new DataFormatException(path, lineNumber, "empty chromosome name");
        }
        long start = Coordinate(path, lineNumber, "start", columns[1]);
        long end = Coordinate(path, lineNumber, "end", columns[2]);
        if (end < start)
        {
            throw new DataFormatException(path, lineNumber, $"end {end} is before start {start}", "BED is 0-based half-open: start < end");
        }
        if (end == start)
        {
            throw new DataFormatException(path, lineNumber, $"empty interval: end {end} equals start {start}", "BED is 0-based half-open: start < end");
        }
        return new BedInterval(chrom, start, end, columns.Length > 3 ? columns[3] : null)
        {
            Extra = columns.Length > 4 ? columns[4..] : [],
            Line = lineNumber,
        };
    }

    static long Coordinate(string path, long lineNumber, string what, string text)
    {
        if (!long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            throw new DataFormatException(path, lineNumber, $"{what} '{text}' is not an integer", "columns 2 and 3 are 0-based integer positions");
        }
        if (value < 0)
        {
            throw new DataFormatException(path, lineNumber, $"{what} {value} is negative");
        }
        return value;
    }

    /// <summary>True when the genome holds the interval; false when it may be skipped; throws otherwise.</summary>
    static bool Fits(string path, IGenome genome, BedInterval interval, bool skipMissing)
    {
        var loc = genome.Chromosomes.Locate(interval.Chrom, interval.Start, interval.End);
        switch (loc.Status)
        {
            case LocateStatus.Found:
                return true;
            case LocateStatus.OutOfBounds:
                long length = genome.Chromosomes.WholeLength(interval.Chrom) ?? genome.Records[loc.Record].Length;
                throw new DataFormatException(path, interval.Line, $"end {interval.End} is past the end of {interval.Chrom} (length {length} in {genome.Path})",
                    "is the BED for another assembly?");
            case LocateStatus.UnknownChromosome when !skipMissing:
                throw new DataFormatException(path, interval.Line, $"chromosome '{interval.Chrom}' is not in {genome.Path}", SkipHint);
            case LocateStatus.OutsideCoverage when !skipMissing:
                string held = string.Join(", ", genome.Records
                    .Where(r => ChromosomeMap.AliasKey(r.Chrom).Equals(ChromosomeMap.AliasKey(interval.Chrom), StringComparison.OrdinalIgnoreCase))
                    .Select(r => r.Name));
                throw new DataFormatException(path, interval.Line,
                    $"{interval.Chrom}:{interval.Start}-{interval.End} is outside the part of {interval.Chrom} held by {genome.Path} ({held})", SkipHint);
            default:
                return false;
        }
    }
}
