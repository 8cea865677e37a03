using System.Text;
using Genomics.Data.Fasta;

namespace Genomics.Data.Tests.Fasta;

/// <summary>Fetching from plain FASTA by line arithmetic equals reading the whole text, from any thread.</summary>
public class RandomAccessTests
{
    static readonly Lazy<ReferenceFasta.Record> Chr2 = new(() => ReferenceFasta.ParseFile(TestData.Shared("human/hg38_chr2_1-2333275.fa.gz"))[0]);

    /// <summary>Windows of every kind: empty, single bases, within a line, across lines, long, at the ends.</summary>
    static IEnumerable<(long Start, int Length)> Windows(Random rng, long recordLength, int count)
    {
        yield return (0, (int)Math.Min(recordLength, 100));
        yield return (recordLength - 1, 1);
        yield return (recordLength, 0);
        for (int i = 0; i < count; i++)
        {
            int length = rng.Next(4) switch
            {
                0 => rng.Next(0, 3),
                1 => rng.Next(1, 200),
                2 => rng.Next(200, 5000),
                _ => rng.Next(5000, 300_000),
            };
            length = (int)Math.Min(length, recordLength);
            long start = rng.Next(8) == 0 ? recordLength - length : rng.NextInt64(recordLength - length + 1);
            yield return (start, length);
        }
    }

    static void AssertWindows(FastaGenome genome, ReferenceFasta.Record expected, int seed, int count)
    {
        string masked = ReferenceFasta.Serve(expected.Bases, keepSoftMask: true);
        byte[] maskedBytes = Encoding.ASCII.GetBytes(masked), upperBytes = Encoding.ASCII.GetBytes(masked.ToUpperInvariant());
        var rng = new Random(seed);
        var buffer = new byte[300_000];
        foreach (var (start, length) in Windows(rng, expected.Bases.Length, count))
        {
            bool keep = rng.Next(2) == 0;
            genome.FetchRecord(0, start, buffer.AsSpan(0, length), keep);
            if (!buffer.AsSpan(0, length).SequenceEqual((keep ? maskedBytes : upperBytes).AsSpan((int)start, length)))
            {
                Assert.Fail($"{genome.Path}: window {start}+{length} (mask kept: {keep}) differs");
            }
        }
    }

    [Theory]
    [InlineData(61, "\n", false)]
    [InlineData(61, "\n", true)]
    [InlineData(1, "\n", false)]
    [InlineData(59, "\r\n", true)]
    [InlineData(1000, "\r\n", false)]
    public void Random_windows_from_plain_fasta_equal_the_decompressed_content(int width, string newline, bool withIndexFile)
    {
        using var dir = TestData.NewTempDir();
        string path = FastaFiles.WriteText(dir, "chr2.fa", ReferenceFasta.Wrap([Chr2.Value], width, newline));
        if (withIndexFile)
        {
            FaiIndex.Write(path + ".fai", FaiIndex.Build(path));
        }
        using var genome = FastaGenome.Open(path);
        Assert.False(genome.IsCompressed);
        // One base per line makes every window thousands of line breaks: fewer windows there.
        AssertWindows(genome, Chr2.Value, seed: width, count: width == 1 ? 150 : 1500);
    }

    [Fact]
    public void Chromosome_on_one_line_longer_than_a_read_block_is_served()
    {
        var ecoli = ReferenceFasta.ParseFile(TestData.Shared("genomes/Escherichia_coli_K-12_MG1655.fa.gz"))[0];
        using var dir = TestData.NewTempDir();
        string path = FastaFiles.WriteText(dir, "ecoli.fa", ReferenceFasta.Wrap([ecoli], ecoli.Bases.Length));
        using var genome = FastaGenome.Open(path);
        Assert.Equal(ecoli.Bases.Length, genome.Index![0].LineBases);
        Assert.Equal(ecoli.Bases, FastaFiles.FetchAll(genome, 0));
        AssertWindows(genome, ecoli, seed: 7, count: 300);
    }

    [Fact]
    public void Concurrent_fetches_from_several_threads_give_the_same_bytes()
    {
        using var dir = TestData.NewTempDir();
        string path = FastaFiles.WriteText(dir, "chr2.fa", ReferenceFasta.Wrap([Chr2.Value], 67));
        FaiIndex.Write(path + ".fai", FaiIndex.Build(path));
        using var genome = FastaGenome.Open(path);
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, thread => AssertWindows(genome, Chr2.Value, seed: 100 + thread, count: 300));
    }

    [Fact]
    public void Plain_and_compressed_copies_of_a_multi_record_file_serve_the_same_bases()
    {
        // The human ape file as published (uneven last lines per record) decompressed to plain text.
        string gz = TestData.Shared("apes/chr22-epo/human.fa.gz");
        using var dir = TestData.NewTempDir();
        string plain = dir.File("human.fa");
        File.WriteAllBytes(plain, ReferenceFasta.ReadMaybeGzip(gz));
        using var fromPlain = FastaGenome.Open(plain);
        using var fromGz = FastaGenome.Open(gz);
        Assert.Equal(fromGz.Records, fromPlain.Records);
        var rng = new Random(22);
        for (int i = 0; i < 2000; i++)
        {
            int r = rng.Next(fromGz.Records.Count);
            long length = fromGz.Records[r].Length;
            int n = (int)Math.Min(length, rng.Next(1, 3000));
            long start = rng.NextInt64(length - n + 1);
            var a = new byte[n];
            var b = new byte[n];
            fromPlain.FetchRecord(r, start, a, keepSoftMask: true);
            fromGz.FetchRecord(r, start, b, keepSoftMask: true);
            Assert.True(a.AsSpan().SequenceEqual(b), $"record {r} window {start}+{n}");
        }
    }
}
