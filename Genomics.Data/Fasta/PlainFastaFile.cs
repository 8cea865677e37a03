using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Genomics.Data.Fasta;

/// <summary>
/// Random access into an uncompressed FASTA through its line layout: compute where the bases lie, read
/// just those bytes with positional reads (no shared file position, so concurrent fetches are safe),
/// drop the line endings, then validate and normalise the bases in place.
/// </summary>
internal sealed class PlainFastaFile : IDisposable
{
    const int BlockBytes = 1 << 20;

    readonly string _path;
    readonly SafeFileHandle _handle;
    readonly FaiEntry[] _entries;
    readonly long[] _headerLines;
    readonly bool _fromIndexFile;

    public PlainFastaFile(string path, SafeFileHandle handle, IReadOnlyList<FaiEntry> entries, long[] headerLines, bool fromIndexFile)
    {
        _path = path;
        _handle = handle;
        _entries = entries.ToArray();
        _headerLines = headerLines;
        _fromIndexFile = fromIndexFile;
    }

    public IReadOnlyList<FaiEntry> Entries => _entries;

    /// <summary>Copies bases [offset, offset + destination.Length) of a record, validated and normalised.</summary>
    public void Fetch(int record, long offset, Span<byte> destination, bool keepSoftMask)
    {
        CopyBases(record, offset, destination);
        int bad = BaseTable.IndexOfNonBase(destination);
        if (bad >= 0)
        {
            throw BadByte(record, offset + bad, destination[bad]);
        }
        BaseTable.Normalize(destination, keepSoftMask);
    }

    /// <summary>Counts a record's IUPAC codes other than N by reading it through once.</summary>
    public long CountOtherIupac(int record)
    {
        long length = _entries[record].Length, n = 0;
        byte[] block = ArrayPool<byte>.Shared.Rent(BlockBytes);
        try
        {
            for (long at = 0; at < length; at += BlockBytes)
            {
                Span<byte> bases = block.AsSpan(0, (int)Math.Min(BlockBytes, length - at));
                CopyBases(record, at, bases);
                int bad = BaseTable.IndexOfNonBase(bases);
                if (bad >= 0)
                {
                    throw BadByte(record, at + bad, bases[bad]);
                }
                n += BaseTable.CountOtherIupac(bases);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block);
        }
        return n;
    }

    /// <summary>Raw bytes of the bases, line endings removed (checked to be line endings).</summary>
    void CopyBases(int record, long offset, Span<byte> destination)
    {
        FaiEntry e = _entries[record];
        if (offset < 0 || offset + destination.Length > e.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"{_path}: {e.Name}:{offset}+{destination.Length} runs past its length {e.Length}");
        }
        if (destination.IsEmpty)
        {
            return;
        }
        int ending = e.LineWidth - e.LineBases;
        // Whole lines per read when they fit the buffer; pieces of a line when one line does not (a
        // chromosome on one line). A read that starts a line also takes the line ending before it, so
        // every break inside the window is checked, including those between reads.
        int capacity = (int)Math.Min(BlockBytes, RawLength(e, offset, destination.Length) + ending);
        byte[] raw = ArrayPool<byte>.Shared.Rent(capacity);
        try
        {
            long index = offset;
            while (!destination.IsEmpty)
            {
                long col = index % e.LineBases;
                int lead = col == 0 && index > offset ? ending : 0;
                int take = (int)Math.Min(destination.Length, Fit(e, col, capacity - lead));
                int rawLength = lead + (int)RawLength(e, index, take);
                Span<byte> span = raw.AsSpan(0, rawLength);
                ReadExactly(record, e.PositionOf(index) - lead, span);
                if (lead > 0 && !IsLineEnding(span[..lead]))
                {
                    throw Layout(record, index);
                }
                int r = lead;
                while (take > 0)
                {
                    int n = (int)Math.Min(e.LineBases - col, take);
                    span.Slice(r, n).CopyTo(destination);
                    destination = destination[n..];
                    r += n;
                    take -= n;
                    index += n;
                    col = 0;
                    if (take > 0)
                    {
                        if (!IsLineEnding(span.Slice(r, ending)))
                        {
                            throw Layout(record, index);
                        }
                        r += ending;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
        }
    }

    /// <summary>Most bases from column <paramref name="col"/> on whose bytes fit in <paramref name="room"/> (at least 1).</summary>
    static long Fit(FaiEntry e, long col, long room)
    {
        long first = e.LineBases - col;
        if (room <= first)
        {
            return Math.Max(room, 1);
        }
        long rest = room - first - (e.LineWidth - e.LineBases);
        return rest <= 0 ? first : first + rest / e.LineWidth * e.LineBases + Math.Min(rest % e.LineWidth, e.LineBases);
    }

    /// <summary>Bytes from base <paramref name="index"/> through the last of <paramref name="count"/> bases.</summary>
    static long RawLength(FaiEntry e, long index, long count) => e.PositionOf(index + count - 1) + 1 - e.PositionOf(index);

    static bool IsLineEnding(ReadOnlySpan<byte> bytes) => bytes switch
    {
        [(byte)'\n'] => true,
        [(byte)'\r', (byte)'\n'] => true,
        _ => bytes.Length > 0 && bytes[^1] == (byte)'\n' && bytes.IndexOfAnyInRange((byte)0x21, (byte)0x7e) < 0,
    };

    void ReadExactly(int record, long position, Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int n = RandomAccess.Read(_handle, buffer, position);
            if (n == 0)
            {
                throw new DataFormatException(_path, $"file ends inside record '{_entries[record].Name}' (at byte {position})",
                    _fromIndexFile ? "the file may be truncated, or its .fai stale: delete the .fai or rebuild it with `genomamba data index`" : "the file changed while open");
            }
            buffer = buffer[n..];
            position += n;
        }
    }

    /// <summary>File line of base <paramref name="index"/>: header line, plus one, plus whole lines before it.</summary>
    long LineOf(int record, long index) => _headerLines[record] + 1 + index / _entries[record].LineBases;

    DataFormatException BadByte(int record, long index, byte b) => b is (byte)'\n' or (byte)'\r'
        ? Layout(record, index)
        : new DataFormatException(_path, LineOf(record, index), $"unexpected byte {BaseTable.Describe(b)} in record '{_entries[record].Name}'", BaseTable.HintFor(b));

    DataFormatException Layout(int record, long index)
    {
        FaiEntry e = _entries[record];
        long line = LineOf(record, index - 1);
        return new DataFormatException(_path, line, $"line does not hold {e.LineBases} bases as the layout of record '{e.Name}' says",
            _fromIndexFile
                ? "the .fai does not match this file: delete it or rebuild with `genomamba data index`"
                : "the file changed while open");
    }

    public void Dispose() => _handle.Dispose();
}
