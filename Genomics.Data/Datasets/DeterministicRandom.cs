namespace Genomics.Data.Datasets;

/// <summary>
/// SplitMix64 (Steele, Lea &amp; Flood 2014): a tiny generator whose output is fixed by this file, not by the
/// runtime. System.Random's algorithm may change between .NET versions; a shuffle that must replay
/// identically after a resume, on another machine or a newer runtime, cannot depend on it.
/// Not thread-safe: one instance per stream; derive streams with <see cref="Hash(ulong, ulong, ulong)"/>.
/// </summary>
public sealed class DeterministicRandom
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
        ulong bound = (ulong)maxExclusive;
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong high = Math.BigMul(NextUInt64(), bound, out ulong low);
            if (low >= threshold)
            {
                return (int)high;
            }
        }
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => ToUnit(NextUInt64());

    /// <summary>A stateless uniform draw in [0, 1) keyed by three values: same key, same number.</summary>
    public static double Unit(ulong a, ulong b, ulong c) => ToUnit(Hash(a, b, c));

    /// <summary>
    /// Mixes a key into 64 well-spread bits. Each component goes through the SplitMix finalizer before the
    /// next is added, so (a, b, c) and (b, a, c) give unrelated results.
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

    static ulong Finalize(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    static double ToUnit(ulong bits) => (bits >> 11) * (1.0 / (1UL << 53));
}
