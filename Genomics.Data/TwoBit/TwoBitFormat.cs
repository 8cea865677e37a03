using System.Buffers;

namespace Genomics.Data.TwoBit;

/// <summary>
/// The UCSC .2bit layout (https://genome.ucsc.edu/FAQ/FAQformat.html#format7), shared by reader and writer.
/// File: signature, version, sequence count, reserved (4 × uint32); index of (name length byte, name,
/// offset: uint32 in version 0, uint64 in version 1); then per record: dnaSize, nBlockCount, nBlockStarts[],
/// nBlockSizes[], maskBlockCount, maskBlockStarts[], maskBlockSizes[], reserved (all uint32, in both
/// versions), and the packed bases, 4 per byte, first base in the high bits, T=0 C=1 A=2 G=3.
/// </summary>
internal static class TwoBitFormat
{
    public const uint Signature = 0x1A412743;
    public const int HeaderSize = 16;
    public const int MaxNameLength = 255;

    /// <summary>Bytes of a record before its block arrays: dnaSize and nBlockCount.</summary>
    public const int RecordPrefixSize = 8;

    /// <summary>The packed letter of each 2-bit code.</summary>
    public static ReadOnlySpan<byte> Letters => "TCAG"u8;

    /// <summary>
    /// One packed byte → its 4 upper-case bases as a uint laid out in memory order, so decoding is one
    /// table load and one unaligned 4-byte store per byte (built byte-wise, so it is right on any endianness).
    /// </summary>
    public static readonly uint[] DecodeTable = BuildDecodeTable();

    /// <summary>ASCII byte → 2-bit code (T=0 C=1 A=2 G=3, either case); anything else packs as 0 like faToTwoBit.</summary>
    public static readonly byte[] PackTable = BuildPackTable();

    /// <summary>The four real bases in both cases; any other byte is stored as part of an N block.</summary>
    public static readonly SearchValues<byte> Acgt = SearchValues.Create("ACGTacgt"u8);

    static uint[] BuildDecodeTable()
    {
        var table = new uint[256];
        Span<byte> four = stackalloc byte[4];
        for (int b = 0; b < 256; b++)
        {
            for (int k = 0; k < 4; k++)
            {
                four[k] = Letters[(b >> (6 - 2 * k)) & 3];
            }
            table[b] = System.Runtime.InteropServices.MemoryMarshal.Read<uint>(four);
        }
        return table;
    }

    static byte[] BuildPackTable()
    {
        var table = new byte[256];
        for (int code = 0; code < 4; code++)
        {
            table[Letters[code]] = (byte)code;
            table[Letters[code] | 0x20] = (byte)code;
        }
        return table;
    }
}
