using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Memory;

namespace Genomics.Mamba.Evaluation;

/// <summary>
/// A simple upper bound on the memory of a forward without gradients, to decide whether windows can be scored in
/// parallel. Nothing is saved for backward, so the peak is one block's working set on top of what crosses blocks: the
/// hidden state and residual (2d per token), every activation the block creates (the training footprint's saved
/// tensors, all counted as fp32, plus Hyena's spectra), and the head's logits and log-softmax. Over-estimates on purpose:
/// falling back to streaming costs a little time, a wrong "fits" costs the run.
/// </summary>
public static class InferenceMemory
{
    /// <summary>Bytes to run <paramref name="batch"/> windows of <paramref name="length"/> tokens through <paramref name="model"/> in parallel, weights included.</summary>
    public static long ParallelForwardBytes(ModelSpec model, long batch, long length)
    {
        ArgumentNullException.ThrowIfNull(model);
        var f = model.Mamba is { } m ? ModelFootprint.Of(m, length) : ModelFootprint.Of(model.Hyena!, length);
        double perToken = 2.0 * f.DModel + f.SavedFp32PerToken + f.SavedActPerToken + 2 * f.FftPerToken + f.HeadPerToken;
        double perPosition = f.SavedPerPosition + 2 * f.FftPerPosition;
        double bytes = 4.0 * (perToken * batch * length + perPosition * length) + 4.0 * f.ParameterCount + f.BufferBytes;
        return (long)Math.Min(long.MaxValue, bytes);
    }

    /// <summary>A default budget: half of the memory the runtime reports as available to this process.</summary>
    public static long DefaultBudgetBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;
}
