using Genomics.Data.Datasets;
using Genomics.Data.Parquet;
using Genomics.Data.Tests.Species;

namespace Genomics.Data.Tests.Parquet;

public class ParquetSpeciesExportTests
{
    const int Length = 1 << 14;

    static SpeciesDataset Apes(bool reverseComplement = false) => SpeciesDataset.OpenDirectory(ApeData.Directory, ReferenceGenomes.Load, new SpeciesDatasetOptions
    {
        ConcatenateRecords = true,
        ConcatenatedName = "chr22",
        SplitMode = SpeciesSplitMode.HeldOutRegions,
        SequenceLength = Length,
        ReverseComplementTrain = reverseComplement,
        Seed = 11,
    });

    [Fact]
    public async Task Exported_ape_samples_read_back_equal_to_the_dataset_samples()
    {
        using var dataset = Apes(reverseComplement: true);
        using var dir = TestData.NewTempDir();
        var reports = new List<long>();
        var shards = await ParquetSpeciesExport.ExportAsync(dataset, SpeciesSplit.Train, epoch: 3, count: 300, Length, dir.Path,
            samplesPerShard: 128, progress: new SyncProgress(reports));
        Assert.Equal(3, shards.Count);
        Assert.Equal([128L, 256, 300], reports);

        var reader = await ParquetShardReader.OpenAsync(dir.Path, sequenceLength: Length, lowercase: dataset.Options.Lowercase);
        Assert.Equal(ApeData.Species, reader.Metadata.Labels);
        Assert.Equal(300, reader.Count);
        var tokens = new int[Length];
        var row = new int[Length];
        long index = 0;
        await foreach (var stored in reader.ReadAllAsync())
        {
            var sample = dataset.Read(SpeciesSplit.Train, 3, index++, tokens);
            Assert.Equal($"{ApeData.Species[sample.Label]}.fa.gz", stored.Source);
            Assert.Equal(ApeData.Species[sample.Label], stored.Species);
            Assert.Equal(sample.Label, stored.Label);
            Assert.Equal("chr22", stored.Chrom);
            Assert.Equal(sample.Start, stored.Start);
            Assert.Equal(sample.Strand, stored.Strand);
            Assert.Equal(Length, stored.Length);
            stored.CopyTokensTo(row);
            Assert.Equal(tokens, row);
        }
        Assert.Equal(300, index);
    }

    [Fact]
    public async Task Zstd_shards_take_well_under_a_byte_per_token()
    {
        using var dataset = Apes();
        using var dir = TestData.NewTempDir();
        var shards = await ParquetSpeciesExport.ExportAsync(dataset, SpeciesSplit.Valid, 0, 256, Length, dir.Path, samplesPerShard: 256);
        double bitsPerBase = new FileInfo(Assert.Single(shards)).Length * 8.0 / (256.0 * Length);
        // Overlapping windows of near-identical species compress further; the bound is what any DNA reaches.
        Assert.True(bitsPerBase < 2.5, $"{bitsPerBase:F2} bits per token");
    }

    // Progress<T> posts to the thread pool; this records in order, on the caller's thread.
    sealed class SyncProgress(List<long> reports) : IProgress<long>
    {
        public void Report(long value) => reports.Add(value);
    }
}
