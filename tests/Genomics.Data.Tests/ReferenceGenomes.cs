using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using Genomics.Data.Genome;

namespace Genomics.Data.Tests;

/// <summary>
/// A deliberately tiny FASTA parser for tests (the real reader lives elsewhere): plain or gzip, record
/// name = first word of the header, case kept, IUPAC codes other than ACGTN mapped to N/n as IGenome
/// promises. Parsed genomes are cached per path because several test classes share the big ones.
/// </summary>
internal static class ReferenceGenomes
{
    static readonly ConcurrentDictionary<string, Lazy<InMemoryGenome>> Cache = new();

    public static InMemoryGenome Load(string path) =>
        Cache.GetOrAdd(path, p => new Lazy<InMemoryGenome>(() => new InMemoryGenome(p, Parse(p)))).Value;

    /// <summary>The records of a FASTA file as (name, served bytes), read by this naive parser.</summary>
    public static IReadOnlyList<(string Name, byte[] Bases)> Records(string path) => Parse(path);

    static List<(string, byte[])> Parse(string path)
    {
        using Stream file = File.OpenRead(path);
        using Stream text = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(text, Encoding.ASCII, false, 1 << 20);
        var records = new List<(string, byte[])>();
        string? name = null;
        var bases = new MemoryStream();
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            if (line.StartsWith('>'))
            {
                if (name is not null)
                {
                    records.Add((name, bases.ToArray()));
                }
                name = line[1..].Split(' ', '\t')[0];
                bases.SetLength(0);
            }
            else
            {
                foreach (char c in line.TrimEnd())
                {
                    bases.WriteByte(Normalize(c));
                }
            }
        }
        if (name is not null)
        {
            records.Add((name, bases.ToArray()));
        }
        return records;
    }

    static byte Normalize(char c) => c switch
    {
        'A' or 'C' or 'G' or 'T' or 'N' or 'a' or 'c' or 'g' or 't' or 'n' => (byte)c,
        _ when char.IsLower(c) => (byte)'n',
        _ => (byte)'N',
    };
}
