using System.Buffers.Binary;
using System.Text;

namespace Genomics.Data.Tests.TwoBit;

/// <summary>
/// A .2bit file laid out field by field from the UCSC format page, independently of the library's writer:
/// header (signature, version, count, reserved), index (name length, name, 4- or 8-byte offset), then per
/// record dnaSize, nBlockCount, starts, sizes, maskBlockCount, starts, sizes, reserved, packed bases.
/// </summary>
internal static class HandBuiltTwoBit
{
    public sealed record Record(string Name, uint DnaSize, (uint Start, uint Size)[] NBlocks, (uint Start, uint Size)[] MaskBlocks, byte[] Packed);

    /// <summary>
    /// "chr1" = ACGTNNnnacgtTTg (15 bases): N block [4,8), mask blocks [6,12) and [14,15); N packs as T (0).
    /// Codes T=0 C=1 A=2 G=3, first base in the high bits:
    /// ACGT = 10 01 11 00 = 0x9C; NNnn = TTTT = 0x00; acgt = 0x9C; TTg + pad = 00 00 11 00 = 0x0C.
    /// "chr2:11-14" = GATC: 11 10 00 01 = 0xE1.
    /// </summary>
    public static readonly Record[] Tiny =
    [
        new("chr1", 15, [(4, 4)], [(6, 6), (14, 1)], [0x9C, 0x00, 0x9C, 0x0C]),
        new("chr2:11-14", 4, [], [], [0xE1]),
    ];

    public const string TinyChr1 = "ACGTNNnnacgtTTg";
    public const string TinyChr2 = "GATC";

    public static byte[] Build(Record[] records, uint version = 0, bool bigEndian = false)
    {
        var output = new List<byte>();
        void U32(uint v)
        {
            var b = new byte[4];
            if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v);
            output.AddRange(b);
        }
        void U64(ulong v)
        {
            var b = new byte[8];
            if (bigEndian) BinaryPrimitives.WriteUInt64BigEndian(b, v); else BinaryPrimitives.WriteUInt64LittleEndian(b, v);
            output.AddRange(b);
        }

        U32(0x1A412743);
        U32(version);
        U32((uint)records.Length);
        U32(0);
        int indexSize = records.Sum(r => 1 + r.Name.Length + (version == 0 ? 4 : 8));
        long offset = 16 + indexSize;
        foreach (var r in records)
        {
            output.Add((byte)r.Name.Length);
            output.AddRange(Encoding.ASCII.GetBytes(r.Name));
            if (version == 0) U32((uint)offset); else U64((ulong)offset);
            offset += 4 + 4 + 8 * r.NBlocks.Length + 4 + 8 * r.MaskBlocks.Length + 4 + r.Packed.Length;
        }
        foreach (var r in records)
        {
            U32(r.DnaSize);
            U32((uint)r.NBlocks.Length);
            foreach (var b in r.NBlocks) U32(b.Start);
            foreach (var b in r.NBlocks) U32(b.Size);
            U32((uint)r.MaskBlocks.Length);
            foreach (var b in r.MaskBlocks) U32(b.Start);
            foreach (var b in r.MaskBlocks) U32(b.Size);
            U32(0);
            output.AddRange(r.Packed);
        }
        return output.ToArray();
    }
}
