using Genomics.Data.Genome;

namespace Genomics.Data.Bed;

/// <summary>How <see cref="BedReader"/> checks rows. Without a genome only the row itself is checked.</summary>
public sealed record BedReadOptions
{
    public static BedReadOptions Default { get; } = new();

    /// <summary>When set, every row must lie inside a chromosome this genome holds.</summary>
    public IGenome? Genome { get; init; }

    /// <summary>
    /// Rows on chromosomes the genome lacks, or outside the regions a partial genome holds, are dropped and
    /// counted instead of failing the read. Rows past the end of a chromosome the genome holds whole are
    /// still errors: they are wrong for any genome of that assembly.
    /// </summary>
    public bool SkipMissing { get; init; }
}
