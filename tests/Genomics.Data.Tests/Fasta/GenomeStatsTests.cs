using System.Text;
using Genomics.Data.Fasta;
using Genomics.Data.Genome;

namespace Genomics.Data.Tests.Fasta;

public class GenomeStatsTests
{
    [Fact]
    public void Simd_count_agrees_with_the_scalar_reference()
    {
        var rng = new Random(1);
        byte[] letters = "ACGTNacgtn"u8.ToArray();
        foreach (int length in new[] { 0, 1, 31, 32, 33, 255 * 32, 255 * 32 + 1, 100_000, 1_000_003 })
        {
            byte[] bases = Enumerable.Range(0, length).Select(_ => letters[rng.Next(letters.Length)]).ToArray();
            var fast = new GenomeStats.BaseCounts();
            var reference = new GenomeStats.BaseCounts();
            GenomeStats.Count(bases, ref fast);
            GenomeStats.CountScalar(bases, ref reference);
            Assert.Equal(reference, fast);
        }
    }

    [Fact]
    public void Stats_follow_their_definitions_on_a_small_genome()
    {
        using var genome = InMemoryGenome.FromStrings("mem", ("a", "ACGTacgtNNGG"), ("b", "NNnn"));
        var stats = GenomeStats.Compute(genome);
        Assert.Equal(new RecordStats("a", 12, 2, 2, 4, 2, 2, 0, 4), stats[0]);
        Assert.Equal(6.0 / 10, stats[0].GcFraction, 12);
        Assert.Equal(2.0 / 12, stats[0].NFraction, 12);
        Assert.Equal(4.0 / 12, stats[0].SoftMaskedFraction, 12);
        Assert.Equal(new RecordStats("b", 4, 0, 0, 0, 0, 4, 0, 2), stats[1]);
        Assert.True(double.IsNaN(stats[1].GcFraction));
    }

    [Fact]
    public void Ambiguity_codes_are_counted_apart_from_N_however_the_file_is_read()
    {
        // Real mtDNA with ambiguity codes written over known positions.
        string mt = ReferenceFasta.ParseFile(TestData.Shared("apes/mtdna/minimap2_MT-human.fa"))[0].Bases;
        char[] bases = mt.ToCharArray();
        string codes = "RYKMSWBDHVrykmswbdhv";
        for (int i = 0; i < 200; i++)
        {
            bases[i * 80 + 3] = codes[i % codes.Length];
        }
        for (int i = 5000; i < 6000; i++)
        {
            bases[i] = char.ToLowerInvariant(bases[i]);
        }
        string text = ReferenceFasta.Wrap([new ReferenceFasta.Record("mt", "mt", new string(bases))], 60);
        using var dir = TestData.NewTempDir();
        string plain = FastaFiles.WriteText(dir, "mt.fa", text);
        string indexed = FastaFiles.WriteText(dir, "indexed.fa", text);
        FaiIndex.Write(indexed + ".fai", FaiIndex.Build(indexed));
        string gz = FastaFiles.WriteGzipMembers(dir, "mt.fa.gz", Encoding.ASCII.GetBytes(text));

        // Expected, counted on the characters directly.
        string s = new(bases);
        long Count(char c) => s.Count(x => char.ToUpperInvariant(x) == c);
        var expected = new RecordStats("mt", s.Length, Count('A'), Count('C'), Count('G'), Count('T'), Count('N'), s.Count(codes.Contains), s.Count(char.IsLower));
        foreach (string path in new[] { plain, indexed, gz })
        {
            using var genome = FastaGenome.Open(path);
            Assert.Equal(expected, GenomeStats.Compute(genome)[0]);
        }
        Assert.Equal(200, expected.OtherIupac);
        Assert.Equal(expected.Length, expected.A + expected.C + expected.G + expected.T + expected.N + expected.OtherIupac);
    }

    [Fact]
    public void Stats_of_an_ape_genome_add_up_over_thousands_of_records()
    {
        string path = TestData.Shared("apes/chr22-epo/gorilla.fa.gz");
        using var genome = FastaGenome.Open(path);
        var stats = GenomeStats.Compute(genome);
        Assert.Equal(genome.Records.Select(r => r.Name), stats.Select(s => s.Name));
        string all = string.Concat(ReferenceFasta.ParseFile(path).Select(r => r.Bases));
        Assert.Equal(all.Count(c => c is 'G' or 'g'), stats.Sum(s => s.G));
        Assert.Equal(all.Count(char.IsLower), stats.Sum(s => s.SoftMasked));
        Assert.All(stats, s => Assert.Equal(s.Length, s.A + s.C + s.G + s.T + s.N + s.OtherIupac));
    }
}
