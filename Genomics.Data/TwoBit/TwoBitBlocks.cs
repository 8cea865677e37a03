using System.Buffers.Binary;

namespace Genomics.Data.TwoBit;

/// <summary>
/// One record's N blocks or mask blocks as sorted, non-overlapping [start, end) arrays, so a fetch finds
/// the first block touching its window by binary search and then walks only the blocks inside it.
/// </summary>
internal sealed class TwoBitBlocks
{
    public static readonly TwoBitBlocks Empty = new([], []);

    readonly uint[] _starts;
    readonly uint[] _ends;

    TwoBitBlocks(uint[] starts, uint[] ends)
    {
        _starts = starts;
        _ends = ends;
    }

    public int Count => _starts.Length;

    /// <summary>
    /// Reads <paramref name="count"/> starts then <paramref name="count"/> sizes from <paramref name="data"/>.
    /// UCSC writes blocks sorted and disjoint; we sort and merge anyway so a hand-made file cannot break
    /// the binary search. Throws when a block runs past the record.
    /// </summary>
    public static TwoBitBlocks Parse(ReadOnlySpan<byte> data, int count, bool swap, uint dnaSize, Func<string, Exception> fail)
    {
        if (count == 0)
        {
            return Empty;
        }
        var starts = new uint[count];
        var ends = new uint[count];
        bool sorted = true;
        for (int i = 0; i < count; i++)
        {
            uint start = Read(data, i, swap);
            uint size = Read(data, count + i, swap);
            if ((ulong)start + size > dnaSize)
            {
                throw fail($"block {i} [{start}, {(ulong)start + size}) runs past the record's {dnaSize} bases");
            }
            starts[i] = start;
            ends[i] = start + size;
            sorted &= i == 0 || start >= ends[i - 1];
        }
        return sorted ? new TwoBitBlocks(starts, ends) : Normalize(starts, ends);
    }

    /// <summary>Overwrites bases of the window at <paramref name="offset"/> that fall in a block with 'N'.</summary>
    public void FillN(long offset, Span<byte> window)
    {
        for (int i = FirstEndingAfter(offset); i < _starts.Length && _starts[i] < offset + window.Length; i++)
        {
            var (from, length) = Clip(i, offset, window.Length);
            window.Slice(from, length).Fill((byte)'N');
        }
    }

    /// <summary>Lower-cases bases of the window at <paramref name="offset"/> that fall in a block.</summary>
    public void LowerCase(long offset, Span<byte> window)
    {
        for (int i = FirstEndingAfter(offset); i < _starts.Length && _starts[i] < offset + window.Length; i++)
        {
            var (from, length) = Clip(i, offset, window.Length);
            System.Text.Ascii.ToLowerInPlace(window.Slice(from, length), out _);
        }
    }

    /// <summary>Index of the first block whose end lies after <paramref name="position"/> (Count if none).</summary>
    public int FirstEndingAfter(long position)
    {
        int lo = 0, hi = _ends.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_ends[mid] > position)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /// <summary>Block i as [Start, End), for tests.</summary>
    public (uint Start, uint End) this[int i] => (_starts[i], _ends[i]);

    (int From, int Length) Clip(int i, long offset, int windowLength)
    {
        long from = Math.Max(_starts[i], offset);
        long to = Math.Min(_ends[i], offset + windowLength);
        return ((int)(from - offset), (int)(to - from));
    }

    static uint Read(ReadOnlySpan<byte> data, int index, bool swap)
    {
        uint v = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(index * 4, 4));
        return swap ? BinaryPrimitives.ReverseEndianness(v) : v;
    }

    static TwoBitBlocks Normalize(uint[] starts, uint[] ends)
    {
        Array.Sort(starts, ends);
        var s = new List<uint>(starts.Length);
        var e = new List<uint>(starts.Length);
        for (int i = 0; i < starts.Length; i++)
        {
            if (s.Count > 0 && starts[i] <= e[^1])
            {
                e[^1] = Math.Max(e[^1], ends[i]);
            }
            else
            {
                s.Add(starts[i]);
                e.Add(ends[i]);
            }
        }
        return new TwoBitBlocks(s.ToArray(), e.ToArray());
    }
}
