namespace Genomics.Data.Bed;

/// <summary>
/// One BED row: 0-based, half-open [Start, End) on <see cref="Chrom"/>, the optional 4th column
/// (<see cref="Name"/>; in the Enformer file <c>chrom start end split</c> it is the split) and any further
/// columns kept verbatim. <see cref="Line"/> is the 1-based line it came from (0 when not read from a file).
/// </summary>
public sealed record BedInterval(string Chrom, long Start, long End, string? Name = null)
{
    /// <summary>Columns after the 4th, as written.</summary>
    public IReadOnlyList<string> Extra { get; init; } = [];

    /// <summary>1-based line in the source file; 0 for intervals made in memory (e.g. by <see cref="GenomeTiler"/>).</summary>
    public long Line { get; init; }

    /// <summary>The split (train / valid / test) of an Enformer-style file: the 4th column.</summary>
    public string? Split => Name;

    public long Length => End - Start;
}
