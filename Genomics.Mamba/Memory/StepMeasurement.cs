namespace Genomics.Mamba.Memory;

/// <summary>What one configuration cost: seconds per step, and resident memory before and at the peak of the steps.</summary>
/// <param name="Seconds">Wall time of each timed step (warm-up excluded).</param>
/// <param name="BaselineBytes">RSS with the model and optimizer built, before the first (warm-up) step.</param>
/// <param name="PeakBytes">Highest RSS from the first step on, warm-up included (VmHWM reset at the baseline).</param>
/// <param name="Tokens">Tokens per step: batch × length.</param>
/// <param name="MinorFaultsPerStep">Fresh pages touched per timed step (see <see cref="ProcessMemory.MinorFaults"/>).</param>
/// <param name="SystemSecondsPerStep">Kernel CPU time per timed step, mostly page faulting.</param>
/// <param name="StepPeakBytes">Each timed step's own peak RSS: whether the allocator's footprint still grows from step to step.</param>
public sealed record StepMeasurement(double[] Seconds, long BaselineBytes, long PeakBytes, long Tokens, double MinorFaultsPerStep,
    double SystemSecondsPerStep, long[] StepPeakBytes)
{
    /// <summary>What training added on top of the baseline: gradients, AdamW moments, activations, allocator slack.</summary>
    public long PeakDeltaBytes => PeakBytes - BaselineBytes;
}
