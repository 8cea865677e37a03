using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using Genomics.Data.Genome;

namespace Genomics.Data.Tests.Species;

/// <summary>
/// A deliberately tiny FASTA(.gz) reader written apart from the real one: record name = first word of the
/// header, case kept (soft mask), IUPAC codes other than ACGTN become N (n when lower case). The species
/// tests used it until the real readers landed; it stays as the second opinion in
/// SpeciesReaderEquivalenceTests (and for the Parquet export test). Parsed files are cached per path.
/// </summary>
internal static class TestFasta
{
    static readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<(string Name, byte[] Bases)>>> Cache = new();

    /// <summary>An opener for SpeciesDataset: a fresh InMemoryGenome over cached records.</summary>
    public static IGenome Open(string path) => new InMemoryGenome(path, Records(path));

    public static IReadOnlyList<(string Name, byte[] Bases)> Records(string path) =>
        Cache.GetOrAdd(Path.GetFullPath(path), p => new Lazy<IReadOnlyList<(string, byte[])>>(() => Parse(p))).Value;

    static IReadOnlyList<(string Name, byte[] Bases)> Parse(string path)
    {
        using Stream file = File.OpenRead(path);
        using Stream data = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(data, Encoding.ASCII);
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
                name = line[1..].Split([' ', '\t'], 2)[0];
                bases.SetLength(0);
                continue;
            }
            foreach (char c in line.TrimEnd('\r'))
            {
                bases.WriteByte(Normalise(c));
            }
        }
        if (name is not null)
        {
            records.Add((name, bases.ToArray()));
        }
        return records;
    }

    static byte Normalise(char c) => c switch
    {
        'A' or 'C' or 'G' or 'T' or 'N' or 'a' or 'c' or 'g' or 't' or 'n' => (byte)c,
        >= 'a' and <= 'z' => (byte)'n',
        _ => (byte)'N',
    };
}
