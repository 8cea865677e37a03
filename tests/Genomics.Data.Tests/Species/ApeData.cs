using System.IO.Compression;
using System.Text;

namespace Genomics.Data.Tests.Species;

/// <summary>The ape chr22 EPO files: 4 species, 6,258 orthologous blocks each, in chromosome order.</summary>
internal static class ApeData
{
    public static readonly string[] Species = ["chimpanzee", "gorilla", "human", "orangutan"];

    public static string Directory => TestData.Shared("apes/chr22-epo");

    public static string File(string species) => TestData.Shared($"apes/chr22-epo/{species}.fa.gz");

    /// <summary>
    /// Block lengths as the headers state them (">Hsap.22:17443628+4489(+) … block=1": 4489 bases), read
    /// without parsing any sequence: an independent count to check the concatenation against.
    /// </summary>
    public static IReadOnlyList<(int Block, long Length)> HeaderBlocks(string species)
    {
        using var gz = new GZipStream(System.IO.File.OpenRead(File(species)), CompressionMode.Decompress);
        using var reader = new StreamReader(gz, Encoding.ASCII);
        var blocks = new List<(int, long)>();
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            if (line.StartsWith('>'))
            {
                string first = line.Split(' ')[0];
                string length = first[(first.IndexOf('+', first.LastIndexOf(':')) + 1)..first.LastIndexOf('(')];
                string block = line.Split(' ').Single(w => w.StartsWith("block=", StringComparison.Ordinal))["block=".Length..];
                blocks.Add((int.Parse(block), long.Parse(length)));
            }
        }
        return blocks;
    }

    /// <summary>All bases of a species in file order as one array: the concatenation, computed without ConcatenatedGenome.</summary>
    public static byte[] JoinedBases(string species) => Joined.GetOrAdd(species, s => new Lazy<byte[]>(() => Join(s))).Value;

    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<byte[]>> Joined = new();

    static byte[] Join(string species)
    {
        var records = TestFasta.Records(File(species));
        var joined = new byte[records.Sum(r => (long)r.Bases.Length)];
        long at = 0;
        foreach (var (_, bases) in records)
        {
            bases.CopyTo(joined, at);
            at += bases.Length;
        }
        return joined;
    }
}
