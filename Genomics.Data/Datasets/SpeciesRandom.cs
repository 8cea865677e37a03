namespace Genomics.Data.Datasets;

/// <summary>
/// A counter-based random stream: the draws for a sample depend only on (seed, split, epoch, index), never
/// on which thread asked first or how many samples came before. That is what makes train samples
/// reproducible under a parallel prefetcher and the valid/test sets fixed. SplitMix64 (Steele et al. 2014)
/// is plenty for choosing windows and costs a few cycles; no state is shared.
/// </summary>
internal struct SpeciesRandom
{
    const ulong Gamma = 0x9E3779B97F4A7C15UL;
    ulong _state;

    public SpeciesRandom(ulong seed, SpeciesSplit split, long epoch, long index)
    {
        // Each key part goes through the finaliser, so nearby keys (index, index + 1) give unrelated streams.
        ulong s = Mix(seed ^ 0x5EC1E5DA7A5E7UL);
        s = Mix(s ^ ((ulong)split + 1) * Gamma);
        s = Mix(s ^ (ulong)epoch * 0xD1B54A32D192ED03UL);
        _state = Mix(s ^ (ulong)index * 0xA0761D6478BD642FUL);
    }

    public ulong NextUInt64()
    {
        _state += Gamma;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, n), unbiased (Lemire's multiply-and-reject).</summary>
    public ulong Next(ulong n)
    {
        if (n == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), "cannot draw from an empty range");
        }
        ulong hi = Math.BigMul(NextUInt64(), n, out ulong lo);
        if (lo < n)
        {
            ulong threshold = (0 - n) % n;
            while (lo < threshold)
            {
                hi = Math.BigMul(NextUInt64(), n, out lo);
            }
        }
        return hi;
    }

    public int Next(int n) => (int)Next((ulong)n);

    public long Next(long n) => (long)Next((ulong)n);

    public bool NextBool() => (NextUInt64() >> 63) != 0;

    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
