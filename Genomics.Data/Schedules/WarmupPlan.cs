namespace Genomics.Data.Schedules;

/// <summary>
/// A sequence-length warmup as a pure schedule: an ordered list of <see cref="WarmupStage"/>s, and the
/// arithmetic that maps a global epoch or optimizer step onto them. How many samples an epoch holds at
/// length L is the caller's to say (it depends on the dataset), given as a function of L.
/// </summary>
public sealed class WarmupPlan
{
    readonly WarmupStage[] _stages;
    readonly int[] _firstEpoch;

    public WarmupPlan(IReadOnlyList<WarmupStage> stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        if (stages.Count == 0)
        {
            throw new ArgumentException("a plan needs at least one stage", nameof(stages));
        }
        _stages = stages.ToArray();
        _firstEpoch = new int[_stages.Length];
        int epochs = 0;
        for (int i = 0; i < _stages.Length; i++)
        {
            var s = _stages[i];
            if (s.Epochs < 1 || s.Length < 1 || s.MicroBatch < 1 || s.Accumulation < 1 || (long)s.MicroBatch * s.Accumulation != s.Batch)
            {
                throw new ArgumentException($"stage {i} ({s}) needs Epochs, Length, MicroBatch, Accumulation ≥ 1 and Batch = MicroBatch × Accumulation", nameof(stages));
            }
            _firstEpoch[i] = epochs;
            epochs = checked(epochs + s.Epochs);
        }
        TotalEpochs = epochs;
    }

    public IReadOnlyList<WarmupStage> Stages => _stages;

    /// <summary>The last stage: training at the target length.</summary>
    public WarmupStage Target => _stages[^1];

    public int TotalEpochs { get; }

    /// <summary>The stage that global <paramref name="epoch"/> (0-based) belongs to.</summary>
    public WarmupPosition AtEpoch(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if (epoch >= TotalEpochs)
        {
            throw new ArgumentOutOfRangeException(nameof(epoch), epoch, $"the plan has {TotalEpochs} epochs");
        }
        int i = Array.BinarySearch(_firstEpoch, epoch);
        if (i < 0)
        {
            i = ~i - 1;
        }
        return new WarmupPosition(i, _stages[i], epoch, epoch - _firstEpoch[i], 0);
    }

    /// <summary>Optimizer steps in the whole plan (what a cosine schedule spans).</summary>
    public long TotalSteps(Func<int, long> samplesPerEpoch)
    {
        ArgumentNullException.ThrowIfNull(samplesPerEpoch);
        long steps = 0;
        foreach (var s in _stages)
        {
            steps = checked(steps + s.Epochs * s.StepsPerEpoch(samplesPerEpoch(s.Length)));
        }
        return steps;
    }

    /// <summary>The global step at which global <paramref name="epoch"/> starts.</summary>
    public long FirstStepOf(int epoch, Func<int, long> samplesPerEpoch)
    {
        ArgumentNullException.ThrowIfNull(samplesPerEpoch);
        var at = AtEpoch(epoch);
        long step = 0;
        for (int i = 0; i < at.StageIndex; i++)
        {
            step += _stages[i].Epochs * _stages[i].StepsPerEpoch(samplesPerEpoch(_stages[i].Length));
        }
        return step + at.EpochInStage * at.Stage.StepsPerEpoch(samplesPerEpoch(at.Stage.Length));
    }

    /// <summary>Where global optimizer step <paramref name="step"/> (0-based) falls: what a resumed run needs.</summary>
    public WarmupPosition AtStep(long step, Func<int, long> samplesPerEpoch)
    {
        ArgumentNullException.ThrowIfNull(samplesPerEpoch);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        long remaining = step;
        for (int i = 0; i < _stages.Length; i++)
        {
            var s = _stages[i];
            long perEpoch = s.StepsPerEpoch(samplesPerEpoch(s.Length));
            if (remaining < s.Epochs * perEpoch)
            {
                int inStage = (int)(remaining / perEpoch);
                return new WarmupPosition(i, s, _firstEpoch[i] + inStage, inStage, remaining % perEpoch);
            }
            remaining -= s.Epochs * perEpoch;
        }
        throw new ArgumentOutOfRangeException(nameof(step), step, $"the plan has {step - remaining} steps");
    }

    public override string ToString() => string.Join("; ", _stages.Select(s => s.ToString()));
}
