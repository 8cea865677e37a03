using System.Buffers.Binary;
using System.Text;
using Genomics.Data.Genome;

namespace Genomics.Data.TwoBit;

/// <summary>
/// Writes any <see cref="IGenome"/> as UCSC .2bit, keeping N runs and the soft mask (lower case) exactly.
/// Records are streamed one at a time (memory: a quarter of the largest record plus one fetch chunk). The
/// output appears only when complete: bytes go to a temporary file beside it, which is renamed over the
/// target at the end, so a crash or error never leaves a half-written .2bit.
/// </summary>
public static class TwoBitWriter
{
    /// <summary>Bases fetched from the source at a time; a multiple of 4 so chunks pack on byte boundaries.</summary>
    const int ChunkBases = 1 << 22;

    /// <summary>Writes <paramref name="source"/> to <paramref name="outPath"/>: version 0, or version 1 when a record starts past 4 GiB.</summary>
    public static void Write(IGenome source, string outPath, IProgress<TwoBitWriteProgress>? progress = null) =>
        Write(source, outPath, progress, uint.MaxValue);

    /// <summary>
    /// <paramref name="maxNarrowOffset"/> is the largest record offset version 0 may carry; tests lower it
    /// to exercise the version 1 path without writing 4 GiB.
    /// </summary>
    internal static void Write(IGenome source, string outPath, IProgress<TwoBitWriteProgress>? progress, long maxNarrowOffset)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(outPath);
        byte[][] names = CheckRecords(source);
        string full = System.IO.Path.GetFullPath(outPath);
        string temp = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full)!, $".{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            // The record offsets, and so the version, are known only after writing; a version 0 attempt that
            // overflows is redone wide (needs a genome of over ~16 Gb, so the second pass is rare).
            bool wide = LowerBoundOfLastOffset(source, names, wide: false) > maxNarrowOffset;
            if (!WriteFile(source, names, temp, wide, maxNarrowOffset, progress))
            {
                WriteFile(source, names, temp, wide: true, maxNarrowOffset, progress);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp); // no-op after the rename
        }
    }

    static byte[][] CheckRecords(IGenome source)
    {
        var names = new byte[source.Records.Count][];
        for (int i = 0; i < names.Length; i++)
        {
            var r = source.Records[i];
            if (r.Length > uint.MaxValue)
            {
                throw new DataFormatException(source.Path, $"record '{r.Name}' has {r.Length} bases; a .2bit record holds at most {uint.MaxValue}",
                    "split the record before converting");
            }
            names[i] = Encoding.ASCII.GetBytes(r.Name);
            if (names[i].Length is 0 or > TwoBitFormat.MaxNameLength || !Ascii.IsValid(r.Name))
            {
                throw new DataFormatException(source.Path, $"record name '{r.Name}' cannot be stored in .2bit (1 to 255 ASCII characters)",
                    "rename the record");
            }
        }
        return names;
    }

    static long IndexSize(byte[][] names, bool wide) => names.Sum(n => 1L + n.Length + (wide ? 8 : 4));

    // Offsets grow by at least the fixed fields and packed bases of every earlier record.
    static long LowerBoundOfLastOffset(IGenome source, byte[][] names, bool wide)
    {
        long offset = TwoBitFormat.HeaderSize + IndexSize(names, wide);
        for (int i = 0; i < names.Length - 1; i++)
        {
            offset += 16 + (source.Records[i].Length + 3) / 4;
        }
        return offset;
    }

    /// <summary>Writes the whole file; false when a version 0 file would need an offset past <paramref name="maxNarrowOffset"/>.</summary>
    static bool WriteFile(IGenome source, byte[][] names, string path, bool wide, long maxNarrowOffset, IProgress<TwoBitWriteProgress>? progress)
    {
        long total = source.Records.Sum(r => r.Length);
        long done = 0;
        var offsets = new long[names.Length];
        // Small genomes need no 4 MiB buffer; a chunk as long as the longest record is then one chunk per record.
        long longest = source.Records.Select(r => r.Length).DefaultIfEmpty(0).Max();
        byte[] chunk = new byte[Math.Min(ChunkBases, Math.Max(4, longest))];
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        stream.Position = TwoBitFormat.HeaderSize + IndexSize(names, wide);
        for (int i = 0; i < names.Length; i++)
        {
            offsets[i] = stream.Position;
            if (!wide && offsets[i] > maxNarrowOffset)
            {
                return false;
            }
            var record = source.Records[i];
            var packer = new TwoBitRecordPacker((uint)record.Length);
            for (long at = 0; at < record.Length; at += chunk.Length)
            {
                var window = chunk.AsSpan(0, (int)Math.Min(chunk.Length, record.Length - at));
                source.FetchRecord(i, at, window, keepSoftMask: true);
                packer.Add(window);
                done += window.Length;
                progress?.Report(new TwoBitWriteProgress(record.Name, i, names.Length, done, total));
            }
            packer.Finish();
            WriteRecord(stream, packer);
        }
        stream.Position = 0;
        WriteHeaderAndIndex(stream, names, offsets, wide);
        return true;
    }

    static void WriteRecord(Stream stream, TwoBitRecordPacker packer)
    {
        var n = packer.NBlocks;
        var mask = packer.MaskBlocks;
        var fields = new List<uint>(4 + 2 * n.Count + 2 * mask.Count) { packer.Length, (uint)n.Count };
        fields.AddRange(n.Starts);
        fields.AddRange(n.Sizes);
        fields.Add((uint)mask.Count);
        fields.AddRange(mask.Starts);
        fields.AddRange(mask.Sizes);
        fields.Add(0); // reserved
        var bytes = new byte[4 * fields.Count];
        for (int i = 0; i < fields.Count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4 * i), fields[i]);
        }
        stream.Write(bytes);
        stream.Write(packer.Packed);
    }

    static void WriteHeaderAndIndex(Stream stream, byte[][] names, long[] offsets, bool wide)
    {
        var buffer = new byte[TwoBitFormat.HeaderSize + IndexSize(names, wide)];
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, TwoBitFormat.Signature);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], wide ? 1u : 0u);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], (uint)names.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], 0);
        int at = TwoBitFormat.HeaderSize;
        for (int i = 0; i < names.Length; i++)
        {
            buffer[at++] = (byte)names[i].Length;
            names[i].CopyTo(span[at..]);
            at += names[i].Length;
            if (wide)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(span[at..], (ulong)offsets[i]);
                at += 8;
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(span[at..], (uint)offsets[i]);
                at += 4;
            }
        }
        stream.Write(buffer);
    }
}
