namespace Genomics.Data.Datasets;

/// <summary>
/// One row of an interval list such as the Enformer BED: <c>chrom start end split</c>, 0-based half-open
/// chromosome coordinates. Kept free of any file format so that any reader can produce it.
/// </summary>
public sealed record GenomeInterval(string Chrom, long Start, long End, string Split)
{
    public long Length => End - Start;

    public override string ToString() => $"{Chrom}:{Start}-{End} ({Split})";
}
