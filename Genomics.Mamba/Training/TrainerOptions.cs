namespace Genomics.Mamba.Training;

/// <summary>
/// How the engine trains, whatever the task: AdamW's hyper-parameters, clipping, how far to go, and when to log,
/// validate and checkpoint. Defaults are the Mamba paper's (E.3: AdamW β = (0.9, 0.95), weight decay 0.1, clip 1.0).
/// The learning rate lives in the <see cref="LrSchedule"/>.
/// </summary>
public sealed record TrainerOptions
{
    public double Beta1 { get; init; } = 0.9;

    public double Beta2 { get; init; } = 0.95;

    public double Eps { get; init; } = 1e-8;

    /// <summary>Decoupled weight decay of the decay group (ParameterGroups: none on A_log, D, norms, biases, embedding, Hyena filters).</summary>
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Maximum global gradient norm; 0 turns clipping off.</summary>
    public double GradientClip { get; init; } = 1.0;

    /// <summary>Seed of the model initialisation, the data order and torch's generator.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Stop after this global step (the schedule still spans the whole plan); null runs the plan to its end.</summary>
    public long? MaxSteps { get; init; }

    /// <summary>Validate every this many optimizer steps (and at the end); 0: only at the end.</summary>
    public long EvalEvery { get; init; }

    /// <summary>Write a checkpoint every this many optimizer steps (and at the end and when stopped); 0: only then.</summary>
    public long SaveEvery { get; init; }

    /// <summary>Where the checkpoint and the metrics go; null keeps nothing on disk (tests).</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Loader threads filling batches ahead of the model.</summary>
    public int LoaderWorkers { get; init; } = 2;

    /// <summary>
    /// The processes training together (data parallel): each takes its share of every step's micro-batches, gradients
    /// are summed across them before clipping, and only rank 0 writes checkpoints and metrics. Single by default.
    /// </summary>
    public Distributed.ProcessGroup Group { get; init; } = Distributed.ProcessGroup.Single;

    /// <summary>
    /// Sum gradients across ranks in rank order (the same bits for a given world size on any MPI; with one micro-batch
    /// per rank per step, the same bits as one process) rather than in MPI_Allreduce's order.
    /// </summary>
    public bool OrderedReduction { get; init; } = true;

    /// <summary>Skip the validation pass entirely (tests that only compare training curves).</summary>
    public bool SkipEvaluation { get; init; }

    /// <summary>Throws naming the first bad field.</summary>
    public TrainerOptions Validate()
    {
        if (!(Beta1 >= 0 && Beta1 < 1) || !(Beta2 >= 0 && Beta2 < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Beta1), $"AdamW betas must lie in [0, 1), got ({Beta1}, {Beta2})");
        }
        if (!(Eps > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(Eps), Eps, $"{nameof(Eps)} must be > 0");
        }
        if (!(WeightDecay >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "weight decay must be ≥ 0 (--weight-decay)");
        }
        if (!(GradientClip >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(GradientClip), GradientClip, "gradient clip must be ≥ 0 (0 turns it off)");
        }
        if (MaxSteps is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSteps), MaxSteps, "--steps must be at least 1");
        }
        if (EvalEvery < 0 || SaveEvery < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(EvalEvery), "--eval-every and --save-every must be ≥ 0 (0: only at the end)");
        }
        if (LoaderWorkers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(LoaderWorkers), LoaderWorkers, "at least one loader worker is needed");
        }
        return this;
    }
}
