namespace Genomics.Data.Datasets;

/// <summary>
/// Groups an <see cref="IntervalDataset"/> into batches: batch k of an epoch takes positions
/// [k·B, (k+1)·B) of that epoch's visiting order — the dataset's seeded shuffle, or index order — over
/// all samples or over a chosen subset (e.g. <see cref="IntervalDataset.FixedSubset"/> for validation).
/// </summary>
public sealed class IntervalDatasetBatches : IBatchSource
{
    readonly IntervalDataset _dataset;
    readonly int[]? _indices;
    readonly bool _shuffle;
    readonly bool _dropLast;
    readonly int _orderCount;
    // The last epoch's order, shared by all workers: computing it is O(Count) and must not happen per batch.
    volatile EpochOrder? _cached;

    /// <param name="shuffle">Visit samples in the dataset's seeded order for each epoch; otherwise in index order.</param>
    /// <param name="dropLast">Drop a final partial batch (training: every step sees B rows); keep it for evaluation.</param>
    /// <param name="indices">Restrict to these sample indices (each in [0, Count)); null uses all samples.</param>
    public IntervalDatasetBatches(IntervalDataset dataset, int batchSize, bool shuffle = true, bool dropLast = true, IReadOnlyList<int>? indices = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        _dataset = dataset;
        BatchSize = batchSize;
        _shuffle = shuffle;
        _dropLast = dropLast;
        if (indices is not null)
        {
            _indices = indices.ToArray();
            foreach (int i in _indices)
            {
                if ((uint)i >= (uint)dataset.Count)
                {
                    throw new ArgumentOutOfRangeException(nameof(indices), i, $"sample index outside [0, {dataset.Count})");
                }
            }
        }
        _orderCount = _indices?.Length ?? dataset.Count;
    }

    public int BatchSize { get; }

    public int Length => _dataset.Length;

    /// <summary>Samples visited per epoch (before dropping a partial batch).</summary>
    public int SampleCount => _orderCount;

    public int BatchCount(int epoch) => _dropLast ? _orderCount / BatchSize : (_orderCount + BatchSize - 1) / BatchSize;

    /// <summary>The sample indices of <paramref name="epoch"/> in visiting order; resume at position k·B for batch k.</summary>
    public int[] Order(int epoch) => (int[])OrderOf(epoch).Clone();

    public void FillBatch(int epoch, int batchIndex, Batch destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegative(batchIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(batchIndex, BatchCount(epoch));
        if (destination.Capacity < BatchSize || destination.Length != Length)
        {
            throw new ArgumentException($"destination is {destination.Capacity} × {destination.Length}, needs {BatchSize} × {Length}", nameof(destination));
        }
        int[] order = OrderOf(epoch);
        int first = batchIndex * BatchSize;
        int rows = Math.Min(BatchSize, _orderCount - first);
        for (int r = 0; r < rows; r++)
        {
            destination.Samples[r] = _dataset.Read(order[first + r], epoch, destination.InputRow(r), destination.TargetRow(r));
        }
        destination.Size = rows;
        destination.Epoch = epoch;
        destination.Index = batchIndex;
    }

    int[] OrderOf(int epoch)
    {
        var cached = _cached;
        if (cached is not null && cached.Epoch == epoch)
        {
            return cached.Order;
        }
        int[] order;
        if (!_shuffle)
        {
            order = _indices ?? Enumerable.Range(0, _orderCount).ToArray();
        }
        else if (_indices is null)
        {
            order = _dataset.Order(epoch);
        }
        else
        {
            // Shuffle positions of the subset with a permutation of the same size, so a subset's order is as
            // reproducible as the full set's.
            int[] perm = DeterministicRandom.Permutation(_indices.Length, DeterministicRandom.Hash(unchecked((ulong)_dataset.Options.Seed), 0x5355424F52UL, unchecked((ulong)epoch)));
            order = new int[perm.Length];
            for (int i = 0; i < perm.Length; i++)
            {
                order[i] = _indices[perm[i]];
            }
        }
        // Two workers may both compute it on an epoch change; they get equal arrays, so either may win.
        _cached = new EpochOrder(epoch, order);
        return order;
    }

    sealed record EpochOrder(int Epoch, int[] Order);
}
