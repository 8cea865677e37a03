using System.IO.Compression;

namespace Genomics.Data.Fasta;

/// <summary>
/// Reads a gzip or BGZF FASTA once, straight into memory: inflate in 1 MiB pieces, feed the scanner
/// (which validates and keeps normalised bases), and CRC the inflated text so a cut-off file is caught.
/// Lines may have any lengths here, since no layout is needed to find bases in memory.
/// </summary>
internal static class GzipFastaLoader
{
    public static IReadOnlyList<ScannedRecord> Load(string path, bool allowDuplicateNames)
    {
        var scanner = new FastaScanner(path, validate: true, uniformLines: false, keepBases: true, allowDuplicateNames);
        uint crc = 0;
        long length = 0;
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
        using (var gz = new GZipStream(file, CompressionMode.Decompress))
        {
            var buffer = new byte[1 << 20];
            int n;
            while ((n = ReadInflated(path, gz, buffer)) > 0)
            {
                var piece = buffer.AsSpan(0, n);
                crc = Crc32.Append(crc, piece);
                length += n;
                scanner.Feed(piece);
            }
        }
        // Check the end before trusting the records: a cut-off file usually still parses.
        GzipIntegrity.Check(path, handle, length, crc);
        return scanner.Finish();
    }

    static int ReadInflated(string path, GZipStream gz, byte[] buffer)
    {
        try
        {
            return gz.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"gzip data is damaged: {e.Message}", "download or copy it again; `gzip -t FILE` checks a .gz", e);
        }
    }
}
