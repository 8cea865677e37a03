namespace Genomics.Data.Bed;

/// <summary>
/// Decides the split (train / valid / test) of a tile from where it lies, never from tiling order, so the
/// same tile lands in the same split however the genome is tiled, filtered or ordered.
/// </summary>
public abstract class SplitAssignment
{
    private protected SplitAssignment()
    {
    }

    /// <summary>The split of the tile starting at <paramref name="start"/> (0-based) on <paramref name="chrom"/>.</summary>
    public abstract string Assign(string chrom, long start);

    /// <summary>Throws when the assignment names chromosomes the genome does not have.</summary>
    internal virtual void CheckAgainst(Genome.IGenome genome)
    {
    }

    /// <summary>
    /// Each tile independently: a hash of (seed, chromosome, start) → valid with probability
    /// <paramref name="valid"/>, test with <paramref name="test"/>, else train. Neighbouring tiles go to
    /// different splits, so overlapping tiles (stride &lt; length) leak sequence between splits; hold out
    /// chromosomes instead when that matters.
    /// </summary>
    public static SplitAssignment ByFraction(double valid = 0.05, double test = 0.05, ulong seed = 0) =>
        new FractionSplitAssignment(valid, test, seed);

    /// <summary>Whole chromosomes held out (names matched by alias: chr1 ≡ 1); every other chromosome is train.</summary>
    public static SplitAssignment ByChromosome(IEnumerable<string> valid, IEnumerable<string> test) =>
        new ChromosomeSplitAssignment(valid, test);
}
