using System.CommandLine;
using System.Globalization;
using Genomics.Cli.Output;
using Genomics.Data.Bed;
using Genomics.Data.Datasets;
using Genomics.Data.Genome;
using Genomics.Data.Schedules;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Config;
using Genomics.Mamba.Distributed;
using Genomics.Mamba.Memory;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Precision;
using Genomics.Mamba.Runtime;
using Genomics.Mamba.Scan;
using Genomics.Mamba.Training;
using static TorchSharp.torch;

namespace Genomics.Cli.Commands;

/// <summary>
/// `genomamba pretrain`: next-token pretraining of Mamba or HyenaDNA on genome intervals with the sequence-length
/// warmup (Mamba paper E.3.1). Two recipes: `paper` (E.3 as written: 2^24 tokens per step, 2 epochs per length, the
/// paper's LR) and `quick` (a small model and 2^14 tokens per step for laptops, demos and tests). Without --genome the
/// command trains `quick` on the embedded data (the paper's batch is larger than the whole embedded set) and says so.
/// </summary>
public static class PretrainCommand
{
    /// <summary>Values a recipe sets; every one is overridable by an option.</summary>
    /// <param name="ScheduleSteps">A short schedule: the LR schedule spans (and the run ends after) at most this many steps.</param>
    sealed record Recipe(string Name, string MambaPreset, string HyenaPreset, long TokensPerStep, int EpochsPerStage, long SaveEvery, long EvalEvery,
        int? ValidWindows, long? ScheduleSteps);

    static readonly Recipe Paper = new("paper", "1.4M", "1.4M", 1L << 24, 2, 1000, 1000, null, null);
    static readonly Recipe Quick = new("quick", "d64x4", "d64x2", 1L << 14, 1, 20, 0, 32, 60);

    public static Command Build()
    {
        var recipe = new Option<string?>("--recipe") { Description = "paper (Mamba E.3: 2^24 tokens/step, 2 epochs per length) or quick (small model, 2^14 tokens/step, a 60-step schedule); default: paper with --genome, quick on the embedded data" };
        recipe.AcceptOnlyFromAmong("paper", "quick");
        var model = new Option<string>("--model") { Description = "mamba or hyena", DefaultValueFactory = _ => "mamba" };
        model.AcceptOnlyFromAmong("mamba", "hyena");
        var preset = new Option<string?>("--preset") { Description = "model size: a preset (1.4M, 7M, tiny-1k, …) or dWIDTHxDEPTH (default: paper 1.4M; quick d64x4 Mamba, d64x2 HyenaDNA)" };
        var len = new Option<int>("--len") { Description = "target sequence length L, a power of two ≥ 1024 (e.g. 1048576)", DefaultValueFactory = _ => 1024 };
        var genome = new Option<string?>("--genome") { Description = "genome FASTA/.fa.gz/.2bit (default: the embedded hg38 chr2 piece)" };
        var intervals = new Option<string?>("--intervals") { Description = "BED of intervals with a train/valid/test split column, e.g. the Enformer BED (default: the embedded tiles)" };
        var warmup = new Option<bool>("--warmup") { Description = "sequence-length warmup: 2^10, 2^11, … up to --len (on by default)", DefaultValueFactory = _ => true };
        var noWarmup = new Option<bool>("--no-warmup") { Description = "train at --len only" };
        var tokens = new Option<long?>("--tokens-per-step") { Description = "tokens per optimizer step at every stage (default: paper 16777216 = 2^24, quick 16384 or one sequence of --len if longer)" };
        var lr = new Option<double?>("--lr") { Description = "peak learning rate (default: Mamba 8e-3, HyenaDNA 1e-3)" };
        var steps = new Option<long?>("--steps") { Description = "stop after this many optimizer steps (the LR schedule still spans the whole plan)" };
        var epochs = new Option<int?>("--epochs") { Description = "epochs at each length (default: paper 2, quick 1)" };
        var output = new Option<string?>("--out") { Description = "run directory: checkpoint.gmckpt, metrics.jsonl (default: runs/pretrain-MODEL-L<len>)" };
        var evalEvery = new Option<long?>("--eval-every") { Description = "validate every N steps (default: paper 1000, quick only at the end; 0: only at the end)" };
        var saveEvery = new Option<long?>("--save-every") { Description = "checkpoint every N steps (default: paper 1000, quick 20); always at the end and on Ctrl+C/SIGTERM" };
        var validWindows = new Option<int?>("--valid-windows") { Description = "fixed validation subset at --len (default: 2^22 tokens or 256 windows, whichever is smaller; quick 32)" };
        var common = new TrainingOptions();
        var reduce = new Option<string>("--reduce") { Description = "with several ranks (mpirun, srun): sum gradients in rank order (ordered: the same bits on any MPI, and as one process when each rank takes one micro-batch per step) or in MPI's order (fast)", DefaultValueFactory = _ => "ordered" };
        reduce.AcceptOnlyFromAmong("ordered", "fast");
        var cmd = new Command("pretrain", "Pretrain a Mamba or HyenaDNA language model on a genome with the sequence-length warmup (Mamba paper E.3)")
        {
            recipe, model, preset, len, genome, intervals, warmup, noWarmup, tokens, lr, steps, epochs, output,
            evalEvery, saveEvery, validWindows, reduce,
        };
        foreach (var option in common.All)
        {
            cmd.Options.Add(option);
        }
        cmd.SetAction(parse => TrainingOptions.OneLineErrors(() =>
        {
            var o = parse.InvocationConfiguration.Output;
            var launcher = LauncherEnvironment.Current();
            if (launcher.Rank != 0)
            {
                o = TextWriter.Null;   // under mpirun or srun rank 0 alone prints (errors still reach every rank's stderr)
            }
            bool embedded = parse.GetValue(genome) is null && parse.GetValue(intervals) is null;
            var r = parse.GetValue(recipe) switch
            {
                "paper" => Paper,
                "quick" => Quick,
                _ => embedded ? Quick : Paper,
            };
            string family = parse.GetValue(model)!;
            int length = parse.GetValue(len);
            if (length < PretrainingWarmup.MinimumTargetLength || (length & (length - 1)) != 0)
            {
                throw new ArgumentException($"--len {length} is not a power of two ≥ 1024 (the warmup doubles L from 2^10; e.g. 1024, 4096, 1048576)");
            }
            var s = new Settings
            {
                Recipe = r,
                Embedded = embedded,
                Family = family,
                Preset = parse.GetValue(preset) ?? (family == "mamba" ? r.MambaPreset : r.HyenaPreset),
                Length = length,
                Genome = parse.GetValue(genome) ?? DefaultData.HumanGenome,
                Intervals = parse.GetValue(intervals) ?? DefaultData.HumanIntervals,
                Warmup = parse.GetValue(warmup) && !parse.GetValue(noWarmup),
                TokensPerStep = parse.GetValue(tokens) ?? Math.Max(r.TokensPerStep, length),
                MicroBatch = parse.GetValue(common.MicroBatch),
                Lr = parse.GetValue(lr) ?? (family == "mamba" ? 8e-3 : 1e-3),
                Steps = parse.GetValue(steps),
                Epochs = parse.GetValue(epochs) ?? r.EpochsPerStage,
                Seed = parse.GetValue(common.Seed),
                Out = parse.GetValue(output) ?? Path.Combine("runs", $"pretrain-{family}-L{length}"),
                Resume = common.ResumeRequest(parse),
                EvalEvery = parse.GetValue(evalEvery) ?? r.EvalEvery,
                SaveEvery = parse.GetValue(saveEvery) ?? r.SaveEvery,
                ValidWindows = parse.GetValue(validWindows) ?? r.ValidWindows,
                Threads = parse.GetValue(common.Threads),
                Precision = common.Precision(parse),
                Budget = common.Budget(parse),
                SegmentLength = parse.GetValue(common.SegmentLength),
                OrderedReduction = parse.GetValue(reduce) != "fast",
                Launcher = launcher,
            };
            o.WriteLine(embedded
                ? $"genomamba pretrain: recipe '{r.Name}' on the embedded data ({Path.GetFileName(s.Genome)} + {Path.GetFileName(s.Intervals)}); give --genome and --intervals{(r == Quick ? " (and --recipe paper)" : "")} for a real run"
                : $"genomamba pretrain: recipe '{r.Name}' on {s.Genome} + {s.Intervals}");
            return parse.GetValue(common.DryRun) ? DryRun(s, o) : Train(s, o);
        }));
        return cmd;
    }

    sealed record Settings
    {
        public required Recipe Recipe { get; init; }
        public bool Embedded { get; init; }
        public required string Family { get; init; }
        public required string Preset { get; init; }
        public int Length { get; init; }
        public required string Genome { get; init; }
        public required string Intervals { get; init; }
        public bool Warmup { get; init; }
        public long TokensPerStep { get; init; }
        public int? MicroBatch { get; init; }
        public double Lr { get; init; }
        public long? Steps { get; init; }
        public int Epochs { get; init; }
        public long Seed { get; init; }
        public required string Out { get; init; }
        public string? Resume { get; init; }
        public long EvalEvery { get; init; }
        public long SaveEvery { get; init; }
        public int? ValidWindows { get; init; }
        public int Threads { get; init; }
        public TrainingPrecision Precision { get; init; }
        public long Budget { get; init; }
        public long? SegmentLength { get; init; }
        public bool OrderedReduction { get; init; } = true;
        /// <summary>This process's place in a multi-process job (mpirun, srun), or a single process.</summary>
        public required LauncherEnvironment Launcher { get; init; }

        /// <summary>The model: --model at --preset, a HyenaDNA filter sized for --len.</summary>
        public ModelSpec Model => ModelPresets.LanguageModel(Family, Preset, Length);

        public PretrainingWarmup Warmup_ => new()
        {
            TargetLength = Length,
            TokensPerStep = TokensPerStep,
            EpochsPerStage = Epochs,
            Enabled = Warmup,
        };

        /// <summary>What the data is: a resume must read the same.</summary>
        public string DataSource => string.Create(CultureInfo.InvariantCulture,
            $"{Path.GetFullPath(Genome)} + {Path.GetFullPath(Intervals)}, L={Length}, warmup {(Warmup ? "on" : "off")}, {TokensPerStep} tokens/step, {Epochs} epoch(s)/stage, seed {Seed}");
    }

    static int DryRun(Settings s, TextWriter o)
    {
        TorchRuntime.EnsureLoaded();
        // The plan needs sample counts only: from the BED alone when the genome is not at hand (planning a cluster run).
        IReadOnlyList<GenomeInterval> rows;
        if (File.Exists(s.Genome))
        {
            using var g = GenomeFile.Open(s.Genome);
            rows = GenomeInterval.FromBed(BedReader.Read(s.Intervals, new BedReadOptions { Genome = g }).Intervals);
        }
        else
        {
            if (!s.Embedded && s.Genome != DefaultData.HumanGenome)
            {
                o.WriteLine($"note: {s.Genome} not found; planning from the BED alone");
            }
            rows = GenomeInterval.FromBed(BedReader.Read(s.Intervals).Intervals);
        }
        var plan = TrainingPlan.ForPretraining(s.Model, s.Warmup_, l => IntervalDataset.CountSamples(rows, l), s.Budget, s.Precision, s.MicroBatch, s.SegmentLength,
            s.Launcher.WorldSize);
        o.WriteLine(TrainingPlanText.Format(plan));
        long total = plan.TotalSteps;
        if (total > 0)
        {
            // The same schedule and stop as a real run (Train): a short recipe's schedule ends the run early.
            long scheduled = Math.Min(total, s.Recipe.ScheduleSteps ?? long.MaxValue);
            long stopAt = Math.Min(s.Steps ?? long.MaxValue, scheduled);
            var schedule = LrSchedule.Pretraining(s.Lr, scheduled);
            o.WriteLine($"learning rate: peak {s.Lr:G3}, linear warmup {schedule.WarmupSteps:N0} steps, cosine to {schedule.MinLr:G3} at step {scheduled:N0}" +
                        (stopAt < total ? $"; this run stops after {stopAt:N0} of the plan's {total:N0} steps" +
                                          (s.Recipe.ScheduleSteps is { } cap && cap < total ? $" (recipe '{s.Recipe.Name}' schedules {cap:N0})" : "") : ""));
        }
        if (plan.MemoryProblem(s.MicroBatch is not null) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }
        return 0;
    }

    static int Train(Settings s, TextWriter o)
    {
        TorchRuntime.EnsureLoaded();
        // Under mpirun or srun: this process is one rank of the job; rank 0 alone prints, writes metrics and checkpoints.
        using var group = ProcessGroup.Start(s.Launcher);
        TrainingOptions.SetThreads(s.Threads);
        ScanBackend.Notice += line => o.WriteLine(line);
        _ = ScanBackend.Kind;
        string? resumeFrom = RunDirectory.ResumeFrom(s.Resume, s.Out);

        using var genome = GenomeFile.Open(s.Genome);
        var rows = GenomeInterval.FromBed(BedReader.Read(s.Intervals, new BedReadOptions { Genome = genome }).Intervals);
        var spec = s.Model;
        var warmup = s.Warmup_;
        var datasetOptions = new IntervalDatasetOptions { Seed = s.Seed };
        // Sample counts come from the datasets themselves, which also check every interval against the genome.
        var counts = new Dictionary<int, long>();
        long Samples(int l) => counts.TryGetValue(l, out long c) ? c : counts[l] = new IntervalDataset(genome, rows, datasetOptions with { Length = l }).Count;
        var plan = TrainingPlan.ForPretraining(spec, warmup, Samples, s.Budget, s.Precision, s.MicroBatch, s.SegmentLength, group.WorldSize);
        if (plan.MemoryProblem(s.MicroBatch is not null) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }
        if (plan.TotalSteps == 0)
        {
            throw new ArgumentException($"the plan has no optimizer steps: {s.Intervals} holds fewer train samples than one batch of {s.TokensPerStep:N0} tokens at some length; lower --tokens-per-step or give more intervals");
        }

        manual_seed(s.Seed);
        using var model = plan.Model.Build();
        foreach (var backbone in TrainingStage.Backbones(model))
        {
            backbone.Precision = s.Precision.Compute();
        }
        var task = new LanguageModelTask(model, genome, rows, plan.Warmup, datasetOptions,
            s.ValidWindows ?? LanguageModelTask.DefaultValidationWindows(s.Length), s.DataSource);
        long scheduled = Math.Min(plan.TotalSteps, s.Recipe.ScheduleSteps ?? long.MaxValue);
        var schedule = LrSchedule.Pretraining(s.Lr, scheduled);
        var trainer = new Trainer(task, schedule, new TrainerOptions
        {
            Seed = s.Seed,
            MaxSteps = Math.Min(s.Steps ?? long.MaxValue, scheduled),
            EvalEvery = s.EvalEvery,
            SaveEvery = s.SaveEvery,
            OutputDirectory = s.Out,
            Group = group,
            OrderedReduction = s.OrderedReduction,
        }, plan);
        o.WriteLine($"model: {plan.Model.ConfigText}; {TrainingOptions.PrecisionText(s.Precision)}");
        o.WriteLine($"plan: {plan.Stages.Count} stage(s), {plan.TotalSteps:N0} steps, {plan.TotalTokens:N0} tokens; LR {s.Lr:G3} cosine over {scheduled:N0} steps, warmup {schedule.WarmupSteps:N0}" +
                    (Math.Min(s.Steps ?? long.MaxValue, scheduled) is var stopAt && stopAt < plan.TotalSteps ? $"; stopping after {stopAt:N0} steps" : ""));
        o.WriteLine($"output: {Path.Combine(s.Out, Trainer.CheckpointFileName)}, {Path.Combine(s.Out, Trainer.MetricsFileName)}");
        if (group.WorldSize > 1)
        {
            o.WriteLine($"ranks: {group.WorldSize} (data parallel; gradients summed {(s.OrderedReduction ? "in rank order" : "in MPI's order")}); " +
                        $"each rank takes {plan.Stages[0].Warmup.MicroBatch} × {plan.Stages[0].Warmup.Accumulation / group.WorldSize} of every step's micro-batches at the first stage");
        }
        var view = new TrainingProgressView(o, live: TrainingProgressView.IsTerminal && ReferenceEquals(o, Console.Out), perplexity: true);
        trainer.Progress += view.Handle;
        using var stop = new StopSignal(line => o.WriteLine(line));
        using var checkpoint = resumeFrom is null ? null : Checkpoint.Load(resumeFrom);
        if (checkpoint is not null)
        {
            o.WriteLine($"resuming {resumeFrom} at step {checkpoint.Step}");
        }
        var result = trainer.Run(checkpoint, stop.Token);
        if (result.Validation.TryGetValue("valid_ppl", out double ppl))
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"validation perplexity {ppl:F4} (loss {result.Validation["valid_loss"]:F4}) on {result.Validation["valid_windows"]} window(s) of L={s.Length:N0}"));
        }
        if (result.Stopped)
        {
            o.WriteLine($"stopped at step {result.Step}; continue with: genomamba pretrain … --out {s.Out} --resume");
            return 130;
        }
        return 0;
    }
}
