using Genomics.Data.Datasets;
using Genomics.Data.Genome;

namespace Genomics.Data.Tests.Datasets;

/// <summary>
/// Real data for the interval tests: hg38 chr2:1-2,333,275 (soft-masked) decompressed here with a tiny
/// FASTA reader, the Enformer intervals that fall inside it, and an independent reference tokenization
/// (a switch, not <c>DnaTokenizer</c>) to check the dataset against.
/// </summary>
internal static class IntervalTestGenome
{
    public const long Chr2PieceLength = 2_333_275;

    static readonly Lazy<(string Name, byte[] Bases)> Chr2 = new(() =>
        ReadFastaGz(TestData.Shared("human/hg38_chr2_1-2333275.fa.gz")).Single());

    static readonly Lazy<GenomeInterval[]> Enformer = new(() =>
        File.ReadLines(TestData.Shared("enformer/sequences_human.bed"))
            .Select(line => line.Split('\t'))
            .Select(f => new GenomeInterval(f[0], long.Parse(f[1]), long.Parse(f[2]), f[3]))
            .ToArray());

    /// <summary>The chr2 piece as stored (mixed case), indexed by chr2 coordinate (the piece starts at 0).</summary>
    public static byte[] Chr2Text => Chr2.Value.Bases;

    /// <summary>A genome holding only the region <c>chr2:1-2333275</c>.</summary>
    public static InMemoryGenome Chr2Genome() => new("hg38_chr2_1-2333275.fa.gz", [Chr2.Value]);

    public static IReadOnlyList<GenomeInterval> AllEnformer => Enformer.Value;

    /// <summary>Enformer rows that lie inside the chr2 piece (34, all train).</summary>
    public static GenomeInterval[] EnformerInsideChr2 =>
        Enformer.Value.Where(iv => iv.Chrom == "chr2" && iv.End <= Chr2PieceLength).ToArray();

    /// <summary>Reference ids of chr2 bases [start, start + length); lower case is [UNK] when asked.</summary>
    public static int[] ExpectedIds(long start, int length, bool lowercaseIsUnknown = false) =>
        ExpectedIds(Chr2Text.AsSpan(checked((int)start), length), lowercaseIsUnknown);

    public static int[] ExpectedIds(ReadOnlySpan<byte> text, bool lowercaseIsUnknown = false)
    {
        var ids = new int[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            char c = (char)text[i];
            bool lower = char.IsLower(c);
            ids[i] = lower && lowercaseIsUnknown ? 6 : char.ToUpperInvariant(c) switch
            {
                'A' => 7,
                'C' => 8,
                'G' => 9,
                'T' => 10,
                'N' => 11,
                _ => 6,
            };
        }
        return ids;
    }

    /// <summary>Reference reverse complement of ids: reversed, A↔T (7↔10), C↔G (8↔9), others kept.</summary>
    public static int[] ReverseComplement(IEnumerable<int> ids) =>
        ids.Reverse().Select(id => id switch { 7 => 10, 10 => 7, 8 => 9, 9 => 8, _ => id }).ToArray();

    public static IEnumerable<(string Name, byte[] Bases)> ReadFastaGz(string path) => ReferenceGenomes.Records(path);
}
