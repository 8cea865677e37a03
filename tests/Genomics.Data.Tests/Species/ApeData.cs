using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using Genomics.Data.Genome;

namespace Genomics.Data.Tests.Species;

/// <summary>
/// The ape chr22 EPO files: 4 species, orthologous blocks in chromosome order. The shared set holds blocks
/// 1–6,258 (~15 Mb per species); the repo's embedded data/apes holds blocks 1–600 (~1.3 Mb), the default
/// data that needs no ../shared checkout.
/// </summary>
internal static class ApeData
{
    public static readonly string[] Species = ["chimpanzee", "gorilla", "human", "orangutan"];

    public const int SharedBlocks = 6258, EmbeddedBlocks = 600;

    public static string Directory => TestData.Shared("apes/chr22-epo");

    public static string File(string species) => TestData.Shared($"apes/chr22-epo/{species}.fa.gz");

    public static string EmbeddedDirectory => TestData.Embedded("apes");

    public static string EmbeddedFile(string species) => TestData.Embedded($"apes/{species}.fa.gz");

    /// <summary>
    /// Block lengths as the headers state them (">Hsap.22:17443628+4489(+) … block=1": 4489 bases), read
    /// without parsing any sequence: an independent count to check the concatenation against.
    /// </summary>
    public static IReadOnlyList<(int Block, long Length)> HeaderBlocks(string path)
    {
        using var gz = new GZipStream(System.IO.File.OpenRead(path), CompressionMode.Decompress);
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

    /// <summary>
    /// All bases of a genome file in file order as one array, soft mask kept: the concatenation computed
    /// here, record by record through the real reader, without ConcatenatedGenome or SpeciesDataset.
    /// </summary>
    public static byte[] JoinedBases(string path) => Joined.GetOrAdd(Path.GetFullPath(path), p => new Lazy<byte[]>(() => Join(p))).Value;

    static readonly ConcurrentDictionary<string, Lazy<byte[]>> Joined = new();

    static byte[] Join(string path)
    {
        using var genome = GenomeFile.Open(path, allowDuplicateNames: true);
        var joined = new byte[genome.Records.Sum(r => r.Length)];
        long at = 0;
        for (int r = 0; r < genome.Records.Count; r++)
        {
            int length = checked((int)genome.Records[r].Length);
            genome.FetchRecord(r, 0, joined.AsSpan(checked((int)at), length), keepSoftMask: true);
            at += length;
        }
        return joined;
    }
}
