namespace Genomics.Mamba.Evaluation;

/// <summary>How a language model runs over a window to score it. All modes give the same logits up to fp32 rounding.</summary>
public enum ScoringMode
{
    /// <summary>Parallel when <see cref="InferenceMemory"/> says it fits the budget, else streamed (Mamba) or an error (HyenaDNA).</summary>
    Auto,

    /// <summary>The model's forward over whole windows: fastest, memory O(window).</summary>
    Parallel,

    /// <summary>
    /// Mamba only: the window in chunks of positions, each block handing its conv tail and scan state to the next chunk
    /// (the recurrent state, advanced a chunk at a time). Memory O(chunk) whatever the window; nearly as fast as parallel.
    /// </summary>
    Streamed,

    /// <summary>Mamba only: the recurrent step mode, one token at a time, O(1) memory per token. The slowest; the reference for the others.</summary>
    Step,
}
