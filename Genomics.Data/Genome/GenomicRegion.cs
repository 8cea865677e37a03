using System.Globalization;

namespace Genomics.Data.Genome;

/// <summary>
/// A region as samtools spells it: <c>chr</c>, <c>chr:start</c> or <c>chr:start-end</c>, 1-based inclusive,
/// thousands separators allowed (<c>chr1:1,000-2,000</c>). Held here 0-based half-open.
/// </summary>
public sealed record GenomicRegion(string Chrom, long Start, long? End)
{
    /// <summary>Parses a samtools-style region; throws <see cref="FormatException"/> naming the text.</summary>
    public static GenomicRegion Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        int colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            return new GenomicRegion(text, 0, null);
        }
        string chrom = text[..colon];
        string range = text[(colon + 1)..].Replace(",", "", StringComparison.Ordinal);
        if (chrom.Length == 0)
        {
            throw new FormatException($"region '{text}' has no chromosome name before ':'");
        }
        int dash = range.IndexOf('-');
        string first = dash < 0 ? range : range[..dash];
        if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out long start1) || start1 < 1)
        {
            throw new FormatException($"region '{text}': start '{first}' is not a positive 1-based position");
        }
        if (dash < 0)
        {
            return new GenomicRegion(chrom, start1 - 1, null);
        }
        string last = range[(dash + 1)..];
        if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out long end1))
        {
            throw new FormatException($"region '{text}': end '{last}' is not a position");
        }
        if (end1 < start1)
        {
            throw new FormatException($"region '{text}': end {end1} is before start {start1}");
        }
        return new GenomicRegion(chrom, start1 - 1, end1);
    }

    /// <summary>The samtools spelling, 1-based inclusive.</summary>
    public override string ToString() => End is { } e ? $"{Chrom}:{Start + 1}-{e}" : Start == 0 ? Chrom : $"{Chrom}:{Start + 1}";
}
