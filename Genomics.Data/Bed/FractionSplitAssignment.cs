using System.Text;
using Genomics.Data.Genome;

namespace Genomics.Data.Bed;

/// <summary>
/// Hash-based split: FNV-1a over the chromosome's alias key (so "chr20" and "20" agree), mixed with the
/// start and seed through splitmix64's finaliser, mapped to [0, 1). Fixed arithmetic, not
/// string.GetHashCode, so assignments are the same on every run, machine and .NET version.
/// </summary>
internal sealed class FractionSplitAssignment : SplitAssignment
{
    readonly double _valid;
    readonly double _test;
    readonly ulong _seed;

    public FractionSplitAssignment(double valid, double test, ulong seed)
    {
        if (!(valid >= 0 && test >= 0 && valid + test <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(valid), $"valid {valid} and test {test} must be ≥ 0 and sum to at most 1");
        }
        _valid = valid;
        _test = test;
        _seed = seed;
    }

    public override string Assign(string chrom, long start)
    {
        double u = Uniform(_seed, chrom, start);
        return u < _test ? BedSplit.Test : u < _test + _valid ? BedSplit.Valid : BedSplit.Train;
    }

    /// <summary>A stable pseudo-random number in [0, 1) for one (seed, chromosome, start).</summary>
    internal static double Uniform(ulong seed, string chrom, long start)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(ChromosomeMap.AliasKey(chrom).ToUpperInvariant()))
        {
            h = (h ^ b) * 1099511628211UL;
        }
        h = Mix(h ^ Mix(seed + 0x9E3779B97F4A7C15UL) ^ Mix((ulong)start * 0xD1B54A32D192ED03UL));
        return (h >> 11) * (1.0 / (1UL << 53));
    }

    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
