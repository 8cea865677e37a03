namespace Genomics.Data.Datasets;

/// <summary>
/// One row of an interval list such as the Enformer BED: <c>chrom start end split</c>, 0-based half-open
/// chromosome coordinates. Kept free of any file format so that any reader can produce it.
/// </summary>
public sealed record GenomeInterval(string Chrom, long Start, long End, string Split)
{
    public long Length => End - Start;

    /// <summary>
    /// From BED rows: the 4th column is the split (Enformer convention); a 3-column row has none and is
    /// treated as "train", so a plain BED of regions trains on all of them.
    /// </summary>
    public static IReadOnlyList<GenomeInterval> FromBed(IEnumerable<Bed.BedInterval> rows) =>
        rows.Select(r => new GenomeInterval(r.Chrom, r.Start, r.End, r.Split ?? Bed.BedSplit.Train)).ToArray();

    public override string ToString() => $"{Chrom}:{Start}-{End} ({Split})";
}
