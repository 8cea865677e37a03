using System.Numerics;

namespace Genomics.Data.Genome;

/// <summary>
/// Base composition per record of any <see cref="IGenome"/>. Streams each record in 4 MiB pieces with
/// the soft mask kept and counts with SIMD compares, so a 63 Mb chromosome takes tens of milliseconds
/// past the cost of fetching it. Non-N ambiguity codes come from <see cref="IAmbiguityCounts"/> when the
/// genome offers it (they arrive as N); otherwise they are counted as N.
/// </summary>
public static class GenomeStats
{
    const int ChunkBytes = 4 << 20;

    public static IReadOnlyList<RecordStats> Compute(IGenome genome)
    {
        ArgumentNullException.ThrowIfNull(genome);
        var chunk = new byte[ChunkBytes];
        var stats = new RecordStats[genome.Records.Count];
        for (int r = 0; r < stats.Length; r++)
        {
            SequenceRecord record = genome.Records[r];
            var counts = new BaseCounts();
            for (long at = 0; at < record.Length; at += ChunkBytes)
            {
                Span<byte> piece = chunk.AsSpan(0, (int)Math.Min(ChunkBytes, record.Length - at));
                genome.FetchRecord(r, at, piece, keepSoftMask: true);
                Count(piece, ref counts);
            }
            long otherIupac = genome is IAmbiguityCounts ambiguity ? ambiguity.OtherIupacCount(r) : 0;
            long n = record.Length - counts.A - counts.C - counts.G - counts.T - otherIupac;
            stats[r] = new RecordStats(record.Name, record.Length, counts.A, counts.C, counts.G, counts.T, n, otherIupac, counts.Lower);
        }
        return stats;
    }

    /// <summary>Running counts: A C G T in either case, and lower-case letters.</summary>
    internal struct BaseCounts
    {
        public long A, C, G, T, Lower;
    }

    /// <summary>The reference: one byte at a time. <see cref="Count"/> must agree with it.</summary>
    internal static void CountScalar(ReadOnlySpan<byte> bases, ref BaseCounts counts)
    {
        foreach (byte b in bases)
        {
            switch (b & 0xDF)
            {
                case 'A': counts.A++; break;
                case 'C': counts.C++; break;
                case 'G': counts.G++; break;
                case 'T': counts.T++; break;
            }
            counts.Lower += (b >> 5) & 1;
        }
    }

    /// <summary>
    /// SIMD counting: per vector, fold case (clear bit 0x20) and compare with A C G T; bit 0x20 marks
    /// lower case. Byte-wide tallies are widened to longs every 255 vectors, before they can overflow.
    /// </summary>
    internal static void Count(ReadOnlySpan<byte> bases, ref BaseCounts counts)
    {
        int width = Vector<byte>.Count;
        if (!Vector.IsHardwareAccelerated || bases.Length < width)
        {
            CountScalar(bases, ref counts);
            return;
        }
        var fold = new Vector<byte>(0xDF);
        var lowerBit = new Vector<byte>(0x20);
        Vector<byte> a = new((byte)'A'), c = new((byte)'C'), g = new((byte)'G'), t = new((byte)'T');
        int i = 0;
        while (i + width <= bases.Length)
        {
            Vector<byte> na = default, nc = default, ng = default, nt = default, nl = default;
            for (int k = 0; k < 255 && i + width <= bases.Length; k++, i += width)
            {
                var v = new Vector<byte>(bases.Slice(i, width));
                var u = v & fold;
                // A compare yields 0xFF (= -1) per match, so subtracting it adds one.
                na -= Vector.Equals(u, a);
                nc -= Vector.Equals(u, c);
                ng -= Vector.Equals(u, g);
                nt -= Vector.Equals(u, t);
                nl += Vector.ShiftRightLogical(v & lowerBit, 5);
            }
            counts.A += Sum(na);
            counts.C += Sum(nc);
            counts.G += Sum(ng);
            counts.T += Sum(nt);
            counts.Lower += Sum(nl);
        }
        CountScalar(bases[i..], ref counts);
    }

    static long Sum(Vector<byte> tally)
    {
        Vector.Widen(tally, out Vector<ushort> lo, out Vector<ushort> hi);
        Vector.Widen(lo + hi, out Vector<uint> lo2, out Vector<uint> hi2);
        return Vector.Sum(lo2 + hi2);
    }
}
