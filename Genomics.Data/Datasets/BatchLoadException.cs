namespace Genomics.Data.Datasets;

/// <summary>A loader worker failed while filling a batch; the original error is the inner exception.</summary>
public sealed class BatchLoadException : Exception
{
    public BatchLoadException(int epoch, int batchIndex, Exception inner)
        : base($"loading batch {batchIndex} of epoch {epoch} failed: {inner.Message}", inner)
    {
        Epoch = epoch;
        BatchIndex = batchIndex;
    }

    public int Epoch { get; }

    public int BatchIndex { get; }
}
