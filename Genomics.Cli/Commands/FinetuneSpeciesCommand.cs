using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Genomics.Cli.Output;
using Genomics.Data;
using Genomics.Data.Datasets;
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
/// `genomamba finetune-species`: species classification from the last token (Mamba paper E.3.4) on a pretrained
/// backbone (--from) or a random one. Recipe `paper`: 10 epochs × 1,024 steps, batch 64, species warmup above 2^14,
/// 5 + 5 epoch LR schedule (Mamba 1e-4, HyenaDNA 4e-5). Recipe `quick`: the same shape, 2 epochs × 16 steps of 16.
/// Ends with accuracy (Wilson interval), per-species accuracy and the confusion matrix on the held-out test part, also
/// written to OUT/test.json.
/// </summary>
public static class FinetuneSpeciesCommand
{
    /// <summary>Written in --out at the end: the test reports as JSON (accuracy with its Wilson interval, per species, confusion).</summary>
    public const string TestResultsFileName = "test.json";

    sealed record Recipe(string Name, string MambaPreset, string HyenaPreset, int Epochs, int WarmupEpochs, long StepsPerEpoch, int Batch,
        double MambaLr, double HyenaLr, long HeldOutSamples, long SaveEvery);

    static readonly Recipe Paper = new("paper", "1.4M", "1.4M", 10, 5, 1024, 64, 1e-4, 4e-5, 1024, 1024);
    // A randomly initialised small model learns little in 32 steps at the paper's fine-tuning LR: quick uses 10×.
    static readonly Recipe Quick = new("quick", "d64x4", "d64x2", 2, 1, 16, 16, 1e-3, 4e-4, 128, 16);

    public static Command Build()
    {
        var species = new Argument<string?>("SPECIES")
        {
            Description = "directory with one genome file per species, or a TSV manifest species<TAB>path (default: the embedded great-ape chr22 windows)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var recipe = new Option<string?>("--recipe") { Description = "paper (E.3.4: 10 × 1,024 steps of 64) or quick (2 × 16 steps of 16); default: paper with SPECIES, quick on the embedded apes" };
        recipe.AcceptOnlyFromAmong("paper", "quick");
        var from = new Option<string?>("--from") { Description = "pretrained checkpoint (.gmckpt from `genomamba pretrain`) whose backbone starts the classifier (default: random initialisation, with a warning)" };
        var model = new Option<string?>("--model") { Description = "mamba or hyena (default: the --from checkpoint's, else mamba)" };
        model.AcceptOnlyFromAmong("mamba", "hyena");
        var preset = new Option<string?>("--preset") { Description = "model size without --from: a preset or dWIDTHxDEPTH (default: paper 1.4M; quick d64x4 Mamba, d64x2 HyenaDNA)" };
        var len = new Option<int>("--len") { Description = "sequence length L, a power of two ≥ 1024; above 2^14 the species warmup trains 1 epoch at each of 2^14 … L/2 first", DefaultValueFactory = _ => 1024 };
        var concatenate = new Option<bool?>("--concatenate") { Description = "read each species' records as one sequence and hold out contiguous regions (default: on for the embedded apes; otherwise held-out chromosomes, HyenaDNA's lists)" };
        var epochs = new Option<int?>("--epochs") { Description = "epochs, the species warmup's included (default: paper 10, quick 2; at least one more than the warmup's one per length 2^14 … L/2)" };
        var stepsPerEpoch = new Option<long?>("--steps-per-epoch") { Description = "optimizer steps per epoch (default: paper 1024, quick 16)" };
        var batch = new Option<int?>("--batch") { Description = "sequences per optimizer step (default: paper 64, quick 16)" };
        var lr = new Option<double?>("--lr") { Description = "peak learning rate (default: paper Mamba 1e-4, HyenaDNA 4e-5; quick 10×)" };
        var warmupEpochs = new Option<int?>("--lr-warmup-epochs") { Description = "epochs of linear LR warmup before the cosine decay to 1e-6 (default: half the epochs: paper 5, quick 1)" };
        var steps = new Option<long?>("--steps") { Description = "stop after this many optimizer steps (the schedule still spans all epochs)" };
        var heldOut = new Option<long?>("--eval-samples") { Description = "size of the fixed valid and test sets (default: paper 1024, quick 128)" };
        var test = new Option<string?>("--test") { Description = "also score the test part of another species directory or manifest (same species names)" };
        var output = new Option<string?>("--out") { Description = "run directory: checkpoint.gmckpt, metrics.jsonl (default: runs/species-MODEL-L<len>)" };
        var evalEvery = new Option<long?>("--eval-every") { Description = "validate every N steps (default: once per epoch)" };
        var saveEvery = new Option<long?>("--save-every") { Description = "checkpoint every N steps (default: once per epoch); always at the end and on Ctrl+C/SIGTERM" };
        var common = new TrainingOptions();
        var cmd = new Command("finetune-species", "Fine-tune a Mamba or HyenaDNA backbone to classify species from the last token (Mamba paper E.3.4)")
        {
            species, recipe, from, model, preset, len, concatenate, epochs, stepsPerEpoch, batch, lr, warmupEpochs, steps, heldOut, test,
            output, evalEvery, saveEvery,
        };
        foreach (var option in common.All)
        {
            cmd.Options.Add(option);
        }
        cmd.SetAction(parse => TrainingOptions.OneLineErrors(() =>
        {
            var o = parse.InvocationConfiguration.Output;
            // Under mpirun or srun this process is one rank of the job; rank 0 alone prints, writes metrics and results.
            var launcher = LauncherEnvironment.Current();
            if (launcher.Rank != 0)
            {
                o = TextWriter.Null;
            }
            string? source = parse.GetValue(species);
            bool embedded = source is null;
            var r = parse.GetValue(recipe) switch
            {
                "paper" => Paper,
                "quick" => Quick,
                _ => embedded ? Quick : Paper,
            };
            int length = parse.GetValue(len);
            if (length < 1024 || (length & (length - 1)) != 0)
            {
                throw new ArgumentException($"--len {length} is not a power of two ≥ 1024 (the species warmup steps through powers of two; e.g. 1024, 16384, 1048576)");
            }
            source ??= DefaultData.Apes;
            o.WriteLine(embedded
                ? $"genomamba finetune-species: recipe '{r.Name}' on the embedded great-ape windows ({source}); give a species directory (and --recipe paper) for a real run"
                : $"genomamba finetune-species: recipe '{r.Name}' on {source}");
            TorchRuntime.EnsureLoaded();
            TrainingOptions.SetThreads(parse.GetValue(common.Threads));
            ScanBackend.Notice += line => o.WriteLine(line);
            _ = ScanBackend.Kind;

            // The model: the --from checkpoint's backbone, or a fresh one.
            using var pretrained = parse.GetValue(from) is { } fromPath ? Checkpoint.Load(fromPath) : null;
            string family = parse.GetValue(model) ?? (pretrained?.Model.Kind == ModelKind.Hyena ? "hyena" : "mamba");
            if (pretrained is not null && (pretrained.Model.Kind == ModelKind.Hyena) != (family == "hyena"))
            {
                throw new DataFormatException(pretrained.SourcePath!, $"holds a {Name(pretrained.Model.Kind)} model ({pretrained.Model}), not {family}",
                    $"pass --model {Name(pretrained.Model.Kind)}, or a --from checkpoint of a {family} model");
            }
            var spec = pretrained is null
                ? ModelPresets.LanguageModel(family, parse.GetValue(preset) ?? (family == "mamba" ? r.MambaPreset : r.HyenaPreset), length)
                : pretrained.Model.ForContext(length);
            if (pretrained is null)
            {
                o.WriteLine("warning: no --from checkpoint: the backbone starts from random weights (the paper fine-tunes a pretrained model)");
            }
            else if (pretrained.Metadata.TryGetValue("length", out var trained) && trained != length.ToString(CultureInfo.InvariantCulture))
            {
                o.WriteLine($"warning: {pretrained.SourcePath} was pretrained at L={trained}, fine-tuning at L={length} (the paper uses the same length)" +
                            (family == "hyena" ? "; HyenaDNA's implicit filter is regenerated for the new length" : "; Mamba has no length limit"));
            }

            bool concat = parse.GetValue(concatenate) ?? embedded;
            long evalSamples = parse.GetValue(heldOut) ?? r.HeldOutSamples;
            // The species warmup spends one epoch at each of 2^14 … L/2 and needs one more at L: a recipe too short for
            // that (quick above 2^15) gets just enough.
            int epochCount = parse.GetValue(epochs) ?? Math.Max(r.Epochs, new SpeciesWarmup { TargetLength = length }.WarmupEpochs + 1);
            int batchSize = parse.GetValue(batch) ?? r.Batch;
            long perEpoch = parse.GetValue(stepsPerEpoch) ?? r.StepsPerEpoch;
            long seedValue = parse.GetValue(common.Seed);
            if (batchSize < 1 || perEpoch < 1 || epochCount < 1 || evalSamples < 1)
            {
                throw new ArgumentException("--batch, --steps-per-epoch, --epochs and --eval-samples must be at least 1");
            }
            var options = new SpeciesDatasetOptions
            {
                SequenceLength = length,
                ConcatenateRecords = concat,
                ConcatenatedName = "chr22",
                SplitMode = concat ? SpeciesSplitMode.HeldOutRegions : SpeciesSplitMode.HeldOutChromosomes,
                Seed = unchecked((ulong)seedValue),
                TrainSamplesPerEpoch = perEpoch * batchSize,
                ValidSamples = evalSamples,
                TestSamples = evalSamples,
            };
            using var dataset = Open(source, options);
            // A separate test set is checked now, not after hours of training.
            string? otherSource = parse.GetValue(test);
            using var otherSet = otherSource is null ? null : Open(otherSource, options, "--test ");
            if (otherSet is not null && !otherSet.SpeciesNames.SequenceEqual(dataset.SpeciesNames))
            {
                throw new ArgumentException($"--test {otherSource}: species {string.Join(", ", otherSet.SpeciesNames)} differ from the trained {string.Join(", ", dataset.SpeciesNames)}; give a directory with the same species (file names)");
            }
            if (otherSet is not null && otherSet.Count(SpeciesSplit.Test) == 0)
            {
                throw new DataFormatException(otherSource!, "its test split is empty", concat ? null : "held-out chromosomes are absent; try --concatenate");
            }
            o.WriteLine($"species: {string.Join(", ", dataset.SpeciesNames)} (chance {100.0 / dataset.SpeciesCount:F1}%); held out: " +
                        (concat ? $"contiguous regions ({options.ValidFraction:P0} valid, {options.TestFraction:P0} test)" : "chromosomes valid 1, 3, 12, 13; test 5, 7, 9, 10, 11"));

            // Each stage of the species warmup gets its own micro-batch and recompute from the memory planner (the
            // language model's inventory bounds the classifier's).
            var precision = common.Precision(parse);
            int? givenMicro = parse.GetValue(common.MicroBatch);
            var warmup = new SpeciesWarmup { TargetLength = length, TotalEpochs = epochCount, Batch = batchSize };
            var plan = TrainingPlan.ForSpecies(spec, warmup, perEpoch, common.Budget(parse), precision, givenMicro, parse.GetValue(common.SegmentLength),
                launcher.WorldSize);
            if (parse.GetValue(common.DryRun))
            {
                o.WriteLine(TrainingPlanText.Format(plan));
                if (plan.MemoryProblem(givenMicro is not null) is { } dryProblem)
                {
                    throw new InvalidOperationException(dryProblem);
                }
                return 0;
            }
            if (plan.MemoryProblem(givenMicro is not null) is { } problem)
            {
                throw new InvalidOperationException(problem);
            }
            int evalBatch = (int)plan.Stages[^1].Memory.MicroBatch;
            using var group = ProcessGroup.Start(launcher);

            manual_seed(seedValue);
            using var classifier = spec.Mamba is { } mcfg
                ? new SequenceClassifier(mcfg, dataset.SpeciesCount)
                : new SequenceClassifier(spec.Hyena!, dataset.SpeciesCount);
            if (pretrained is not null)
            {
                LoadBackbone(classifier, pretrained);
            }
            foreach (var backbone in TrainingStage.Backbones(classifier))
            {
                backbone.Precision = precision.Compute();
            }
            string outDir = parse.GetValue(output) ?? Path.Combine("runs", $"species-{family}-L{length}");
            string checkpointPath = Path.Combine(outDir, Trainer.CheckpointFileName);
            string? resumeFrom = RunDirectory.ResumeFrom(common.ResumeRequest(parse), outDir);
            string dataSource = string.Create(CultureInfo.InvariantCulture,
                $"{Path.GetFullPath(source)}, L={length}, {epochCount} × {perEpoch} steps of {batchSize}, {(concat ? "regions" : "chromosomes")}, seed {seedValue}");
            var task = new SpeciesTask(classifier, dataset, plan.Warmup, evalBatch, dataSource);
            int lrWarmup = parse.GetValue(warmupEpochs) ?? (parse.GetValue(epochs) is { } e ? e / 2 : r.WarmupEpochs);
            double peak = parse.GetValue(lr) ?? (family == "mamba" ? r.MambaLr : r.HyenaLr);
            var schedule = LrSchedule.Species(peak, perEpoch, epochCount, Math.Clamp(lrWarmup, 0, epochCount));
            var trainer = new Trainer(task, schedule, new TrainerOptions
            {
                Seed = seedValue,
                MaxSteps = parse.GetValue(steps),
                EvalEvery = parse.GetValue(evalEvery) ?? perEpoch,
                SaveEvery = parse.GetValue(saveEvery) ?? (r == Quick ? r.SaveEvery : perEpoch),
                OutputDirectory = outDir,
                Group = group,
            }, plan);
            o.WriteLine($"model: {ModelSpec.Of(classifier)}; {TrainingOptions.PrecisionText(precision)}");
            o.WriteLine($"plan: {plan.Warmup}; {trainer.TotalSteps:N0} steps; LR {peak:G3}, {lrWarmup} epoch(s) up, cosine to 1e-6");
            o.WriteLine($"output: {checkpointPath}, {Path.Combine(outDir, Trainer.MetricsFileName)}");
            var view = new TrainingProgressView(o, live: TrainingProgressView.IsTerminal && ReferenceEquals(o, Console.Out), perplexity: false);
            trainer.Progress += view.Handle;
            using var stop = new StopSignal(line => o.WriteLine(line));
            using var checkpoint = resumeFrom is null ? null : Checkpoint.Load(resumeFrom);
            if (checkpoint is not null)
            {
                o.WriteLine($"resuming {resumeFrom} at step {checkpoint.Step}");
            }
            var result = trainer.Run(checkpoint, stop.Token);
            if (result.Stopped)
            {
                o.WriteLine($"stopped at step {result.Step}; continue with: genomamba finetune-species … --out {outDir} --resume");
                return 130;
            }
            var results = new JsonObject { ["length"] = length, ["source"] = Path.GetFullPath(source) };
            var report = ClassificationReport.Score(classifier, dataset, SpeciesSplit.Test, evalBatch, length);
            o.WriteLine($"test ({(concat ? "held-out regions" : "held-out chromosomes")} of {source}), L={length:N0}:");
            o.WriteLine(report.ToString());
            results["test"] = report.ToJson();
            if (otherSet is not null)
            {
                var other = ClassificationReport.Score(classifier, otherSet, SpeciesSplit.Test, evalBatch, length);
                o.WriteLine($"test (held-out part of {otherSource}), L={length:N0}:");
                o.WriteLine(other.ToString());
                results["other_source"] = Path.GetFullPath(otherSource!);
                results["other_test"] = other.ToJson();
            }
            string resultsPath = Path.Combine(outDir, TestResultsFileName);
            if (group.IsMain)
            {
                AtomicFile.Write(resultsPath, s => JsonSerializer.Serialize(s, results, new JsonSerializerOptions { WriteIndented = true }));
            }
            o.WriteLine($"wrote {resultsPath}");
            return 0;
        }));
        return cmd;
    }

    static string Name(ModelKind kind) => kind == ModelKind.Hyena ? "hyena" : "mamba";

    static SpeciesDataset Open(string source, SpeciesDatasetOptions options, string option = "")
    {
        if (Directory.Exists(source))
        {
            return SpeciesDataset.OpenDirectory(source, options);
        }
        if (File.Exists(source))
        {
            return SpeciesDataset.OpenManifest(source, options);
        }
        throw new DirectoryNotFoundException($"{option}{source}: no such species directory or manifest");
    }

    /// <summary>
    /// The checkpoint's backbone into the classifier. A HyenaDNA backbone pretrained at another length carries positional
    /// features of that length; they are buffers computed from the length alone, so the classifier's own (for the new
    /// length) replace them and the filter is regenerated from the learned MLP.
    /// </summary>
    static void LoadBackbone(SequenceClassifier classifier, Checkpoint pretrained)
    {
        var own = StateDicts.Of(classifier);
        var weights = pretrained.Weights
            .Where(kv => kv.Key.StartsWith("backbone.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => own.TryGetValue(kv.Key, out var mine) && kv.Key.Contains(".pos_emb.", StringComparison.Ordinal)
                && !mine.shape.SequenceEqual(kv.Value.shape) ? mine : kv.Value);
        try
        {
            classifier.LoadBackbone(weights);
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException(pretrained.SourcePath!, $"its backbone does not fit: {ErrorText.FirstLine(e.Message)}", "pass a checkpoint of a Mamba or HyenaDNA language model");
        }
    }
}
