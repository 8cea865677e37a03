namespace Genomics.Data.Datasets;

/// <summary>
/// A stretch [Start, End) of one record of a species' genome (0-based, half-open) that belongs to one split.
/// Windows of that split lie wholly inside one region; they never straddle two.
/// </summary>
public readonly record struct SpeciesRegion(int Record, long Start, long End)
{
    public long Length => End - Start;
}
