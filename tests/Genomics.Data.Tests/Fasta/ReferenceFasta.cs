using System.IO.Compression;
using System.Text;

namespace Genomics.Data.Tests.Fasta;

/// <summary>
/// The test oracle: a deliberately naive FASTA reader (whole text, line by line, strings) and the
/// serving rules written out as plain string code, sharing nothing with Genomics.Data.Fasta.
/// </summary>
internal static class ReferenceFasta
{
    public sealed record Record(string Name, string Header, string Bases);

    public static List<Record> Parse(string text)
    {
        var records = new List<Record>();
        string? header = null;
        var bases = new StringBuilder();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.StartsWith('>'))
            {
                Flush();
                header = line[1..];
            }
            else
            {
                bases.Append(line);
            }
        }
        Flush();
        return records;

        void Flush()
        {
            if (header is not null)
            {
                string name = header.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[0];
                records.Add(new Record(name, header, bases.ToString()));
            }
            bases.Clear();
        }
    }

    public static List<Record> ParseFile(string path) => Parse(Encoding.Latin1.GetString(ReadMaybeGzip(path)));

    /// <summary>File bytes, decompressed with System.IO.Compression when the name ends in .gz.</summary>
    public static byte[] ReadMaybeGzip(string path)
    {
        if (!path.EndsWith(".gz", StringComparison.Ordinal))
        {
            return File.ReadAllBytes(path);
        }
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>How a base is served: ambiguity codes become N, lower case kept only with the mask.</summary>
    public static string Serve(string bases, bool keepSoftMask)
    {
        var sb = new StringBuilder(bases.Length);
        foreach (char c in bases)
        {
            char served = "RYKMSWBDHV".Contains(char.ToUpperInvariant(c)) ? (char.IsLower(c) ? 'n' : 'N') : c;
            sb.Append(keepSoftMask ? served : char.ToUpperInvariant(served));
        }
        return sb.ToString();
    }

    /// <summary>FASTA text with every record wrapped at <paramref name="width"/> and the given line ending.</summary>
    public static string Wrap(IEnumerable<Record> records, int width, string newline = "\n")
    {
        var sb = new StringBuilder();
        foreach (var r in records)
        {
            sb.Append('>').Append(r.Header).Append(newline);
            for (int i = 0; i < r.Bases.Length; i += width)
            {
                sb.Append(r.Bases.AsSpan(i, Math.Min(width, r.Bases.Length - i))).Append(newline);
            }
        }
        return sb.ToString();
    }
}
