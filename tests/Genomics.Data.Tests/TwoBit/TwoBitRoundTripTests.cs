using Genomics.Data.Genome;
using Genomics.Data.TwoBit;

namespace Genomics.Data.Tests.TwoBit;

/// <summary>Real FASTA → .2bit → bases identical in sequence and soft mask.</summary>
public sealed class TwoBitRoundTripTests
{
    [Theory]
    [InlineData("human/hg38_chr2_1-2333275.fa.gz")]
    [InlineData("human/hg38_biopython_blat_regions.fa")]
    [InlineData("apes/chr22-epo/gorilla.fa.gz")]
    [InlineData("human/GRCh37_chr20.fa.gz")]
    public void Real_genome_round_trips_byte_identical_with_its_soft_mask(string file)
    {
        var source = ReferenceGenomes.Load(TestData.Shared(file));
        using var dir = TestData.NewTempDir();
        string path = dir.File("genome.2bit");

        TwoBitWriter.Write(source, path);
        using var genome = TwoBitGenome.Open(path);

        GenomeAssert.Identical(source, genome);
    }

    [Fact]
    public void Ape_file_keeps_all_6258_blocks_and_their_lower_case_n()
    {
        var source = ReferenceGenomes.Load(TestData.Shared("apes/chr22-epo/gorilla.fa.gz"));
        using var dir = TestData.NewTempDir();
        string path = dir.File("gorilla.2bit");

        TwoBitWriter.Write(source, path);
        using var genome = TwoBitGenome.Open(path);

        Assert.Equal(6258, genome.Records.Count);
        // The gorilla file has soft-masked N ('n'): stored as an N block under a mask block, it must come back as 'n'.
        long lowerN = 0;
        for (int i = 0; i < genome.Records.Count; i++)
        {
            var bases = new byte[genome.Records[i].Length];
            genome.FetchRecord(i, 0, bases, keepSoftMask: true);
            lowerN += bases.AsSpan().Count((byte)'n');
        }
        Assert.Equal(7440, lowerN);
    }

    [Fact]
    public void Region_record_name_survives_and_still_serves_chr2_coordinates()
    {
        var source = ReferenceGenomes.Load(TestData.Shared("human/hg38_chr2_1-2333275.fa.gz"));
        using var dir = TestData.NewTempDir();
        string path = dir.File("chr2.2bit");

        TwoBitWriter.Write(source, path);
        using var genome = TwoBitGenome.Open(path);

        var record = Assert.Single(genome.Records);
        Assert.Equal("chr2:1-2333275", record.Name);
        Assert.Equal("chr2", record.Chrom);
        Assert.Equal(0, record.ChromStart);
        Assert.Equal(2_333_275, record.Length);
        Assert.Equal(source.Fetch("chr2", 1_234_567, 5000, keepSoftMask: true), genome.Fetch("chr2", 1_234_567, 5000, keepSoftMask: true));
        Assert.Equal(LocateStatus.OutsideCoverage, genome.Chromosomes.Locate("chr2", 2_333_000, 2_334_000).Status);
    }

    [Fact]
    public void Soft_masked_piece_stores_its_leading_10_kb_of_N_as_one_block_and_its_repeats_as_mask_blocks()
    {
        var source = ReferenceGenomes.Load(TestData.Shared("human/hg38_chr2_1-2333275.fa.gz"));
        using var dir = TestData.NewTempDir();
        string path = dir.File("chr2.2bit");

        TwoBitWriter.Write(source, path);
        using var genome = TwoBitGenome.Open(path);

        var n = genome.NBlocks(0);
        Assert.Equal(1, n.Count);
        Assert.Equal((0u, 10_000u), n[0]);
        // Independent count of lower-case runs in the source.
        var bases = new byte[source.Records[0].Length];
        source.FetchRecord(0, 0, bases, keepSoftMask: true);
        int runs = 0;
        for (int i = 0; i < bases.Length; i++)
        {
            bool lower = bases[i] >= 'a';
            if (lower && (i == 0 || bases[i - 1] < 'a'))
            {
                runs++;
            }
        }
        Assert.True(runs > 1000, $"expected a soft-masked file, found {runs} lower-case runs");
        Assert.Equal(runs, genome.MaskBlocks(0).Count);
    }

    [Fact]
    public void Wide_version_1_file_is_written_when_offsets_pass_the_limit_and_reads_back_identical()
    {
        var source = ReferenceGenomes.Load(TestData.Shared("apes/chr22-epo/gorilla.fa.gz"));
        using var dir = TestData.NewTempDir();
        string upfront = dir.File("upfront.2bit");
        string redone = dir.File("redone.2bit");

        // Limit 0: known to overflow before writing. Limit 20,000: the estimate (which ignores block lists)
        // still fits, so the overflow is only found while writing and the file is redone wide.
        TwoBitWriter.Write(source, upfront, null, maxNarrowOffset: 0);
        TwoBitWriter.Write(source, redone, null, maxNarrowOffset: 20_000);

        foreach (string path in new[] { upfront, redone })
        {
            using var genome = TwoBitGenome.Open(path);
            Assert.Equal(1, genome.Version);
            GenomeAssert.Identical(source, genome);
        }
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void Writer_reports_progress_up_to_the_total_number_of_bases()
    {
        var source = ReferenceGenomes.Load(TestData.Shared("human/hg38_biopython_blat_regions.fa"));
        using var dir = TestData.NewTempDir();
        var reports = new List<TwoBitWriteProgress>();

        TwoBitWriter.Write(source, dir.File("x.2bit"), new SyncProgress<TwoBitWriteProgress>(reports.Add));

        // 55,989 + 5,685 bases (the record names are 0-based half-open ranges, one longer than the records).
        Assert.NotEmpty(reports);
        Assert.Equal(61_674, reports[^1].BasesTotal);
        Assert.Equal(61_674, reports[^1].BasesDone);
        Assert.Equal(source.Records.Select(r => r.Name), reports.Select(r => r.Record).Distinct());
    }
}
