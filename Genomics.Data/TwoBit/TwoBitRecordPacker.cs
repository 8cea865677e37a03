using System.Runtime.InteropServices;

namespace Genomics.Data.TwoBit;

/// <summary>
/// Turns one record's ASCII bases, fed in order in chunks, into the three things a .2bit record stores:
/// packed 2-bit codes, N blocks (runs of anything that is not A/C/G/T, so stray IUPAC codes become N as
/// faToTwoBit does) and mask blocks (runs of lower case). Run edges are found with vectorised searches;
/// runs may cross chunk boundaries.
/// </summary>
internal sealed class TwoBitRecordPacker
{
    readonly byte[] _packed;
    readonly RunTracker _n = new();
    readonly RunTracker _mask = new();
    long _position;

    public TwoBitRecordPacker(uint length)
    {
        Length = length;
        _packed = new byte[((long)length + 3) / 4];
    }

    public uint Length { get; }
    public ReadOnlySpan<byte> Packed => _packed;
    public RunTracker NBlocks => _n;
    public RunTracker MaskBlocks => _mask;

    /// <summary>Adds the next chunk; every chunk but the last must hold a multiple of 4 bases.</summary>
    public void Add(ReadOnlySpan<byte> bases)
    {
        if ((_position & 3) != 0)
        {
            throw new InvalidOperationException("only the last chunk of a record may hold a number of bases that is not a multiple of 4");
        }
        if (_position + bases.Length > Length)
        {
            throw new InvalidOperationException($"record holds {Length} bases, got {_position + bases.Length}");
        }
        Pack(bases, _packed.AsSpan((int)(_position >> 2)));
        FindRuns(bases);
        _position += bases.Length;
    }

    /// <summary>Closes runs still open at the record's end.</summary>
    public void Finish()
    {
        if (_position != Length)
        {
            throw new InvalidOperationException($"record holds {Length} bases, got only {_position}");
        }
        _n.Close(_position);
        _mask.Close(_position);
    }

    static void Pack(ReadOnlySpan<byte> bases, Span<byte> packed)
    {
        byte[] code = TwoBitFormat.PackTable;
        int whole = bases.Length >> 2;
        ref byte b = ref MemoryMarshal.GetReference(bases);
        for (int i = 0; i < whole; i++)
        {
            int j = 4 * i;
            packed[i] = (byte)((code[At(ref b, j)] << 6) | (code[At(ref b, j + 1)] << 4) | (code[At(ref b, j + 2)] << 2) | code[At(ref b, j + 3)]);
        }
        int rest = bases.Length & 3;
        if (rest != 0)
        {
            int last = 0;
            for (int k = 0; k < rest; k++)
            {
                last |= code[bases[4 * whole + k]] << (6 - 2 * k);
            }
            packed[whole] = (byte)last;
        }
    }

    static byte At(ref byte start, int index) => System.Runtime.CompilerServices.Unsafe.Add(ref start, index);

    void FindRuns(ReadOnlySpan<byte> bases)
    {
        int i = 0;
        while (i < bases.Length)
        {
            int next = _n.IsOpen ? bases[i..].IndexOfAny(TwoBitFormat.Acgt) : bases[i..].IndexOfAnyExcept(TwoBitFormat.Acgt);
            if (next < 0)
            {
                break;
            }
            i += next;
            _n.Toggle(_position + i);
        }
        i = 0;
        while (i < bases.Length)
        {
            int next = _mask.IsOpen ? bases[i..].IndexOfAnyExceptInRange((byte)'a', (byte)'z') : bases[i..].IndexOfAnyInRange((byte)'a', (byte)'z');
            if (next < 0)
            {
                break;
            }
            i += next;
            _mask.Toggle(_position + i);
        }
    }

    /// <summary>Collects [start, end) runs as the starts/sizes arrays the format stores.</summary>
    public sealed class RunTracker
    {
        readonly List<uint> _starts = [];
        readonly List<uint> _sizes = [];
        long _openedAt = -1;

        public bool IsOpen => _openedAt >= 0;
        public int Count => _starts.Count;
        public IReadOnlyList<uint> Starts => _starts;
        public IReadOnlyList<uint> Sizes => _sizes;

        public void Toggle(long position)
        {
            if (IsOpen)
            {
                Close(position);
            }
            else
            {
                _openedAt = position;
            }
        }

        public void Close(long position)
        {
            if (IsOpen)
            {
                _starts.Add((uint)_openedAt);
                _sizes.Add((uint)(position - _openedAt));
                _openedAt = -1;
            }
        }
    }
}
