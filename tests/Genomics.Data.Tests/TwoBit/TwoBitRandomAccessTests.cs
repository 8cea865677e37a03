using Genomics.Data.Genome;
using Genomics.Data.TwoBit;

namespace Genomics.Data.Tests.TwoBit;

/// <summary>Random windows, including ones that start or end mid-byte and cross N and mask block edges, match the source.</summary>
public sealed class TwoBitRandomAccessTests
{
    [Theory]
    [InlineData("human/hg38_chr2_1-2333275.fa.gz", 600)]
    [InlineData("apes/chr22-epo/gorilla.fa.gz", 2000)]
    [InlineData("human/GRCh37_chr20.fa.gz", 120)]
    public void Random_windows_match_the_source_with_and_without_the_mask(string file, int windows)
    {
        var source = ReferenceGenomes.Load(TestData.Shared(file));
        using var dir = TestData.NewTempDir();
        string path = dir.File("g.2bit");
        TwoBitWriter.Write(source, path);
        using var genome = TwoBitGenome.Open(path);
        var random = new Random(20240601);

        for (int w = 0; w < windows; w++)
        {
            int record = random.Next(source.Records.Count);
            long length = source.Records[record].Length;
            int size = (int)Math.Min(length, w % 3 == 0 ? random.Next(0, 9) : random.Next(0, 1 << 20));
            long offset = random.NextInt64(0, length - size + 1);
            bool mask = w % 2 == 0;
            var expected = new byte[size];
            var actual = new byte[size];
            source.FetchRecord(record, offset, expected, mask);
            genome.FetchRecord(record, offset, actual, mask);
            GenomeAssert.SameBytes(expected, actual, $"{source.Records[record].Name}:{offset}+{size} (mask {mask})");
        }
    }

    [Fact]
    public void Windows_around_the_edge_of_the_leading_N_block_match_the_source()
    {
        var source = ReferenceGenomes.Load(TestData.Shared("human/hg38_chr2_1-2333275.fa.gz"));
        using var dir = TestData.NewTempDir();
        string path = dir.File("chr2.2bit");
        TwoBitWriter.Write(source, path);
        using var genome = TwoBitGenome.Open(path);

        for (long offset = 9_990; offset < 10_010; offset++)
        {
            var expected = source.Fetch("chr2", offset, 13, keepSoftMask: true);
            Assert.Equal(expected, genome.Fetch("chr2", offset, 13, keepSoftMask: true));
        }
        Assert.Equal("NNNN"u8.ToArray(), genome.Fetch("chr2", 9_996, 4));
        Assert.DoesNotContain((byte)'N', genome.Fetch("chr2", 10_000, 100));
    }

    [Fact]
    public void Concurrent_fetches_from_several_threads_return_the_same_bases_as_the_source()
    {
        var source = ReferenceGenomes.Load(TestData.Shared("apes/chr22-epo/gorilla.fa.gz"));
        using var dir = TestData.NewTempDir();
        string path = dir.File("gorilla.2bit");
        TwoBitWriter.Write(source, path);
        // A fresh genome so that threads race to parse the block lists too.
        using var genome = TwoBitGenome.Open(path);

        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            var random = new Random(t);
            for (int w = 0; w < 3000; w++)
            {
                int record = random.Next(source.Records.Count);
                long length = source.Records[record].Length;
                int size = (int)Math.Min(length, random.Next(1, 5000));
                long offset = random.NextInt64(0, length - size + 1);
                var expected = new byte[size];
                var actual = new byte[size];
                source.FetchRecord(record, offset, expected, keepSoftMask: true);
                genome.FetchRecord(record, offset, actual, keepSoftMask: true);
                if (!expected.AsSpan().SequenceEqual(actual))
                {
                    failures.Add($"{source.Records[record].Name}:{offset}+{size}");
                }
            }
        });

        Assert.Empty(failures);
    }
}
