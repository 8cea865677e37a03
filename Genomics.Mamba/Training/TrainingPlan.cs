using Genomics.Data.Schedules;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Memory;

namespace Genomics.Mamba.Training;

/// <summary>
/// A whole run as `--dry-run` shows it and the <see cref="Trainer"/> executes it: the model, and for every stage of the
/// sequence-length warmup its batch, micro-batch × accumulation and the memory plan (recompute, segments, predicted
/// peak) chosen by the <see cref="MemoryPlanner"/> within the budget for that stage's own length. Made for pretraining
/// (<see cref="ForPretraining"/>) and for species fine-tuning (<see cref="ForSpecies"/>) by the same rule.
/// </summary>
public sealed record TrainingPlan(ModelSpec Model, IReadOnlyList<TrainingStage> Stages, long BudgetBytes, TrainingPrecision Precision)
{
    /// <summary>
    /// Effective CPU training throughput assumed for the time estimate, in FLOP/s: Mamba 1.4M trained at 5.7k tokens/s
    /// (4 × 4096 tokens, 2.85 s per step, `bench model`, 2 cores), i.e. 6 · 1.4M · 5.7k ≈ 48 GFLOP/s. A guess for other
    /// machines and lengths; the live ETA during a run is measured.
    /// </summary>
    public const double AssumedFlops = 48e9;

    /// <summary>Processes sharing every step (data parallel): each takes MicroBatch × Accumulation / WorldSize sequences.</summary>
    public int WorldSize { get; init; } = 1;

    /// <summary>The stages without their memory plans: what the tasks and the data position follow.</summary>
    public WarmupPlan Warmup => new(Stages.Select(s => s.Warmup).ToArray());

    public long TotalSteps => Stages.Sum(s => s.Steps);

    public long TotalTokens => Stages.Sum(s => s.Tokens);

    public bool Fits => Stages.All(s => s.Memory.Fits);

    /// <summary>Rough wall time: 6 FLOPs per parameter per token (8 with recompute) at <see cref="AssumedFlops"/>.</summary>
    public TimeSpan EstimatedTime => TimeSpan.FromSeconds(Stages.Sum(s =>
        s.Tokens * (s.Memory.Recompute ? 8.0 : 6.0) * Model.ParameterCount / AssumedFlops));

    /// <summary>
    /// Pretraining (Mamba E.3.1): every stage of <paramref name="warmup"/>, its steps per epoch from
    /// <paramref name="samplesPerEpoch"/>. <paramref name="microBatch"/>: the user's micro-batch (it must divide each
    /// stage's batch where it is smaller, and fit), otherwise the planner's; <paramref name="segmentLength"/>: recompute in
    /// segments (Mamba) or position chunks (HyenaDNA) of this many positions at stages longer than it.
    /// </summary>
    /// <param name="worldSize">Processes sharing each step: every stage is planned for a per-rank batch of batch / worldSize
    /// (the budget is each rank's), and its accumulation counts the micro-batches of all ranks.</param>
    public static TrainingPlan ForPretraining(ModelSpec model, PretrainingWarmup warmup, Func<int, long> samplesPerEpoch, long budget,
        TrainingPrecision precision, int? microBatch = null, long? segmentLength = null, int worldSize = 1)
    {
        ArgumentNullException.ThrowIfNull(warmup);
        return Make(model, warmup.ToPlan(), samplesPerEpoch, budget, precision, microBatch, segmentLength, worldSize);
    }

    /// <summary>
    /// Species fine-tuning (Mamba E.3.4): the species warmup's stages (2^14 … L/2 one epoch each, then the rest at L), the
    /// same batch and <paramref name="stepsPerEpoch"/> throughout, each stage planned at its own length.
    /// </summary>
    public static TrainingPlan ForSpecies(ModelSpec model, SpeciesWarmup warmup, long stepsPerEpoch, long budget, TrainingPrecision precision,
        int? microBatch = null, long? segmentLength = null, int worldSize = 1)
    {
        ArgumentNullException.ThrowIfNull(warmup);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerEpoch, 1);
        if (microBatch is { } m && (m < 1 || warmup.Batch % m != 0))
        {
            throw new ArgumentException($"--micro-batch {m} must be at least 1 and divide --batch {warmup.Batch}");
        }
        return Make(model, (warmup with { MicroBatchCap = null }).ToPlan(), _ => stepsPerEpoch * warmup.Batch, budget, precision, microBatch, segmentLength,
            worldSize);
    }

    static TrainingPlan Make(ModelSpec model, WarmupPlan warmup, Func<int, long> samplesPerEpoch, long budget, TrainingPrecision precision,
        int? microBatch, long? segmentLength, int worldSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(samplesPerEpoch);
        if (microBatch is < 1)
        {
            throw new ArgumentException($"--micro-batch {microBatch}: must be at least 1");
        }
        if (segmentLength is < 1)
        {
            throw new ArgumentException($"--segment-length {segmentLength}: must be at least 1");
        }
        model = model.ForContext(warmup.Target.Length);
        var stages = new List<TrainingStage>();
        foreach (var s in warmup.Stages)
        {
            if (s.Batch % worldSize != 0)
            {
                throw new ArgumentException($"the batch {s.Batch} of the stage at L={s.Length:N0} does not split over {worldSize} ranks; use a world size that divides it");
            }
            // Each rank plans its own share of the batch; the stage's accumulation counts every rank's micro-batches.
            var perRank = s with { Batch = s.Batch / worldSize };
            var memory = StageMemory(model, perRank, budget, precision, microBatch, segmentLength);
            var stage = new WarmupStage(s.Epochs, s.Length, s.Batch, (int)memory.MicroBatch, (int)memory.GradientAccumulation * worldSize);
            stages.Add(new TrainingStage(stage, stage.StepsPerEpoch(samplesPerEpoch(s.Length)), memory));
        }
        return new TrainingPlan(model, stages, budget, precision) { WorldSize = worldSize };
    }

    /// <summary>The memory plan of one stage: the user's segments and micro-batch where given, the planner's choice otherwise.</summary>
    static MemoryPlan StageMemory(ModelSpec model, WarmupStage s, long budget, TrainingPrecision precision, int? microBatch, long? segmentLength)
    {
        if (segmentLength is { } seg && seg < s.Length)
        {
            int micro = Math.Min(microBatch ?? 1, s.Batch);
            CheckDivides(micro, s);
            var estimate = MemoryPlanner.Estimate(model, s.Length, micro, precision, checkpointing: true, segmentLength: seg);
            return new MemoryPlan(model.ConfigText, s.Length, s.Batch, precision, budget, true, seg, micro, s.Batch / micro, estimate,
                estimate.TotalBytes <= budget);
        }
        if (microBatch is { } m)
        {
            int micro = Math.Min(m, s.Batch);
            CheckDivides(micro, s);
            var memory = MemoryPlanner.Plan(model, s.Length, micro, budget, precision);
            return memory with { Batch = s.Batch, MicroBatch = micro, GradientAccumulation = s.Batch / micro, Fits = memory.Fits && memory.MicroBatch == micro };
        }
        return MemoryPlanner.Plan(model, s.Length, s.Batch, budget, precision);
    }

    static void CheckDivides(int micro, WarmupStage s)
    {
        if (s.Batch % micro != 0)
        {
            throw new ArgumentException($"--micro-batch {micro} does not divide the batch {s.Batch} of the stage at L={s.Length}; use a power of two");
        }
    }

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
            ? "use a smaller --micro-batch (or leave it out to let the planner choose)"
            : $"lower --len{(Precision == TrainingPrecision.Float32 ? ", use --dtype bf16" : "")}, or raise --memory-gib if the machine has more";
        return $"not enough memory for the stage at L={bad.Warmup.Length:N0}: micro-batch {bad.Memory.MicroBatch} needs about {need}, the budget is {have}; {fix}";
    }
}
