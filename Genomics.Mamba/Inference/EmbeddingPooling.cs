namespace Genomics.Mamba.Inference;

/// <summary>How a window's per-position hidden states become one vector.</summary>
public enum EmbeddingPooling
{
    /// <summary>The mean over positions: describes the whole window evenly.</summary>
    Mean,

    /// <summary>The last position: for a causal model the only one that has seen the whole window (what the species classifier reads).</summary>
    Last,
}
