using System.Globalization;
using System.Text;

namespace Genomics.Data.Fasta;

/// <summary>
/// samtools <c>.fai</c> indexes: build one by a streaming scan, read one, write one. The text written is
/// byte-identical to <c>samtools faidx</c> (name, length, offset, line bases, line width; tab-separated).
/// </summary>
public static class FaiIndex
{
    const string RebuildHint = "delete it or rebuild with `genomamba data index`";

    /// <summary>
    /// Indexes a plain FASTA file in one pass without holding it in memory. Accepts what samtools
    /// accepts (any printable bytes in sequence lines) except nameless or empty records. A repeated name
    /// gets its own line (samtools would index only the first); <see cref="FastaGenome.Open"/> decides
    /// whether such a file is acceptable.
    /// </summary>
    public static IReadOnlyList<FaiEntry> Build(string fastaPath)
    {
        using var handle = File.OpenHandle(fastaPath, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        Span<byte> head = stackalloc byte[2];
        int n = RandomAccess.Read(handle, head, 0);
        if (GzipIntegrity.IsGzip(head[..n]))
        {
            throw new DataFormatException(fastaPath, "is gzip-compressed; a .fai indexes plain FASTA",
                "decompress it (`gunzip -k`) to index it, or open the .gz directly: compressed files are loaded into memory and need no index");
        }
        return FastaScanner.ScanFile(fastaPath, handle, validate: false, allowDuplicateNames: true).Select(r => r.Entry).ToArray();
    }

    /// <summary>Reads a .fai; every line must have the five samtools columns. Repeated names are kept.</summary>
    public static IReadOnlyList<FaiEntry> Read(string faiPath)
    {
        var entries = new List<FaiEntry>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(faiPath, Encoding.UTF8))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }
            entries.Add(ParseLine(faiPath, lineNumber, line));
        }
        if (entries.Count == 0)
        {
            throw new DataFormatException(faiPath, "index is empty", RebuildHint);
        }
        return entries;
    }

    /// <summary>Writes a .fai atomically (temporary file, then rename).</summary>
    public static void Write(string faiPath, IReadOnlyList<FaiEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var text = new StringBuilder();
        foreach (var e in entries)
        {
            text.Append(CultureInfo.InvariantCulture, $"{e.Name}\t{e.Length}\t{e.Offset}\t{e.LineBases}\t{e.LineWidth}\n");
        }
        byte[] bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text.ToString());
        AtomicFile.Write(faiPath, s => s.Write(bytes));
    }

    static FaiEntry ParseLine(string faiPath, int lineNumber, string line)
    {
        string[] f = line.Split('\t');
        if (f.Length == 6)
        {
            throw new DataFormatException(faiPath, lineNumber, "this is a FASTQ index (6 columns); FASTQ is not supported", RebuildHint);
        }
        if (f.Length != 5 || f[0].Length == 0)
        {
            throw new DataFormatException(faiPath, lineNumber, $"expected 5 tab-separated columns (name, length, offset, line bases, line width), found {f.Length}", RebuildHint);
        }
        long length = Number(f[1], "length"), offset = Number(f[2], "offset"), lineBases = Number(f[3], "line bases"), lineWidth = Number(f[4], "line width");
        if (lineBases > int.MaxValue || lineWidth > int.MaxValue)
        {
            throw new DataFormatException(faiPath, lineNumber, "line length over 2 GiB", RebuildHint);
        }
        if (length > 0 && (lineBases < 1 || lineWidth <= lineBases))
        {
            throw new DataFormatException(faiPath, lineNumber, $"record '{f[0]}' has {lineBases} bases per line in lines of {lineWidth} bytes; a line holds at least one base and its line ending", RebuildHint);
        }
        return new FaiEntry(f[0], length, offset, (int)lineBases, (int)lineWidth);

        long Number(string text, string column) =>
            long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long v)
                ? v
                : throw new DataFormatException(faiPath, lineNumber, $"{column} '{text}' is not a non-negative integer", RebuildHint);
    }
}
