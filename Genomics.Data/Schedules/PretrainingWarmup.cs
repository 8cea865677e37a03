using System.Numerics;

namespace Genomics.Data.Schedules;

/// <summary>
/// Sequence-length warmup for pretraining (Mamba paper E.3.1, after HyenaDNA): <see cref="EpochsPerStage"/>
/// epochs at each power of two from <see cref="StartLength"/> up to <see cref="TargetLength"/>, with
/// tokens per optimizer step held at <see cref="TokensPerStep"/>, so the batch halves as L doubles. The plan
/// ends after the target stage. Configure with <c>with</c>, then <see cref="ToPlan"/>.
/// </summary>
public sealed record PretrainingWarmup
{
    /// <summary>The shortest target the warmup recipe is defined for.</summary>
    public const int MinimumTargetLength = 1 << 10;

    /// <summary>Sample length trained at the end. 1024 is the design's default <c>--len</c>.</summary>
    public int TargetLength { get; init; } = 1 << 10;

    /// <summary>Tokens behind each optimizer step, at every stage (DESIGN.md: the paper uses 2^24).</summary>
    public long TokensPerStep { get; init; } = 1L << 24;

    /// <summary>First warmup length (paper: 2^10).</summary>
    public int StartLength { get; init; } = 1 << 10;

    /// <summary>Epochs at each length (paper: 2).</summary>
    public int EpochsPerStage { get; init; } = 2;

    /// <summary>Largest batch one device takes at once; bigger batches are accumulated. Null: no limit.</summary>
    public int? MicroBatchCap { get; init; }

    /// <summary>False trains only at the target length, for EpochsPerStage epochs.</summary>
    public bool Enabled { get; init; } = true;

    public void Validate()
    {
        if (TargetLength < MinimumTargetLength || !BitOperations.IsPow2(TargetLength))
        {
            throw new ArgumentOutOfRangeException(nameof(TargetLength), TargetLength,
                $"{nameof(TargetLength)} must be a power of two ≥ 2^10 = {MinimumTargetLength} (warmup doubles L from 2^10 and the batch halves with it)");
        }
        if (StartLength < 1 || !BitOperations.IsPow2(StartLength) || StartLength > TargetLength)
        {
            throw new ArgumentOutOfRangeException(nameof(StartLength), StartLength, $"{nameof(StartLength)} must be a power of two ≤ {nameof(TargetLength)} ({TargetLength})");
        }
        if (TokensPerStep < TargetLength || TokensPerStep % TargetLength != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TokensPerStep), TokensPerStep,
                $"{nameof(TokensPerStep)} must be a multiple of {nameof(TargetLength)} ({TargetLength}) and at least it, so every stage's batch is a whole number of samples");
        }
        int shortest = Enabled ? StartLength : TargetLength;
        if (TokensPerStep / shortest > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(TokensPerStep), TokensPerStep, $"{nameof(TokensPerStep)} / {shortest} exceeds the largest batch ({int.MaxValue})");
        }
        if (EpochsPerStage < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(EpochsPerStage), EpochsPerStage, $"{nameof(EpochsPerStage)} must be at least 1");
        }
        if (MicroBatchCap is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MicroBatchCap), MicroBatchCap, $"{nameof(MicroBatchCap)} must be at least 1 (or null for no limit)");
        }
    }

    public WarmupPlan ToPlan()
    {
        Validate();
        var stages = new List<WarmupStage>();
        for (int length = Enabled ? StartLength : TargetLength; length <= TargetLength; length *= 2)
        {
            int batch = (int)(TokensPerStep / length);
            var (micro, accumulation) = MicroBatching.Split(batch, MicroBatchCap);
            stages.Add(new WarmupStage(EpochsPerStage, length, batch, micro, accumulation));
            if (length == TargetLength)
            {
                break; // 2^30 * 2 would overflow the loop variable
            }
        }
        return new WarmupPlan(stages);
    }
}
