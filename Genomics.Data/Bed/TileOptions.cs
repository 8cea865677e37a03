namespace Genomics.Data.Bed;

/// <summary>How <see cref="GenomeTiler"/> cuts a genome into fixed-length intervals.</summary>
public sealed record TileOptions
{
    /// <summary>Tile length; 2^17 = 131,072 like the Enformer intervals the HG38 task uses.</summary>
    public int Length { get; init; } = 131_072;

    /// <summary>Distance between tile starts; null = <see cref="Length"/> (adjacent, non-overlapping tiles).</summary>
    public int? Stride { get; init; }

    /// <summary>
    /// Tiles with more than this fraction of N are dropped. 0.1: a tile that grazes an assembly gap keeps
    /// ≥ 90% real bases and is still worth training on, while tiles inside or across gaps (centromeres,
    /// the N runs at chromosome ends) are dropped, since predicting N after N teaches nothing; 0 would
    /// also drop every tile holding a single ambiguous base.
    /// </summary>
    public double MaxNFraction { get; init; } = 0.1;

    /// <summary>Split of each tile; default 5% valid, 5% test by a stable hash of position (seed 0).</summary>
    public SplitAssignment Splits { get; init; } = SplitAssignment.ByFraction();

    public int EffectiveStride => Stride ?? Length;

    /// <summary>Throws naming the bad field.</summary>
    public void Validate()
    {
        if (Length <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Length), Length, "tile length must be positive");
        }
        if (Stride is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Stride), Stride, "stride must be positive");
        }
        if (!(MaxNFraction is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxNFraction), MaxNFraction, "max N fraction must be in [0, 1]");
        }
        ArgumentNullException.ThrowIfNull(Splits, nameof(Splits));
    }
}
