namespace Genomics.Data.Datasets;

/// <summary>
/// SplitMix64 (Steele, Lea &amp; Flood 2014): a tiny generator whose output is fixed by this file, not by the
/// runtime. System.Random's algorithm may change between .NET versions; a shuffle that must replay
/// identically after a resume, on another machine or a newer runtime, cannot depend on it.
/// Streams are derived from keys with <see cref="Hash(ulong, ulong, ulong)"/>: a shuffle per (seed, epoch),
/// a sample's draws per (seed, split, epoch, index), so no state is shared between threads.
/// A mutable struct, so a stream per sample costs no allocation: keep it in a local (or a non-readonly
/// field) and pass it by ref — a copy replays the same numbers, and a readonly field never advances.
/// </summary>
public struct DeterministicRandom
{
    const ulong Golden = 0x9E3779B97F4A7C15UL;
    const ulong Golden2 = unchecked(2 * Golden), Golden3 = unchecked(3 * Golden);

    ulong _state;

    public DeterministicRandom(ulong seed)
    {
        _state = seed;
    }

    public ulong NextUInt64()
    {
        _state = unchecked(_state + Golden);
        return Finalize(_state);
    }

    /// <summary>Uniform in [0, maxExclusive), unbiased (Lemire's multiply-and-reject).</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)NextBelow((ulong)maxExclusive);
    }

    /// <summary>Uniform in [0, maxExclusive), unbiased; for ranges past int (positions in a genome).</summary>
    public long NextInt64(long maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (long)NextBelow((ulong)maxExclusive);
    }

    /// <summary>A fair coin (the top bit, SplitMix's best mixed).</summary>
    public bool NextBool() => (NextUInt64() >> 63) != 0;

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => ToUnit(NextUInt64());

    /// <summary>A stateless uniform draw in [0, 1) keyed by three values: same key, same number.</summary>
    public static double Unit(ulong a, ulong b, ulong c) => ToUnit(Hash(a, b, c));

    /// <summary>
    /// Mixes a key into 64 well-spread bits. Each component goes through the SplitMix finalizer before the
    /// next is added, so (a, b, c) and (b, a, c) give unrelated results. Chain it for longer keys.
    /// </summary>
    public static ulong Hash(ulong a, ulong b, ulong c = 0)
    {
        ulong h = Finalize(unchecked(a + Golden));
        h = Finalize(h ^ unchecked(b + Golden2));
        return Finalize(h ^ unchecked(c + Golden3));
    }

    /// <summary>A permutation of 0..n-1 (Fisher–Yates) fixed by <paramref name="seed"/>.</summary>
    public static int[] Permutation(int n, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }
        var rng = new DeterministicRandom(seed);
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    // Lemire's multiply-and-reject: the high word of x·bound, redrawn while the low word falls in the biased sliver.
    // The threshold's 64-bit division is paid only in the rare case (low < bound) where a redraw is possible.
    ulong NextBelow(ulong bound)
    {
        ulong high = Math.BigMul(NextUInt64(), bound, out ulong low);
        if (low < bound)
        {
            ulong threshold = (0UL - bound) % bound;
            while (low < threshold)
            {
                high = Math.BigMul(NextUInt64(), bound, out low);
            }
        }
        return high;
    }

    static ulong Finalize(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    static double ToUnit(ulong bits) => (bits >> 11) * (1.0 / (1UL << 53));
}
