using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using Genomics.Data.Genome;

namespace Genomics.Data.TwoBit;

/// <summary>
/// A UCSC .2bit genome, memory-mapped. Open reads the header, index and each record's fixed fields; a
/// record's N and mask block lists are parsed on its first fetch. A fetch decodes only the packed bytes
/// under its window (one table load and one 4-byte store per packed byte), then overlays the N blocks and,
/// when asked, the soft mask, starting from a binary search, so it costs O(window + log blocks) whatever
/// the record's size. Concurrent fetches are safe: the mapping is read-only and block lists are immutable
/// once published.
/// </summary>
public sealed unsafe class TwoBitGenome : IGenome
{
    readonly MemoryMappedFile _file;
    readonly MemoryMappedViewAccessor _view;
    readonly TwoBitIndex _index;
    readonly TwoBitBlocks?[] _nBlocks;
    readonly TwoBitBlocks?[] _maskBlocks;
    byte* _start;

    TwoBitGenome(string path, MemoryMappedFile file, MemoryMappedViewAccessor view, byte* start, TwoBitIndex index)
    {
        Path = path;
        _file = file;
        _view = view;
        _start = start;
        _index = index;
        _nBlocks = new TwoBitBlocks?[index.Records.Length];
        _maskBlocks = new TwoBitBlocks?[index.Records.Length];
        Chromosomes = new ChromosomeMap(index.Records);
    }

    /// <summary>Maps <paramref name="path"/> and reads its index; throws <see cref="DataFormatException"/> for a bad or cut file.</summary>
    public static TwoBitGenome Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        long length = new FileInfo(path).Length; // throws FileNotFoundException with the path
        if (length == 0)
        {
            throw new DataFormatException(path, "empty file, not a .2bit genome", "re-create the .2bit file (faToTwoBit or genomamba data 2bit)");
        }
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        bool acquired = false;
        try
        {
            view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* start = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
            acquired = true;
            start += view.PointerOffset;
            var index = TwoBitIndex.Read(start, length, path);
            return new TwoBitGenome(path, file, view, start, index);
        }
        catch
        {
            if (acquired)
            {
                view!.SafeMemoryMappedViewHandle.ReleasePointer();
            }
            view?.Dispose();
            file.Dispose();
            throw;
        }
    }

    public string Path { get; }
    public IReadOnlyList<SequenceRecord> Records => _index.Records;
    public ChromosomeMap Chromosomes { get; }

    /// <summary>0 (32-bit offsets) or 1 (64-bit offsets).</summary>
    public int Version => _index.Version;

    /// <summary>True when the file was written on a big-endian machine (fields are byte-swapped on read).</summary>
    public bool IsByteSwapped => _index.Bytes.Swap;

    public void FetchRecord(int record, long offset, Span<byte> destination, bool keepSoftMask = false)
    {
        ObjectDisposedException.ThrowIf(_start == null, this);
        ArgumentOutOfRangeException.ThrowIfNegative(record);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(record, _index.Records.Length);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var layout = _index.Layouts[record];
        if (offset + destination.Length > layout.DnaSize)
        {
            throw new ArgumentOutOfRangeException(nameof(offset),
                $"{Path}: {Records[record].Name}:{offset}+{destination.Length} runs past its length {layout.DnaSize}");
        }
        Unpack(_start + layout.PackedOffset, offset, destination);
        NBlocks(record).FillN(offset, destination);
        if (keepSoftMask)
        {
            MaskBlocks(record).LowerCase(offset, destination);
        }
    }

    /// <summary>N blocks of one record (parsed on first use).</summary>
    internal TwoBitBlocks NBlocks(int record) =>
        Volatile.Read(ref _nBlocks[record]) ?? Publish(ref _nBlocks[record], record, _index.Layouts[record].NBlocksOffset, _index.Layouts[record].NBlockCount, "N");

    /// <summary>Soft-mask blocks of one record (parsed on first use).</summary>
    internal TwoBitBlocks MaskBlocks(int record) =>
        Volatile.Read(ref _maskBlocks[record]) ?? Publish(ref _maskBlocks[record], record, _index.Layouts[record].MaskBlocksOffset, _index.Layouts[record].MaskBlockCount, "mask");

    // Two threads may both parse the same list; the result is identical, and the first one published wins.
    TwoBitBlocks Publish(ref TwoBitBlocks? slot, int record, long at, int count, string kind)
    {
        string name = Records[record].Name;
        var data = _index.Bytes.Span(at, checked(count * 8), $"{kind} blocks of record '{name}'");
        var blocks = TwoBitBlocks.Parse(data, count, _index.Bytes.Swap, _index.Layouts[record].DnaSize,
            problem => new DataFormatException(Path, $"record '{name}': {kind} {problem}", "re-create the .2bit file (faToTwoBit or genomamba data 2bit)"));
        return Interlocked.CompareExchange(ref slot, blocks, null) ?? blocks;
    }

    /// <summary>Decodes bases [offset, offset + destination.Length) from packed bytes; touches only the bytes under the window.</summary>
    static void Unpack(byte* packed, long offset, Span<byte> destination)
    {
        int length = destination.Length;
        if (length == 0)
        {
            return;
        }
        uint[] table = TwoBitFormat.DecodeTable;
        byte* src = packed + (offset >> 2);
        int skip = (int)(offset & 3);
        fixed (byte* dst = destination)
        {
            int done = 0;
            if (skip != 0)
            {
                // Head: the window starts mid-byte.
                byte b = *src++;
                for (int k = skip; k < 4 && done < length; k++)
                {
                    dst[done++] = Base(b, k);
                }
            }
            int whole = (length - done) >> 2;
            byte* d = dst + done;
            for (int i = 0; i < whole; i++)
            {
                Unsafe.WriteUnaligned(d + 4 * i, table[src[i]]);
            }
            done += whole * 4;
            src += whole;
            if (done < length)
            {
                // Tail: fewer than four bases left.
                byte b = *src;
                for (int k = 0; done < length; k++)
                {
                    dst[done++] = Base(b, k);
                }
            }
        }
    }

    /// <summary>Base k (0 = high bits) of one packed byte.</summary>
    static byte Base(byte packed, int k) => TwoBitFormat.Letters[(packed >> (6 - 2 * k)) & 3];

    public void Dispose()
    {
        if (_start == null)
        {
            return;
        }
        _start = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
