namespace Genomics.Data.Datasets;

/// <summary>
/// One split of a <see cref="SpeciesDataset"/> as batches for the <see cref="PrefetchLoader"/>: row r of batch k
/// is sample k·B + r of the split. Train samples are drawn afresh from (seed, epoch, index); valid and test
/// rows are the fixed sets, the same in every epoch. Per row: <see cref="Batch.Inputs"/> holds the L tokens,
/// <see cref="Batch.Labels"/> the species label, and <see cref="Batch.Samples"/> the window — Chrom is the
/// record's name in that species' genome, Interval the record's index (species data has no interval list).
/// L may be below the dataset's target length, for the sequence-length warmup (one source per stage).
/// </summary>
public sealed class SpeciesBatches : IBatchSource
{
    /// <summary>
    /// Every per-token target of a species batch: the model classifies from the last position, so there is
    /// no next-token target. -100 is PyTorch's ignore_index, so a per-token loss taken by mistake counts
    /// nothing (NaN) instead of learning a made-up token.
    /// </summary>
    public const int NoTarget = -100;

    readonly SpeciesDataset _dataset;
    readonly long _samples;

    /// <param name="batchSize">Rows per batch (B); with gradient accumulation, the micro-batch.</param>
    /// <param name="length">Tokens per row (L); null is the dataset's target length. Shorter lengths are warmup stages.</param>
    public SpeciesBatches(SpeciesDataset dataset, SpeciesSplit split, int batchSize, int? length = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (!Enum.IsDefined(split))
        {
            throw new ArgumentOutOfRangeException(nameof(split), split, "not a species split");
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        int target = dataset.Options.SequenceLength;
        int l = length ?? target;
        // Windows are checked to fit every split only up to the target, at construction of the dataset.
        if (l < 1 || l > target)
        {
            throw new ArgumentOutOfRangeException(nameof(length), l, $"length must be in [1, {target:N0}], the dataset's SequenceLength; open the dataset with the longest length you will train at");
        }
        _samples = dataset.Count(split);
        if (split == SpeciesSplit.Train && _samples < batchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"TrainSamplesPerEpoch {_samples:N0} is less than one batch of {batchSize}, so an epoch would have no steps");
        }
        // Train drops a partial batch (every step sees B rows); valid/test keep it (every fixed sample is scored once).
        long batches = split == SpeciesSplit.Train ? _samples / batchSize : (_samples + batchSize - 1) / batchSize;
        if (batches > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"{_samples:N0} samples make {batches:N0} batches, more than an int counts; use a larger batch");
        }
        _dataset = dataset;
        Split = split;
        BatchSize = batchSize;
        Length = l;
        Batches = (int)batches;
    }

    public SpeciesDataset Dataset => _dataset;

    public SpeciesSplit Split { get; }

    public int BatchSize { get; }

    public int Length { get; }

    /// <summary>Batches per epoch; the same in every epoch.</summary>
    public int Batches { get; }

    public int BatchCount(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return Batches;
    }

    public void FillBatch(int epoch, int batchIndex, Batch destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(batchIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(batchIndex, Batches);
        if (destination.Capacity < BatchSize || destination.Length != Length)
        {
            throw new ArgumentException($"destination is {destination.Capacity} × {destination.Length}, needs {BatchSize} × {Length}", nameof(destination));
        }
        long first = (long)batchIndex * BatchSize;
        int rows = (int)Math.Min(BatchSize, _samples - first);
        for (int r = 0; r < rows; r++)
        {
            var sample = _dataset.Read(Split, epoch, first + r, destination.InputRow(r));
            destination.Labels[r] = sample.Label;
            destination.Samples[r] = new SampleRef(_dataset.ChromosomeName(sample), sample.Start, sample.Length, sample.ReverseComplement, sample.Record);
            destination.TargetRow(r).Fill(NoTarget);
        }
        destination.Size = rows;
        destination.Epoch = epoch;
        destination.Index = batchIndex;
    }
}
