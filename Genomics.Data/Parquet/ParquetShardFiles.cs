using System.Globalization;

namespace Genomics.Data.Parquet;

/// <summary>Shard file names: shard-00000.parquet, shard-00001.parquet, … numbered from 0 without gaps.</summary>
internal static class ParquetShardFiles
{
    const string Prefix = "shard-", Suffix = ".parquet";

    public static string Name(int index) => Prefix + index.ToString("D5", CultureInfo.InvariantCulture) + Suffix;

    /// <summary>The shard number in a file name, or null for any other file (temporary files included).</summary>
    public static int? Index(string fileName)
    {
        if (!fileName.StartsWith(Prefix, StringComparison.Ordinal) || !fileName.EndsWith(Suffix, StringComparison.Ordinal))
        {
            return null;
        }
        ReadOnlySpan<char> digits = fileName.AsSpan(Prefix.Length, fileName.Length - Prefix.Length - Suffix.Length);
        return digits.Length >= 5 && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int index) ? index : null;
    }

    /// <summary>The shards of a directory in number order.</summary>
    public static IReadOnlyList<(int Index, string Path)> List(string directory) =>
        Directory.EnumerateFiles(directory)
            .Select(p => (Index: Index(Path.GetFileName(p)), Path: p))
            .Where(s => s.Index is not null)
            .Select(s => (s.Index!.Value, s.Path))
            .OrderBy(s => s.Item1)
            .ToList();
}
