using System.Diagnostics;
using System.Text;
using Genomics.Data.Fasta;
using Genomics.Data.Genome;
using Xunit.Abstractions;

namespace Genomics.Data.Tests.Fasta;

/// <summary>The real genomes in ../shared/data, checked against independent reads of the same files.</summary>
public class RealDataTests(Chr20Fixture chr20, ITestOutputHelper output) : IClassFixture<Chr20Fixture>
{
    [Fact]
    public void Chr20_has_its_published_length_and_independently_counted_composition()
    {
        output.WriteLine($"FastaGenome.Open(GRCh37_chr20.fa.gz): {chr20.OpenSeconds:F2} s");
        var genome = chr20.Genome;
        Assert.Equal("20", Assert.Single(genome.Records).Name);
        Assert.Equal(63_025_520, genome.Records[0].Length);
        Assert.Equal(63_025_520, genome.Chromosomes.WholeLength("chr20"));

        // Count every byte of the decompressed text after the header line.
        var histogram = new long[256];
        byte[] text = chr20.Text;
        for (int i = Array.IndexOf(text, (byte)'\n') + 1; i < text.Length; i++)
        {
            histogram[text[i]]++;
        }
        long Count(char c) => histogram[c] + histogram[char.ToLowerInvariant(c)];
        var clock = Stopwatch.StartNew();
        RecordStats stats = Assert.Single(GenomeStats.Compute(genome));
        output.WriteLine($"GenomeStats.Compute(chr20): {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(Count('A'), stats.A);
        Assert.Equal(Count('C'), stats.C);
        Assert.Equal(Count('G'), stats.G);
        Assert.Equal(Count('T'), stats.T);
        Assert.Equal(Count('N'), stats.N);
        Assert.Equal(0, stats.OtherIupac);
        Assert.Equal("acgtn".Sum(c => histogram[c]), stats.SoftMasked);
        Assert.Equal((double)(Count('G') + Count('C')) / (Count('A') + Count('C') + Count('G') + Count('T')), stats.GcFraction, 12);
        output.WriteLine($"chr20: N {stats.N:N0} ({stats.NFraction:P2}), GC {stats.GcFraction:P3}");
        Assert.InRange(stats.N, 3_400_000, 3_600_000); // SOURCES.md: 3.52 Mb of N
    }

    [Fact]
    public void Chr20_random_access_from_plain_fasta_matches_memory_and_is_timed()
    {
        // Write chr20 as plain FASTA at an odd width, index it, fetch random 1 kb windows.
        byte[] bases = chr20.Bases();
        using var dir = TestData.NewTempDir();
        string path = dir.File("chr20.fa");
        using (var file = File.Create(path))
        {
            file.Write(">20\n"u8);
            for (int i = 0; i < bases.Length; i += 61)
            {
                file.Write(bases, i, Math.Min(61, bases.Length - i));
                file.WriteByte((byte)'\n');
            }
        }
        var clock = Stopwatch.StartNew();
        FaiIndex.Write(path + ".fai", FaiIndex.Build(path));
        output.WriteLine($"FaiIndex.Build(chr20 plain): {clock.Elapsed.TotalSeconds:F2} s");
        clock.Restart();
        using var genome = FastaGenome.Open(path);
        output.WriteLine($"FastaGenome.Open(chr20 plain + .fai): {clock.Elapsed.TotalMilliseconds:F1} ms");

        var rng = new Random(20);
        var buffer = new byte[1000];
        const int windows = 20_000;
        clock.Restart();
        for (int i = 0; i < windows; i++)
        {
            long start = rng.NextInt64(bases.Length - buffer.Length);
            genome.FetchRecord(0, start, buffer);
            if (!buffer.AsSpan().SequenceEqual(bases.AsSpan((int)start, buffer.Length)))
            {
                Assert.Fail($"window {start} differs");
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        output.WriteLine($"random 1 kb windows from plain chr20: {windows / seconds:N0}/s ({windows * 1000.0 / seconds / 1e6:F0} MB/s), compare included");

        clock.Restart();
        var whole = new byte[bases.Length];
        genome.FetchRecord(0, 0, whole);
        output.WriteLine($"whole chr20 from plain: {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(whole.AsSpan().SequenceEqual(bases));
    }

    [Fact]
    public void Soft_masked_chr2_region_is_served_in_chromosome_coordinates()
    {
        string path = TestData.Shared("human/hg38_chr2_1-2333275.fa.gz");
        var expected = ReferenceFasta.ParseFile(path)[0];
        using var genome = FastaGenome.Open(path);
        SequenceRecord record = Assert.Single(genome.Records);
        Assert.Equal("chr2:1-2333275", record.Name);
        Assert.Equal(2_333_275, record.Length);
        Assert.True(record.IsRegion);
        Assert.Equal(("chr2", 0L), (record.Chrom, record.ChromStart));
        Assert.Null(genome.Chromosomes.WholeLength("chr2"));

        // The first 10 kb are N; the text says so independently.
        Assert.Equal(new string('N', 10_000), expected.Bases[..10_000]);
        Assert.Equal(new string('N', 10_000), Encoding.ASCII.GetString(genome.Fetch("chr2", 0, 10_000)));
        Assert.NotEqual('N', expected.Bases[10_000]);

        var rng = new Random(2);
        for (int i = 0; i < 500; i++)
        {
            int length = rng.Next(1, 20_000);
            long start = rng.NextInt64(2_333_275 - length + 1);
            string want = expected.Bases.Substring((int)start, length);
            Assert.Equal(want, Encoding.ASCII.GetString(genome.Fetch("chr2", start, length, keepSoftMask: true)));
            Assert.Equal(want.ToUpperInvariant(), Encoding.ASCII.GetString(genome.Fetch("2", start, length)));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => genome.Fetch("chr2", 2_333_270, 10));

        var stats = GenomeStats.Compute(genome)[0];
        Assert.Equal(expected.Bases.Count(char.IsLower), stats.SoftMasked);
        Assert.InRange(stats.SoftMaskedFraction, 0.2, 0.8);
    }

    [Theory]
    [InlineData("human", 6258)]
    [InlineData("chimpanzee", 6258)]
    [InlineData("gorilla", 6258)]
    [InlineData("orangutan", 3698)]
    public void Ape_chr22_blocks_are_6258_records_in_block_order(string species, int distinctNames)
    {
        // Record names are the first header word, e.g. 'Hsap.22:17443628+4489(+)'. The orangutan file
        // repeats 1,449 of them ('Ppyg.Un:0+811(+)': its coordinates were lost upstream), so it opens
        // only with duplicates allowed; blocks are read by position anyway.
        string path = TestData.Shared($"apes/chr22-epo/{species}.fa.gz");
        var expected = ReferenceFasta.ParseFile(path);
        Assert.Equal(distinctNames, expected.Select(r => r.Name).Distinct().Count());
        if (distinctNames < expected.Count)
        {
            Assert.Contains("duplicate record name", Assert.Throws<DataFormatException>(() => FastaGenome.Open(path)).Problem);
        }
        using var genome = FastaGenome.Open(path, allowDuplicateNames: distinctNames < expected.Count);
        Assert.Equal(6258, genome.Records.Count);
        Assert.Equal(expected.Select(r => r.Name), genome.Records.Select(r => r.Name));
        Assert.Equal(expected.Select(r => (long)r.Bases.Length), genome.Records.Select(r => r.Length));
        for (int k = 0; k < expected.Count; k++)
        {
            Assert.EndsWith($" block={k + 1}", expected[k].Header);
        }
        for (int k = 0; k < expected.Count; k += 97)
        {
            Assert.Equal(expected[k].Bases, FastaFiles.FetchAll(genome, k, keepSoftMask: true));
        }
        Assert.Equal(expected[^1].Bases, FastaFiles.FetchAll(genome, 6257, keepSoftMask: true));
        Assert.InRange(genome.Records.Sum(r => r.Length), 14_000_000, 16_000_000);
    }

    [Fact]
    public void Ape_chr22_plain_index_matches_samtools_or_an_independent_layout()
    {
        using var dir = TestData.NewTempDir();
        string plain = dir.File("gorilla.fa");
        byte[] text = ReferenceFasta.ReadMaybeGzip(TestData.Shared("apes/chr22-epo/gorilla.fa.gz"));
        File.WriteAllBytes(plain, text);
        string ours = dir.File("ours.fai");
        FaiIndex.Write(ours, FaiIndex.Build(plain));
        string? samtools = FastaFiles.OnPath("samtools");
        if (samtools is not null)
        {
            FastaFiles.Run(samtools, "faidx", plain);
            Assert.Equal(File.ReadAllBytes(plain + ".fai"), File.ReadAllBytes(ours));
            return;
        }
        // Without samtools: offsets and line layout measured directly on the text.
        var lines = new StringBuilder();
        string s = Encoding.Latin1.GetString(text);
        for (int h = s.IndexOf('>'); h >= 0; h = s.IndexOf("\n>", h, StringComparison.Ordinal) is int n and >= 0 ? n + 1 : -1)
        {
            int offset = s.IndexOf('\n', h) + 1;
            int end = s.IndexOf("\n>", offset, StringComparison.Ordinal) is int e and >= 0 ? e + 1 : s.Length;
            string body = s[offset..end];
            int first = body.IndexOf('\n');
            string name = s[(h + 1)..(offset - 1)].Split(' ')[0];
            lines.Append($"{name}\t{body.Count(c => c != '\n')}\t{offset}\t{first}\t{first + 1}\n");
        }
        Assert.Equal(lines.ToString(), File.ReadAllText(ours));
    }

    [Theory]
    [InlineData("minimap2_MT-human.fa", 1, 16_569)]
    [InlineData("minimap2_MT-orang.fa", 1, 16_499)]
    [InlineData("paml_mtCDNApri_7hominoids_12mtgenes_aligned.fa", 7, 9_993)]
    [InlineData("paml_mtCDNAape_human_chimp_gorilla_aligned.fa", 6, 10_707)]
    public void Mitochondrial_files_read_as_published(string file, int records, int length)
    {
        string path = TestData.Shared("apes/mtdna/" + file);
        var expected = ReferenceFasta.ParseFile(path);
        using var genome = FastaGenome.Open(path);
        Assert.Equal(records, genome.Records.Count);
        Assert.All(genome.Records, r => Assert.Equal(length, r.Length));
        for (int i = 0; i < records; i++)
        {
            Assert.Equal(expected[i].Name, genome.Records[i].Name);
            Assert.Equal(expected[i].Bases, FastaFiles.FetchAll(genome, i, keepSoftMask: true));
        }
    }
}
