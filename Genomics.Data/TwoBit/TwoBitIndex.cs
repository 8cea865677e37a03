using System.Buffers.Binary;
using System.Text;
using Genomics.Data.Genome;

namespace Genomics.Data.TwoBit;

/// <summary>
/// Header, index and each record's fixed fields, read once at open. Block arrays are left for later
/// (they can hold hundreds of thousands of entries per chromosome); their extent is still checked here so
/// a truncated file fails at open, naming the record that is cut.
/// </summary>
internal sealed class TwoBitIndex
{
    const string Hint = "re-create the .2bit file (faToTwoBit or genomamba data 2bit)";

    TwoBitIndex(TwoBitBytes bytes, int version, SequenceRecord[] records, TwoBitRecordLayout[] layouts)
    {
        Bytes = bytes;
        Version = version;
        Records = records;
        Layouts = layouts;
    }

    public TwoBitBytes Bytes { get; }
    public int Version { get; }
    public SequenceRecord[] Records { get; }
    public TwoBitRecordLayout[] Layouts { get; }

    public static unsafe TwoBitIndex Read(byte* start, long length, string path)
    {
        if (length < TwoBitFormat.HeaderSize)
        {
            throw new DataFormatException(path, $"truncated: {length} bytes is shorter than the 16-byte .2bit header", Hint);
        }
        uint signature = BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(start, 4));
        bool swap = signature == BinaryPrimitives.ReverseEndianness(TwoBitFormat.Signature);
        if (!swap && signature != TwoBitFormat.Signature)
        {
            throw new DataFormatException(path, $"not a .2bit file: signature 0x{signature:X8}, expected 0x{TwoBitFormat.Signature:X8}",
                "is this a FASTA or gzip file? open it as FASTA instead");
        }
        var bytes = new TwoBitBytes(start, length, swap, path);
        uint version = bytes.UInt32(4, "version");
        if (version > 1)
        {
            throw new DataFormatException(path, $"unsupported .2bit version {version}; only 0 (32-bit offsets) and 1 (64-bit offsets) exist", Hint);
        }
        uint count = bytes.UInt32(8, "sequence count");
        // Each index entry takes at least 5 bytes: refuse absurd counts before allocating for them.
        bytes.Require(TwoBitFormat.HeaderSize, 5L * count, $"index of {count} sequences");

        var records = new SequenceRecord[count];
        var layouts = new TwoBitRecordLayout[count];
        long pos = TwoBitFormat.HeaderSize;
        for (int i = 0; i < count; i++)
        {
            int nameLength = bytes.Span(pos, 1, $"index entry {i}")[0];
            string name = Encoding.ASCII.GetString(bytes.Span(pos + 1, nameLength, $"name of index entry {i}"));
            pos += 1 + nameLength;
            ulong offset = version == 0 ? bytes.UInt32(pos, $"offset of '{name}'") : bytes.UInt64(pos, $"offset of '{name}'");
            pos += version == 0 ? 4 : 8;
            if (offset > (ulong)length)
            {
                throw new DataFormatException(path, $"truncated or corrupt: record '{name}' starts at offset {offset}, past the end of the {length}-byte file", Hint);
            }
            layouts[i] = ReadLayout(bytes, (long)offset, name);
            records[i] = SequenceRecord.FromName(name, layouts[i].DnaSize);
        }
        return new TwoBitIndex(bytes, (int)version, records, layouts);
    }

    static TwoBitRecordLayout ReadLayout(TwoBitBytes bytes, long offset, string name)
    {
        uint dnaSize = bytes.UInt32(offset, $"length of record '{name}'");
        int nCount = BlockCount(bytes, offset + 4, name, "N");
        long nBlocks = offset + 8;
        long maskCountAt = nBlocks + 8L * nCount;
        int maskCount = BlockCount(bytes, maskCountAt, name, "mask");
        long maskBlocks = maskCountAt + 4;
        long packed = maskBlocks + 8L * maskCount + 4; // + reserved word
        long packedLength = ((long)dnaSize + 3) / 4;
        if (packed > bytes.Length - packedLength)
        {
            throw new DataFormatException(bytes.Path,
                $"truncated: record '{name}' needs bytes up to {packed + packedLength} for its {dnaSize} bases but the file has {bytes.Length}", Hint);
        }
        return new TwoBitRecordLayout(dnaSize, nBlocks, nCount, maskBlocks, maskCount, packed);
    }

    static int BlockCount(TwoBitBytes bytes, long at, string name, string kind)
    {
        uint count = bytes.UInt32(at, $"{kind} block count of record '{name}'");
        if (count > (bytes.Length - at) / 8)
        {
            throw new DataFormatException(bytes.Path, $"truncated or corrupt: record '{name}' claims {count} {kind} blocks, more than the file can hold", Hint);
        }
        return (int)count;
    }
}
