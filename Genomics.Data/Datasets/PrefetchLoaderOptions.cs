namespace Genomics.Data.Datasets;

/// <summary>How a <see cref="PrefetchLoader"/> works ahead of its consumer.</summary>
public sealed record PrefetchLoaderOptions
{
    /// <summary>Threads filling batches. Two keep up with a GPU step at L = 1024 on an in-memory genome.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>
    /// Batches held at once (ready, being filled, or lent to the consumer). Each costs 2 × B × L × 4 bytes —
    /// 128 MiB at 16 × 2^20 — so keep it small at long lengths.
    /// </summary>
    public int Prefetch { get; init; } = 4;

    public void Validate()
    {
        if (Workers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Workers), Workers, $"{nameof(Workers)} must be at least 1");
        }
        // One batch is always lent to the consumer, so 1 loads strictly in turn and only 2+ works ahead.
        if (Prefetch < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Prefetch), Prefetch, $"{nameof(Prefetch)} must be at least 1 (2 or more to load ahead of the consumer)");
        }
    }
}
