using System.Numerics;

namespace Genomics.Data.Schedules;

/// <summary>
/// Sequence-length warmup for species classification (Mamba paper E.3.4): above 2^14, one epoch at each
/// power of two from 2^14 up to the target, then the rest of <see cref="TotalEpochs"/> at the target; at
/// or below 2^14 every epoch is at the target. The batch stays <see cref="Batch"/> throughout (E.3.4 fixes
/// batch and steps per epoch, not tokens per step).
/// </summary>
public sealed record SpeciesWarmup
{
    /// <summary>Targets above this length warm up, starting here.</summary>
    public const int WarmupStartLength = 1 << 14;

    public int TargetLength { get; init; } = 1 << 10;

    /// <summary>Epochs in all, warmup included (paper: 10 epochs × 1,024 steps).</summary>
    public int TotalEpochs { get; init; } = 10;

    /// <summary>Samples per optimizer step (paper: 64).</summary>
    public int Batch { get; init; } = 64;

    /// <summary>Largest batch one device takes at once; bigger batches are accumulated. Null: no limit.</summary>
    public int? MicroBatchCap { get; init; }

    /// <summary>Epochs spent below the target: one per power of two in [2^14, target).</summary>
    public int WarmupEpochs => TargetLength <= WarmupStartLength ? 0 : BitOperations.Log2((uint)TargetLength) - BitOperations.Log2(WarmupStartLength);

    public void Validate()
    {
        if (TargetLength < PretrainingWarmup.MinimumTargetLength || !BitOperations.IsPow2(TargetLength))
        {
            throw new ArgumentOutOfRangeException(nameof(TargetLength), TargetLength,
                $"{nameof(TargetLength)} must be a power of two ≥ 2^10 = {PretrainingWarmup.MinimumTargetLength} (the warmup steps through powers of two)");
        }
        if (Batch < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Batch), Batch, $"{nameof(Batch)} must be at least 1");
        }
        if (TotalEpochs <= WarmupEpochs)
        {
            throw new ArgumentOutOfRangeException(nameof(TotalEpochs), TotalEpochs,
                $"{nameof(TotalEpochs)} must exceed the {WarmupEpochs} warmup epoch(s) that 2^14 … {TargetLength / 2} take, leaving at least one at the target {TargetLength}");
        }
        if (MicroBatchCap is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MicroBatchCap), MicroBatchCap, $"{nameof(MicroBatchCap)} must be at least 1 (or null for no limit)");
        }
    }

    public WarmupPlan ToPlan()
    {
        Validate();
        var (micro, accumulation) = MicroBatching.Split(Batch, MicroBatchCap);
        var stages = new List<WarmupStage>();
        for (int length = WarmupStartLength; length < TargetLength; length *= 2)
        {
            stages.Add(new WarmupStage(1, length, Batch, micro, accumulation));
        }
        stages.Add(new WarmupStage(TotalEpochs - WarmupEpochs, TargetLength, Batch, micro, accumulation));
        return new WarmupPlan(stages);
    }
}
