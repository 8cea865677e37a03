using Genomics.Data.Bed;
using Genomics.Data.Datasets;
using Genomics.Data.Fasta;
using Genomics.Data.Parquet;
using Genomics.Data.Tokenization;
using static Genomics.Data.Tests.Datasets.IntervalTestGenome;

namespace Genomics.Data.Tests.Parquet;

public class ParquetIntervalExportTests
{
    const int Length = 1024;

    static string Chr2Path => TestData.Shared("human/hg38_chr2_1-2333275.fa.gz");

    // The real Enformer rows the chr2 piece holds, read the way the CLI reads them.
    static IReadOnlyList<GenomeInterval> Intervals(FastaGenome genome) =>
        GenomeInterval.FromBed(BedReader.Read(TestData.Shared("enformer/sequences_human.bed"), new BedReadOptions { Genome = genome, SkipMissing = true }).Intervals);

    static IntervalDatasetOptions Options => new() { Length = Length, Seed = 5 };

    [Fact]
    public async Task Exported_chr2_samples_read_back_equal_to_a_fresh_dataset_read_of_the_same_samples()
    {
        using var dir = TestData.NewTempDir();
        var reports = new List<long>();
        const int epoch = 2, count = 600;
        using (var genome = FastaGenome.Open(Chr2Path))
        {
            var exported = new IntervalDataset(genome, Intervals(genome), Options);
            var shards = await ParquetIntervalExport.ExportAsync(exported, epoch, count, dir.Path, samplesPerShard: 256, progress: new SyncProgress(reports));
            Assert.Equal(3, shards.Count);
        }
        Assert.Equal([256L, 512, 600], reports);

        using var fresh = FastaGenome.Open(Chr2Path);
        var dataset = new IntervalDataset(fresh, Intervals(fresh), Options);
        var reader = await ParquetShardReader.OpenAsync(dir.Path, sequenceLength: Length, lowercase: LowercasePolicy.Uppercase);
        Assert.True(reader.Metadata.NextTokenTargets);
        Assert.Equal(Length + 1, reader.Metadata.TokensPerRow);
        Assert.Equal(count, reader.Count);
        int[] order = dataset.Order(epoch);
        int[] inputs = new int[Length], targets = new int[Length], storedInputs = new int[Length], storedTargets = new int[Length];
        int row = 0, minus = 0;
        await foreach (var stored in reader.ReadAllAsync())
        {
            var sample = dataset.Read(order[row++], epoch, inputs, targets);
            Assert.Equal("hg38_chr2_1-2333275.fa.gz", stored.Source);
            Assert.Equal(sample.Chrom, stored.Chrom);
            Assert.Equal(sample.Start, stored.Start);
            Assert.Equal(sample.ReverseComplement ? "-" : "+", stored.Strand);
            Assert.Equal(Length, stored.Length);
            stored.CopyInputsTo(storedInputs);
            stored.CopyTargetsTo(storedTargets);
            Assert.Equal(inputs, storedInputs);
            Assert.Equal(targets, storedTargets);
            minus += stored.Strand == "-" ? 1 : 0;
        }
        Assert.Equal(count, row);
        // Train samples are reverse-complemented half the time; both strands must have made it into the rows.
        Assert.InRange(minus, count / 4, 3 * count / 4);
    }

    [Fact]
    public async Task Each_row_holds_the_L_plus_1_bases_its_coordinates_name_tokenized_independently()
    {
        using var dir = TestData.NewTempDir();
        using var genome = FastaGenome.Open(Chr2Path);
        var dataset = new IntervalDataset(genome, Intervals(genome), Options);
        await ParquetIntervalExport.ExportAsync(dataset, epoch: 0, count: 200, dir.Path);
        var reader = await ParquetShardReader.OpenAsync(dir.Path);
        await foreach (var stored in reader.ReadAllAsync())
        {
            Assert.Equal("chr2", stored.Chrom);
            int[] forward = ExpectedIds(stored.Start, Length + 1);
            int[] expected = stored.Strand == "-" ? ReverseComplement(forward) : forward;
            var tokens = new int[Length + 1];
            stored.CopyTokensTo(tokens);
            Assert.Equal(expected, tokens);
        }
    }

    [Fact]
    public async Task Without_a_count_the_whole_epoch_is_written_and_hyena_rows_end_in_sep()
    {
        using var dir = TestData.NewTempDir();
        using var genome = FastaGenome.Open(Chr2Path);
        // Two hand-made intervals: one at the start of the piece, which HyenaDNA semantics pad, one inside.
        GenomeInterval[] intervals = [new("chr2", 100, 400, "train"), new("chr2", 1_000_000, 1_000_300, "train")];
        var dataset = new IntervalDataset(genome, intervals, Options with { Semantics = IntervalDatasetSemantics.HyenaDna });
        await ParquetIntervalExport.ExportAsync(dataset, epoch: 0, count: null, dir.Path);
        var reader = await ParquetShardReader.OpenAsync(dir.Path, sequenceLength: Length);
        Assert.Equal(dataset.Count, reader.Count);
        await foreach (var stored in reader.ReadAllAsync())
        {
            Assert.Equal(DnaTokenizer.Sep, stored.Tokens[^1]);
        }
    }

    [Fact]
    public async Task A_count_beyond_the_epoch_is_refused_before_any_shard_is_written()
    {
        using var dir = TestData.NewTempDir();
        using var genome = FastaGenome.Open(Chr2Path);
        var dataset = new IntervalDataset(genome, Intervals(genome), Options with { Length = 1 << 17 });
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ParquetIntervalExport.ExportAsync(dataset, 0, dataset.Count + 1, dir.Path));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public async Task A_next_token_shard_refuses_rows_of_L_tokens_and_species_rows_have_no_targets()
    {
        using var dir = TestData.NewTempDir();
        await using var writer = new ParquetShardWriter(dir.Path, new ParquetShardMetadata { SequenceLength = 4, NextTokenTargets = true });
        var row = new ParquetSample { Chrom = "chr2", Length = 4, Tokens = [7, 8, 9, 10] };
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteAsync(row).AsTask());
        Assert.Contains("the shards hold 5 tokens of length 4", ex.Message);
        Assert.Throws<InvalidOperationException>(() => row.CopyTargetsTo(new int[4]));
    }

    sealed class SyncProgress(List<long> reports) : IProgress<long>
    {
        public void Report(long value) => reports.Add(value);
    }
}
