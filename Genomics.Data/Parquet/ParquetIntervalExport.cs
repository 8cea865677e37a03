using Genomics.Data.Datasets;

namespace Genomics.Data.Parquet;

/// <summary>
/// Materialises interval (pretraining) samples into token shards, so a run can train without the genome.
/// Each row stores the sample's L+1 tokens — inputs are the first L, targets the last L — under metadata
/// that says so (<see cref="ParquetShardMetadata.NextTokenTargets"/>, sequence length L), and where they
/// came from: genome file name, chromosome, 0-based start of the bases read, strand, L.
/// </summary>
public static class ParquetIntervalExport
{
    /// <summary>
    /// Writes the first <paramref name="count"/> samples (all when null) of <paramref name="epoch"/> in that
    /// epoch's visiting order (<see cref="IntervalDataset.Order"/>), with that epoch's strands, into shards
    /// under <paramref name="directory"/>. The visiting order rather than index order, so a shorter export
    /// is a random subset of the intervals instead of the first chromosome's. Reports the samples written so
    /// far once per shard. Returns the shard paths.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ExportAsync(IntervalDataset dataset, int epoch, int? count, string directory,
        int samplesPerShard = 1024, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (count is { } c)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(c, nameof(count));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(c, dataset.Count, nameof(count));
        }
        int total = count ?? dataset.Count;
        int L = dataset.Length;
        var metadata = new ParquetShardMetadata { Lowercase = dataset.Options.Lowercase, SequenceLength = L, NextTokenTargets = true };
        await using var writer = new ParquetShardWriter(directory, metadata, samplesPerShard);
        string source = Path.GetFileName(dataset.Genome.Path);
        int[] order = dataset.Order(epoch);
        var inputs = new int[L];
        var targets = new int[L];
        for (int i = 0; i < total; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sample = dataset.Read(order[i], epoch, inputs, targets);
            // targets = inputs shifted by one, so the L+1 tokens are the inputs plus the last target.
            var ids = new byte[L + 1];
            for (int k = 0; k < L; k++)
            {
                ids[k] = (byte)inputs[k];
            }
            ids[L] = (byte)targets[L - 1];
            await writer.WriteAsync(new ParquetSample
            {
                Source = source,
                Chrom = sample.Chrom,
                Start = sample.Start,
                Strand = sample.ReverseComplement ? "-" : "+",
                Length = L,
                Tokens = ids,
            }, cancellationToken).ConfigureAwait(false);
            if ((i + 1) % samplesPerShard == 0 || i + 1 == total)
            {
                progress?.Report(i + 1);
            }
        }
        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        return writer.ShardPaths;
    }
}
