namespace Genomics.Mamba.Training;

/// <summary>
/// The learning rate as a pure function of the global optimizer step: a linear warmup from 0 to <see cref="PeakLr"/>
/// over <see cref="WarmupSteps"/> steps, then a half-cosine from <see cref="PeakLr"/> down to <see cref="MinLr"/> at
/// <see cref="TotalSteps"/>. Being a function of the step alone makes it continuous across sequence-length warmup
/// stages (the batch changes, the step count does not jump) and makes a resumed run's LR exact with no state but the
/// step. Pretraining: 10% warmup (Mamba E.3.1); species: 5 epochs up, 5 epochs down to 1e-6 (E.3.4).
/// </summary>
public sealed record LrSchedule
{
    /// <summary>LR at the end of the warmup.</summary>
    public required double PeakLr { get; init; }

    /// <summary>Steps of linear increase; step s &lt; WarmupSteps runs at PeakLr · (s + 1) / WarmupSteps, so the first step is not wasted at 0.</summary>
    public long WarmupSteps { get; init; }

    /// <summary>Steps in the whole run; the cosine reaches <see cref="MinLr"/> at the last one.</summary>
    public required long TotalSteps { get; init; }

    /// <summary>The floor of the cosine.</summary>
    public double MinLr { get; init; }

    /// <summary>
    /// The pretraining schedule (Mamba E.3.1: cosine with linear warmup over 10% of the steps). The floor is 10% of the
    /// peak, as HyenaDNA's hg38 configs (cosine_warmup_timm, lr_min = 0.1 · lr) that the Mamba DNA runs follow.
    /// </summary>
    public static LrSchedule Pretraining(double peakLr, long totalSteps, double warmupFraction = 0.1, double minRatio = 0.1) => new LrSchedule
    {
        PeakLr = peakLr,
        TotalSteps = totalSteps,
        WarmupSteps = (long)Math.Round(warmupFraction * totalSteps),
        MinLr = minRatio * peakLr,
    }.Validate();

    /// <summary>The species schedule (E.3.4): <paramref name="warmupEpochs"/> epochs linear up, the rest cosine down to <paramref name="minLr"/>.</summary>
    public static LrSchedule Species(double peakLr, long stepsPerEpoch, int totalEpochs = 10, int warmupEpochs = 5, double minLr = 1e-6) => new LrSchedule
    {
        PeakLr = peakLr,
        TotalSteps = stepsPerEpoch * totalEpochs,
        WarmupSteps = stepsPerEpoch * warmupEpochs,
        MinLr = Math.Min(minLr, peakLr),
    }.Validate();

    /// <summary>The LR of global optimizer step <paramref name="step"/> (0-based); past the end it stays at <see cref="MinLr"/>.</summary>
    public double At(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps)
        {
            return PeakLr * (step + 1) / WarmupSteps;
        }
        long decay = TotalSteps - WarmupSteps;
        if (decay <= 1)
        {
            return PeakLr;
        }
        // The first step after the warmup runs at the peak and the last one at the floor.
        double progress = Math.Min(1.0, (double)(step - WarmupSteps) / (decay - 1));
        return MinLr + (PeakLr - MinLr) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    /// <summary>Throws naming the first bad field; returns this for chaining.</summary>
    public LrSchedule Validate()
    {
        if (!(PeakLr > 0) || !double.IsFinite(PeakLr))
        {
            throw new ArgumentOutOfRangeException(nameof(PeakLr), PeakLr, "the learning rate must be a positive number (--lr)");
        }
        if (!(MinLr >= 0) || MinLr > PeakLr)
        {
            throw new ArgumentOutOfRangeException(nameof(MinLr), MinLr, $"{nameof(MinLr)} must lie in [0, {nameof(PeakLr)} = {PeakLr}]");
        }
        if (TotalSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TotalSteps), TotalSteps, "the run has no optimizer steps: the data holds fewer samples than one step's batch (lower --tokens-per-step or --batch, or give more intervals)");
        }
        if (WarmupSteps < 0 || WarmupSteps > TotalSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(WarmupSteps), WarmupSteps, $"{nameof(WarmupSteps)} must lie in [0, {nameof(TotalSteps)} = {TotalSteps}]");
        }
        return this;
    }
}
