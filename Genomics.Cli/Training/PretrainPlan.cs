using System.Globalization;
using System.Text;
using Genomics.Data.Schedules;
using Genomics.Mamba.Config;
using Genomics.Mamba.Memory;

namespace Genomics.Cli.Training;

/// <summary>One stage of a planned run: the warmup stage with its micro-batch and the memory plan behind it.</summary>
public sealed record StagePlan(WarmupStage Stage, long StepsPerEpoch, MemoryPlan Memory)
{
    public long Steps => Stage.Epochs * StepsPerEpoch;

    public long Tokens => Steps * Stage.TokensPerStep;
}

/// <summary>
/// The whole pretraining plan as `--dry-run` prints it and the run follows it: the sequence-length warmup stages, each
/// stage's micro-batch × accumulation and checkpointing chosen by the <see cref="MemoryPlanner"/> within the budget,
/// steps, tokens, the predicted peak memory and a rough time.
/// </summary>
public sealed record PretrainPlan(string Model, long ParameterCount, IReadOnlyList<StagePlan> Stages, long BudgetBytes, TrainingPrecision Precision)
{
    /// <summary>
    /// Effective CPU training throughput assumed for the time estimate, in FLOP/s: Mamba 1.4M trained at 5.7k tokens/s
    /// (4 × 4096 tokens, 2.85 s per step, `bench model`, 2 cores), i.e. 6 · 1.4M · 5.7k ≈ 48 GFLOP/s. A guess for other
    /// machines and lengths; the live ETA during a run is measured.
    /// </summary>
    public const double AssumedFlops = 48e9;

    public WarmupPlan ToWarmupPlan() => new(Stages.Select(s => s.Stage).ToArray());

    public long TotalSteps => Stages.Sum(s => s.Steps);

    public long TotalTokens => Stages.Sum(s => s.Tokens);

    public bool Fits => Stages.All(s => s.Memory.Fits);

    /// <summary>Rough wall time: 6 FLOPs per parameter per token (8 with recompute) at <see cref="AssumedFlops"/>.</summary>
    public TimeSpan EstimatedTime => TimeSpan.FromSeconds(Stages.Sum(s =>
        s.Tokens * (s.Memory.Checkpointing ? 8.0 : 6.0) * ParameterCount / AssumedFlops));

    /// <summary>
    /// Plans every stage of <paramref name="warmup"/>: with <paramref name="microBatch"/> the user's micro-batch (it
    /// must divide each stage's batch where it is smaller, and fit), otherwise the planner's.
    /// </summary>
    /// <param name="segmentLength">Mamba: recompute blocks in segments of this many positions at stages longer than it
    /// (checkpointing on), instead of the planner's choice.</param>
    public static PretrainPlan Make(object config, PretrainingWarmup warmup, Func<int, long> samplesPerEpoch, long budget,
        TrainingPrecision precision, int? microBatch, long? segmentLength = null)
    {
        if (segmentLength is { } sl && (config is not MambaConfig || sl < 1))
        {
            throw new ArgumentException(config is MambaConfig ? $"--segment-length {sl}: must be at least 1" : "--segment-length applies to Mamba only (a Hyena long convolution spans the sequence)");
        }
        var stages = new List<StagePlan>();
        foreach (var s in warmup.ToPlan().Stages)
        {
            MemoryPlan memory;
            if (segmentLength is { } seg && seg < s.Length)
            {
                int micro = Math.Min(microBatch ?? 1, s.Batch);
                if (s.Batch % micro != 0)
                {
                    throw new ArgumentException($"--micro-batch {micro} does not divide the batch {s.Batch} of the stage at L={s.Length}; use a power of two");
                }
                var (name, estimate) = config switch
                {
                    MambaConfig c => (c.ToString(), MemoryPlanner.Estimate(c, s.Length, micro, precision, checkpointing: true, segmentLength: seg)),
                    HyenaConfig c => (c.ToString(), MemoryPlanner.Estimate(c, s.Length, micro, precision, checkpointing: true, segmentLength: seg)),
                    _ => throw new ArgumentException("not a model config", nameof(config)),
                };
                memory = new MemoryPlan(name, s.Length, s.Batch, precision, budget, true, seg, micro, s.Batch / micro, estimate, estimate.TotalBytes <= budget);
            }
            else if (microBatch is { } m)
            {
                int micro = Math.Min(m, s.Batch);
                if (s.Batch % micro != 0)
                {
                    throw new ArgumentException($"--micro-batch {m} does not divide the batch {s.Batch} of the stage at L={s.Length}; use a power of two");
                }
                memory = Plan(config, s.Length, micro, budget, precision);
                memory = memory with { Batch = s.Batch, MicroBatch = micro, GradientAccumulation = s.Batch / micro, Fits = memory.Fits && memory.MicroBatch == micro };
            }
            else
            {
                memory = Plan(config, s.Length, s.Batch, budget, precision);
            }
            var stage = new WarmupStage(s.Epochs, s.Length, s.Batch, (int)memory.MicroBatch, (int)memory.GradientAccumulation);
            stages.Add(new StagePlan(stage, stage.StepsPerEpoch(samplesPerEpoch(s.Length)), memory));
        }
        var (description, parameters) = config switch
        {
            MambaConfig c => (c.ToString(), c.ParameterCount),
            HyenaConfig c => (c.ToString(), c.ParameterCount),
            _ => throw new ArgumentException("not a model config", nameof(config)),
        };
        return new PretrainPlan(description, parameters, stages, budget, precision);
    }

    static MemoryPlan Plan(object config, int length, long batch, long budget, TrainingPrecision precision) => config switch
    {
        MambaConfig c => MemoryPlanner.Plan(c, length, batch, budget, precision),
        HyenaConfig c => MemoryPlanner.Plan(c, length, batch, budget, precision),
        _ => throw new ArgumentException("not a model config", nameof(config)),
    };

    /// <summary>The first stage that does not fit, as the one-line error a user can act on; null when all fit.</summary>
    public string? MemoryProblem(bool microBatchGiven)
    {
        var bad = Stages.FirstOrDefault(s => !s.Memory.Fits);
        if (bad is null)
        {
            return null;
        }
        string need = MemoryEstimate.Format(bad.Memory.PredictedPeakBytes), have = MemoryEstimate.Format(BudgetBytes);
        string fix = microBatchGiven
            ? $"use a smaller --micro-batch (or leave it out to let the planner choose)"
            : $"lower --len{(Precision == TrainingPrecision.Float32 ? ", use --dtype bf16" : "")}, or raise --memory-gib if the machine has more";
        return $"not enough memory for the stage at L={bad.Stage.Length:N0}: micro-batch {bad.Memory.MicroBatch} needs about {need}, the budget is {have}; {fix}";
    }

    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        var t = new StringBuilder();
        t.AppendLine(inv, $"model: {Model}");
        t.AppendLine(inv, $"memory budget {MemoryEstimate.Format(BudgetBytes)}, activations {(Precision == TrainingPrecision.Float32 ? "fp32" : "bf16")}");
        t.AppendLine(inv, $"{Stages.Count} stage(s):");
        t.AppendLine(inv, $"  {"stage",5} {"L",10} {"epochs",6} {"steps/epoch",11} {"batch",7} {"micro × acc",13} {"checkpointing",20} {"predicted peak",14} {"tokens",16}");
        int i = 1;
        foreach (var s in Stages)
        {
            string ckpt = !s.Memory.Checkpointing ? "off" : s.Memory.SegmentLength is { } seg ? $"on, segments {seg:N0}" : "on";
            t.AppendLine(inv, $"  {i++,5} {s.Stage.Length,10:N0} {s.Stage.Epochs,6} {s.StepsPerEpoch,11:N0} {s.Stage.Batch,7:N0} {$"{s.Stage.MicroBatch} × {s.Stage.Accumulation}",13} {ckpt,20} " +
                             $"{MemoryEstimate.Format(s.Memory.PredictedPeakBytes) + (s.Memory.Fits ? "" : " (!)"),14} {s.Tokens,16:N0}");
        }
        t.AppendLine(inv, $"total: {TotalSteps:N0} optimizer steps, {TotalTokens:N0} tokens");
        t.Append(inv, $"time estimate: about {Output.TrainingProgressView.Duration(EstimatedTime)} (h:mm:ss; rough: {AssumedFlops / 1e9:F0} GFLOP/s effective, as Mamba 1.4M trains on 2 CPU cores)");
        if (Stages.Any(s => s.Steps == 0))
        {
            t.AppendLine();
            t.Append("note: stages with 0 steps per epoch hold fewer samples than one batch: lower --tokens-per-step or give more intervals");
        }
        return t.ToString();
    }
}
