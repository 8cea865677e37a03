using System.Diagnostics;
using System.Text.Json.Nodes;
using Genomics.Data;
using Genomics.Data.Datasets;
using Genomics.Data.Schedules;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Memory;
using Genomics.Mamba.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Training;

/// <summary>
/// The training loop shared by pretraining and fine-tuning: for each optimizer step, <see cref="WarmupStage.Accumulation"/>
/// micro-batches (forward, loss / accumulation, backward, each in its own dispose scope), global-norm clipping, the LR of
/// the step from the <see cref="LrSchedule"/>, an AdamW step. The data position is a function of the global step
/// (<see cref="WarmupPlan.AtStep"/>) and every batch a function of (seed, epoch, index), so a run resumed from a
/// checkpoint — weights, AdamW moments and step counts, torch's generator — continues bit-for-bit as if never stopped.
/// Stopping (the token) is honoured between micro-batches: the partial step is dropped and the checkpoint holds the
/// last whole step. Progress goes out through <see cref="Progress"/>; nothing is printed.
/// </summary>
public sealed class Trainer
{
    /// <summary>The rolling checkpoint in the output directory (replaced atomically at every save).</summary>
    public const string CheckpointFileName = "checkpoint.gmckpt";

    /// <summary>Every logged value, one JSON object per line.</summary>
    public const string MetricsFileName = "metrics.jsonl";

    // Micro-batches of at least this many tokens collect the garbage after every step: TorchSharp's autograd glue leaves
    // handles no dispose scope owns, and at long lengths their storage would otherwise pile up until the GC runs
    // (TrainingStepProbe measured the peak growing step after step without it).
    const long CollectFromTokens = 1 << 16;

    readonly ITrainingTask _task;
    readonly LrSchedule _schedule;
    readonly TrainerOptions _options;
    readonly Dictionary<int, IBatchSource> _sources = [];

    /// <param name="plan">The run's <see cref="TrainingPlan"/>: its stages must be the task's, and each stage's memory plan
    /// (recompute, segments) is applied to the model when the stage starts. Null leaves the model's settings alone.</param>
    public Trainer(ITrainingTask task, LrSchedule schedule, TrainerOptions options, TrainingPlan? plan = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        _task = task;
        _schedule = (schedule ?? throw new ArgumentNullException(nameof(schedule))).Validate();
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        if (plan is not null && !plan.Warmup.Stages.SequenceEqual(task.Plan.Stages))
        {
            throw new ArgumentException($"the training plan's stages ({plan.Warmup}) are not the task's ({task.Plan})", nameof(plan));
        }
        if (plan is not null && plan.WorldSize != _options.Group.WorldSize)
        {
            throw new ArgumentException($"the training plan was made for {plan.WorldSize} rank(s), this job has {_options.Group.WorldSize}", nameof(plan));
        }
        Plan = plan;
        TotalSteps = task.Plan.TotalSteps(task.SamplesPerEpoch);
    }

    /// <summary>The plan whose stages this trainer applies, or null.</summary>
    public TrainingPlan? Plan { get; }

    /// <summary>Reports every step, stage change, validation, checkpoint and the end.</summary>
    public event Action<TrainingEvent>? Progress;

    /// <summary>Optimizer steps in the whole plan.</summary>
    public long TotalSteps { get; }

    /// <summary>Where the rolling checkpoint goes, or null without an output directory.</summary>
    public string? CheckpointPath => OutputDirectory is { } d ? Path.Combine(d, CheckpointFileName) : null;

    /// <summary>Where this process writes: the output directory on rank 0, nothing on the other ranks.</summary>
    string? OutputDirectory => _options.Group.IsMain ? _options.OutputDirectory : null;

    /// <summary>
    /// Trains from step 0, or from <paramref name="resume"/> (a checkpoint this engine wrote for the same model, task and
    /// data), until the plan or <see cref="TrainerOptions.MaxSteps"/> ends or <paramref name="cancellationToken"/> fires.
    /// </summary>
    public TrainingResult Run(Checkpoint? resume = null, CancellationToken cancellationToken = default)
    {
        var model = _task.Model;
        var plan = _task.Plan;
        long end = Math.Min(TotalSteps, _options.MaxSteps ?? TotalSteps);
        if (OutputDirectory is { } outDir)
        {
            Directory.CreateDirectory(outDir);
        }
        using var optimizer = AdamWState.Create(model, _options, _schedule.At(0));
        long step = 0;
        if (resume is null)
        {
            manual_seed(_options.Seed);
        }
        else
        {
            step = Restore(resume, optimizer);
        }
        using var metrics = OutputDirectory is { } dir ? new MetricsWriter(Path.Combine(dir, MetricsFileName), step) : null;
        var clock = Stopwatch.StartNew();
        long tokensSeen = 0;
        for (long s = 0; s < step; s++)
        {
            tokensSeen += plan.AtStep(s, _task.SamplesPerEpoch).Stage.TokensPerStep;
        }
        long tokensAtStart = tokensSeen, stepAtStart = step;
        var losses = new List<double>();
        IReadOnlyDictionary<string, double> validation = new Dictionary<string, double>();
        string? saved = null;
        bool stopped = false;
        int lastStage = -1;
        var start = step < TotalSteps ? plan.AtStep(step, _task.SamplesPerEpoch) : plan.AtEpoch(plan.TotalEpochs - 1);
        Emit(Event(TrainingEventKind.Started, step, end, start, 0, 0, 0, 0, tokensSeen, clock, null), metrics);

        model.train();
        var parameters = model.parameters().Where(p => p.requires_grad).ToArray();
        var group = _options.Group;
        if (group.WorldSize > 1)
        {
            DataParallel.BroadcastParameters(group, model);              // every rank starts from rank 0's weights
        }
        while (step < end && !stopped)
        {
            var at = plan.AtStep(step, _task.SamplesPerEpoch);
            var stage = at.Stage;
            if (at.StageIndex != lastStage)
            {
                lastStage = at.StageIndex;
                Plan?.Stages[at.StageIndex].ApplyTo(model);
                Emit(Event(TrainingEventKind.StageStarted, step, end, at, 0, 0, 0, 0, tokensSeen, clock, null), metrics);
            }
            long stepsPerEpoch = stage.StepsPerEpoch(_task.SamplesPerEpoch(stage.Length));
            long steps = Math.Min(stepsPerEpoch - at.StepInEpoch, end - step);
            int mine = DataParallel.MicroBatchesPerRank(stage, group.WorldSize);   // this rank's share of each step's micro-batches
            var loader = new PrefetchLoader(DataParallel.Slice(Source(at.StageIndex, stage), stage.Accumulation, group),
                new PrefetchLoaderOptions { Workers = _options.LoaderWorkers, Prefetch = Math.Max(2, Math.Min(4, mine + 1)) });
            using var batches = loader.Epoch(at.Epoch, checked((int)(at.StepInEpoch * mine))).GetEnumerator();
            for (long k = 0; k < steps; k++)
            {
                // Every rank stops at the same step boundary: a rank that stopped alone would leave the others waiting.
                if (DataParallel.AnyRank(group, cancellationToken.IsCancellationRequested))
                {
                    stopped = true;
                    break;
                }
                long t0 = Stopwatch.GetTimestamp();
                double lossSum = 0;
                for (int j = 0; j < mine; j++)
                {
                    if (j > 0 && group.WorldSize == 1 && cancellationToken.IsCancellationRequested)
                    {
                        stopped = true;
                        break;
                    }
                    if (!batches.MoveNext())
                    {
                        throw new InvalidOperationException($"the loader ran out of batches at step {step} (epoch {at.Epoch}); the plan and the data disagree");
                    }
                    lossSum += MicroStep(_task, batches.Current, stage.Accumulation);
                }
                if (stopped)
                {
                    model.zero_grad();   // the partial step is dropped; the checkpoint holds the last whole one
                    break;
                }
                if (group.WorldSize > 1)
                {
                    // The gradient of the mean loss over the whole global batch on every rank, before clipping.
                    lossSum = DataParallel.SumGradients(group, parameters, lossSum, _options.OrderedReduction);
                }
                double lr = _schedule.At(step);
                double norm = 0;
                using (NewDisposeScope())
                {
                    if (_options.GradientClip > 0)
                    {
                        norm = nn.utils.clip_grad_norm_(parameters, _options.GradientClip);
                    }
                    AdamWState.SetLearningRate(optimizer, lr);
                    optimizer.step();
                }
                model.zero_grad();
                if ((long)stage.MicroBatch * stage.Length >= CollectFromTokens)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                }
                step++;
                tokensSeen += stage.TokensPerStep;
                double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                double loss = lossSum / stage.Accumulation;
                losses.Add(loss);
                Emit(Event(TrainingEventKind.Step, step, end, at, loss, lr, norm, seconds, tokensSeen, clock,
                    Remaining(clock, step - stepAtStart, end - step)) with
                {
                    TokensPerSecond = (tokensSeen - tokensAtStart) / Math.Max(1e-9, clock.Elapsed.TotalSeconds),
                }, metrics);
                if (_options.SaveEvery > 0 && step % _options.SaveEvery == 0 && step < end)
                {
                    saved = Save(step, optimizer, metrics, clock, end);
                }
                if (_options.EvalEvery > 0 && step % _options.EvalEvery == 0 && step < end && !_options.SkipEvaluation)
                {
                    validation = Evaluate(step, end, metrics, clock, cancellationToken);
                }
            }
        }
        if (!stopped && !_options.SkipEvaluation && !cancellationToken.IsCancellationRequested)
        {
            validation = Evaluate(step, end, metrics, clock, cancellationToken);
        }
        saved = Save(step, optimizer, metrics, clock, end) ?? saved;
        string reason = stopped ? "stopped" : step >= TotalSteps ? "completed" : "step limit";
        Emit(Event(TrainingEventKind.Finished, step, end, start, 0, 0, 0, 0, tokensSeen, clock, null) with { Reason = reason }, metrics);
        return new TrainingResult(step, TotalSteps, stopped, losses, validation, saved);
    }

    /// <summary>
    /// Forward and backward of one micro-batch, its loss scaled by 1 / <paramref name="accumulation"/> so that the
    /// gradients summed over the step's micro-batches are those of the mean loss over the whole batch (micro-batches
    /// are equal in size). Returns the unscaled mean loss of the micro-batch.
    /// </summary>
    internal static double MicroStep(ITrainingTask task, Batch batch, int accumulation)
    {
        using var scope = NewDisposeScope();
        var loss = task.Loss(batch);                                       // mean over the micro-batch
        (accumulation == 1 ? loss : loss / accumulation).backward();
        return loss.ToDouble();
    }

    IBatchSource Source(int stageIndex, WarmupStage stage)
    {
        if (!_sources.TryGetValue(stageIndex, out var source))
        {
            source = _task.TrainBatches(stage);
            _sources[stageIndex] = source;
        }
        return source;
    }

    IReadOnlyDictionary<string, double> Evaluate(long step, long end, MetricsWriter? metrics, Stopwatch clock, CancellationToken cancellationToken)
    {
        var model = _task.Model;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            var result = _task.Evaluate(cancellationToken);
            var at = _task.Plan.AtStep(Math.Max(0, Math.Min(step, TotalSteps) - 1), _task.SamplesPerEpoch);
            Emit(Event(TrainingEventKind.Evaluated, step, end, at, 0, 0, 0, 0, 0, clock, null) with { Metrics = result }, metrics);
            return result;
        }
        finally
        {
            model.train();
        }
    }

    string? Save(long step, TorchSharp.Modules.AdamW optimizer, MetricsWriter? metrics, Stopwatch clock, long end)
    {
        if (CheckpointPath is not { } path)
        {
            return null;
        }
        var checkpoint = MakeCheckpoint(step, optimizer);
        checkpoint.Save(path);
        var at = _task.Plan.AtStep(Math.Max(0, Math.Min(step, TotalSteps) - 1), _task.SamplesPerEpoch);
        Emit(Event(TrainingEventKind.Saved, step, end, at, 0, 0, 0, 0, 0, clock, null) with { Path = path }, metrics);
        return path;
    }

    /// <summary>Everything a resume needs, as of the end of global step <paramref name="step"/>.</summary>
    Checkpoint MakeCheckpoint(long step, TorchSharp.Modules.AdamW optimizer)
    {
        var model = _task.Model;
        DataPosition? data = null;
        if (step < TotalSteps)
        {
            var at = _task.Plan.AtStep(step, _task.SamplesPerEpoch);
            data = new DataPosition(at.Epoch, at.StepInEpoch * at.Stage.Batch, at.StepInEpoch * at.Stage.Accumulation, _task.DataSource);
        }
        using var rng = torch.random.get_rng_state();
        return new Checkpoint
        {
            Model = ModelSpec.Of(model),
            Weights = StateDicts.Of(model),
            Step = step,
            Data = data ?? new DataPosition(_task.Plan.TotalEpochs, 0, 0, _task.DataSource),
            Rng = new RngState(_options.Seed) { State = rng.data<byte>().ToArray() },
            Optimizer = AdamWState.Save(model, optimizer),
            Scheduler = new CheckpointSlot
            {
                State = new JsonObject
                {
                    ["kind"] = "cosine-with-linear-warmup",
                    ["peak_lr"] = _schedule.PeakLr,
                    ["warmup_steps"] = _schedule.WarmupSteps,
                    ["total_steps"] = _schedule.TotalSteps,
                    ["min_lr"] = _schedule.MinLr,
                    ["step"] = step,
                },
            },
            Metadata = new Dictionary<string, string>
            {
                ["task"] = _task.IsLanguageModel ? "pretrain" : "classification",
                ["data"] = _task.DataSource,
                ["length"] = _task.Plan.Target.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
    }

    long Restore(Checkpoint checkpoint, TorchSharp.Modules.AdamW optimizer)
    {
        string source = checkpoint.SourcePath ?? "(checkpoint)";
        if (checkpoint.Data?.Source is { } trainedOn && trainedOn != _task.DataSource)
        {
            throw new DataFormatException(source, $"was trained on {trainedOn}, but this run reads {_task.DataSource}",
                "resume with the same data, length, tokens per step and seed, or start a new run in another --out directory");
        }
        checkpoint.LoadInto(_task.Model);
        if (checkpoint.Optimizer is not { } slot)
        {
            throw new DataFormatException(source, "holds no optimizer state (it is a weights-only checkpoint)", "resume from the checkpoint.gmckpt a training run wrote, or pass it to --from instead");
        }
        AdamWState.Restore(_task.Model, optimizer, slot, source);
        if (checkpoint.Rng is { State.Length: > 0 } rng)
        {
            using var state = tensor(rng.State, dtype: ScalarType.Byte);
            torch.random.set_rng_state(state);
        }
        if (checkpoint.Step > TotalSteps)
        {
            throw new DataFormatException(source, $"is at step {checkpoint.Step}, past the {TotalSteps} steps of this plan", "resume with the plan the run was started with");
        }
        return checkpoint.Step;
    }

    static TimeSpan? Remaining(Stopwatch clock, long done, long left) =>
        done > 0 ? TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / done * left) : null;

    TrainingEvent Event(TrainingEventKind kind, long step, long end, WarmupPosition at, double loss, double lr, double norm, double seconds,
        long tokens, Stopwatch clock, TimeSpan? remaining) =>
        new(kind, step, end, at.StageIndex, _task.Plan.Stages.Count, at.Epoch, at.Stage.Length, at.Stage.Batch, at.Stage.MicroBatch,
            at.Stage.Accumulation, loss, lr, norm, seconds > 0 ? at.Stage.TokensPerStep / seconds : 0, seconds, clock.Elapsed, remaining,
            ProcessMemory.CurrentBytes, ProcessMemory.PeakBytes, tokens);

    void Emit(TrainingEvent e, MetricsWriter? metrics)
    {
        metrics?.Write(e);
        Progress?.Invoke(e);
    }
}
