namespace Genomics.Data.Datasets;

/// <summary>
/// Batches addressed by (epoch, index). The contract that makes loading reproducible: the content of batch
/// k of an epoch depends only on (seed, epoch, k) — never on which thread fills it, in what order, or what
/// was filled before — so any number of workers, or a resume at batch k, yields the same data.
/// </summary>
public interface IBatchSource
{
    /// <summary>Rows per batch (B); a final partial batch, where a source keeps one, holds fewer.</summary>
    int BatchSize { get; }

    /// <summary>Tokens per row (L).</summary>
    int Length { get; }

    /// <summary>Batches in <paramref name="epoch"/>.</summary>
    int BatchCount(int epoch);

    /// <summary>
    /// Writes batch <paramref name="batchIndex"/> of <paramref name="epoch"/> into <paramref name="destination"/>
    /// (shape BatchSize × Length), setting its Size, Epoch and Index. Must be safe to call from several
    /// threads at once on different destinations.
    /// </summary>
    void FillBatch(int epoch, int batchIndex, Batch destination);
}
