using Genomics.Data.Datasets;

namespace Genomics.Data.Parquet;

/// <summary>Materialises species samples into token shards, so a run can train without the genomes.</summary>
public static class ParquetSpeciesExport
{
    /// <summary>
    /// Writes samples [0, count) of <paramref name="split"/> (train: of <paramref name="epoch"/>) at
    /// <paramref name="sequenceLength"/> tokens, in index order, into shards under <paramref name="directory"/>.
    /// Reports the samples written so far once per shard. Returns the shard paths.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ExportAsync(SpeciesDataset dataset, SpeciesSplit split, long epoch, long count, int sequenceLength,
        string directory, int samplesPerShard = 1024, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        var metadata = ParquetShardMetadata.For(dataset.Tokenizer, sequenceLength, dataset.SpeciesNames);
        await using var writer = new ParquetShardWriter(directory, metadata, samplesPerShard);
        var tokens = new int[sequenceLength];
        for (long index = 0; index < count; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sample = dataset.Read(split, epoch, index, tokens);
            var ids = new byte[sequenceLength];
            for (int i = 0; i < ids.Length; i++)
            {
                ids[i] = (byte)tokens[i];
            }
            await writer.WriteAsync(new ParquetSample
            {
                Source = Path.GetFileName(dataset.GenomeOf(sample.Label).Path),
                Species = dataset.SpeciesNames[sample.Label],
                Label = sample.Label,
                Chrom = dataset.ChromosomeName(sample),
                Start = sample.Start,
                Strand = sample.Strand,
                Length = sample.Length,
                Tokens = ids,
            }, cancellationToken).ConfigureAwait(false);
            if ((index + 1) % samplesPerShard == 0 || index + 1 == count)
            {
                progress?.Report(index + 1);
            }
        }
        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        return writer.ShardPaths;
    }
}
