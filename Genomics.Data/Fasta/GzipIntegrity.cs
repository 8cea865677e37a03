using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.Win32.SafeHandles;

namespace Genomics.Data.Fasta;

/// <summary>
/// Proves a gzip file was read to its real end. .NET's GZipStream reads concatenated members (so BGZF
/// works) but returns a short result, without error, when the file is cut off, and checks no CRC. The
/// gzip trailer (CRC-32 and length of the last member's data) settles it:
/// BGZF: the file must end with the 28-byte end-of-file block that every BGZF writer appends (checked
/// first: a BGZF file cut between blocks would otherwise pass as a shorter single-member file);
/// one member: the trailer must match everything decompressed;
/// other multi-member files: some member start near the end must decompress to exactly the trailer's
/// CRC and length. A file cut exactly between two members is indistinguishable from a shorter whole
/// file; that is a property of the format.
/// </summary>
internal static class GzipIntegrity
{
    const string TruncatedHint = "download or copy it again; `gzip -t FILE` checks a .gz";

    static ReadOnlySpan<byte> BgzfEof =>
    [
        0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 0x06, 0, 0x42, 0x43, 0x02, 0, 0x1b, 0, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    /// <summary>True for the gzip magic bytes 1f 8b (how compression is detected: not by the name).</summary>
    public static bool IsGzip(ReadOnlySpan<byte> head) => head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b;

    /// <summary>Throws when the decompressed data (<paramref name="length"/> bytes, <paramref name="crc"/>) is not all the file holds.</summary>
    public static void Check(string path, SafeFileHandle handle, long length, uint crc)
    {
        long fileLength = RandomAccess.GetLength(handle);
        Span<byte> trailer = stackalloc byte[8];
        if (fileLength < 18 || RandomAccess.Read(handle, trailer, fileLength - 8) != 8)
        {
            throw Truncated(path, "file is too short to be gzip");
        }
        uint trailerCrc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        uint trailerSize = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        if (IsBgzf(handle))
        {
            Span<byte> tail = stackalloc byte[BgzfEof.Length];
            if (fileLength >= tail.Length && RandomAccess.Read(handle, tail, fileLength - tail.Length) == tail.Length && tail.SequenceEqual(BgzfEof))
            {
                return;
            }
            throw Truncated(path, "BGZF file ends without its end-of-file block: it is truncated");
        }
        if (trailerCrc == crc && trailerSize == (uint)length)
        {
            return;
        }
        if (!LastMemberMatches(path, handle, fileLength, trailerCrc, trailerSize))
        {
            throw Truncated(path, "gzip data ends early (the last member has no valid trailer): the file is truncated or damaged");
        }
    }

    static DataFormatException Truncated(string path, string problem) => new(path, problem, TruncatedHint);

    /// <summary>BGZF: the first member carries the extra subfield 'BC' (RFC 1952 FEXTRA).</summary>
    static bool IsBgzf(SafeFileHandle handle)
    {
        Span<byte> head = stackalloc byte[16];
        return RandomAccess.Read(handle, head, 0) == 16 && (head[3] & 0x04) != 0 && head[12] == (byte)'B' && head[13] == (byte)'C';
    }

    /// <summary>
    /// Looks backwards for a member header from which the rest of the file decompresses to the trailer's
    /// CRC and length. Only reached for multi-member non-BGZF files and damaged files.
    /// </summary>
    static bool LastMemberMatches(string path, SafeFileHandle handle, long fileLength, uint trailerCrc, uint trailerSize)
    {
        var window = new byte[1 << 16];
        long end = fileLength - 8;
        while (end > 1)
        {
            long start = Math.Max(1, end - window.Length);
            int n = RandomAccess.Read(handle, window.AsSpan(0, (int)(end - start)), start);
            for (int i = n - 3; i >= 0; i--)
            {
                if (window[i] == 0x1f && window[i + 1] == 0x8b && window[i + 2] == 0x08
                    && TryMember(path, start + i, trailerCrc, trailerSize))
                {
                    return true;
                }
            }
            end = start + 2;
            if (start == 1)
            {
                break;
            }
        }
        return false;
    }

    static bool TryMember(string path, long offset, uint trailerCrc, uint trailerSize)
    {
        try
        {
            using var file = File.OpenRead(path);
            file.Position = offset;
            using var gz = new GZipStream(file, CompressionMode.Decompress);
            var buffer = new byte[1 << 16];
            uint crc = 0;
            long length = 0;
            int n;
            while ((n = gz.Read(buffer)) > 0)
            {
                crc = Crc32.Append(crc, buffer.AsSpan(0, n));
                length += n;
            }
            return crc == trailerCrc && (uint)length == trailerSize;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }
}
