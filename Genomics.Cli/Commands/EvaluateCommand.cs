using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Genomics.Cli.Plots;
using Genomics.Data;
using Genomics.Data.Bed;
using Genomics.Data.Datasets;
using Genomics.Data.Genome;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Evaluation;
using Genomics.Mamba.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Cli.Commands;

/// <summary>
/// `genomamba evaluate`: a language model's perplexity at several context lengths (table, JSON, PNG), or a species
/// classifier's accuracy (table, JSON, confusion matrix), every figure with its 95% interval. Everything a user can get
/// wrong is checked before the model runs; outputs are written whole or not at all.
/// </summary>
public static class EvaluateCommand
{
    const string Name = "evaluate";

    // Readable JSON: "×" and "→" of the model description stay as they are rather than \u escapes.
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Build()
    {
        var checkpoint = ModelArguments.CheckpointOption();
        var randomInit = new Option<string?>("--random-init") { Description = "instead of --checkpoint: a freshly initialised Mamba LM of this preset (tiny-1k, 1.4M, 7M, …), for demos and sanity checks — an untrained model scores about the vocabulary size (12–16), or ≈ 4 with --bases-only (default: none)" };
        var genome = new Option<string?>("--genome") { Description = "perplexity on this genome (.fa, .fa.gz, .2bit): with --intervals its held-out intervals, without them every record cut into consecutive windows (default: the embedded data/human genome with its tiles BED)" };
        var intervals = new Option<string?>("--intervals") { Description = "BED of intervals (chrom start end split) on --genome; windows come from the --split rows, as the pretraining dataset cuts them (default: the embedded tiles BED when no --genome is given)" };
        var skipMissing = new Option<bool>("--skip-missing") { Description = "--intervals: drop BED rows on chromosomes or regions the genome does not hold instead of failing (default: off)" };
        var split = new Option<string>("--split") { Description = "split to evaluate: a BED 4th-column value for --intervals, or valid/test for --species", DefaultValueFactory = _ => "test" };
        var lens = new Option<string>("--lens") { Description = "context lengths c to measure perplexity at, powers of two, comma-separated (2^k also accepted)", DefaultValueFactory = _ => "1024,4096,16384" };
        var tail = new Option<int?>("--tail") { Description = "score only the last K positions of each window, so every scored base has at least c − K bases of context: the honest measure of what long context buys (default: all positions)" };
        var basesOnly = new Option<bool>("--bases-only") { Description = "renormalise the model's distribution over A/C/G/T before scoring (default: off — over the whole vocabulary, as the training loss)" };
        var maxWindows = new Option<int>("--max-windows") { Description = "windows per context length at most (a fixed, seed-chosen subset when there are more)", DefaultValueFactory = _ => 256 };
        var mode = new Option<ScoringMode>("--mode") { Description = "auto: parallel forward where it fits --memory-budget, else (Mamba) stream the window through the recurrent state chunk by chunk; parallel, streamed or step force one (step: one token at a time, O(1) memory per token, slowest)", DefaultValueFactory = _ => ScoringMode.Auto };
        var batch = new Option<int>("--batch") { Description = "windows scored together at most (fewer when memory says so)", DefaultValueFactory = _ => 8 };
        var budget = new Option<long?>("--memory-budget") { Description = "MiB the scoring may use; decides parallel vs streamed and the batch (default: half the memory available to the process)" };
        var species = new Option<string?>("--species") { Description = "species accuracy of a classifier checkpoint on this directory of one genome per species (default for a classifier: the embedded data/apes)" };
        var concatenate = new Option<bool>("--concatenate") { Description = "--species: read each species' records as one sequence and hold out regions of it, as for the ape chr22 blocks (default: off; on for the embedded apes)" };
        var length = new Option<int>("--len") { Description = "--species: window length in tokens (a power of two)", DefaultValueFactory = _ => 1024 };
        var count = new Option<int?>("--count") { Description = "--species: samples of the fixed split to classify (default: all of it, 1,024)" };
        var resamples = new Option<int>("--resamples") { Description = "bootstrap resamples for the perplexity intervals", DefaultValueFactory = _ => 1000 };
        var seed = new Option<int>("--seed") { Description = "seed of the window subset, the species windows, the bootstrap and --random-init", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--out", "-o") { Description = "directory for the results (perplexity.csv/.json/.png or species.csv/.json, confusion.csv); created if missing (default: evaluate-<checkpoint name>)" };
        var cmd = new Command(Name, "Perplexity of a language model at several context lengths, or species accuracy of a classifier, with 95% intervals")
        {
            checkpoint, randomInit, genome, intervals, skipMissing, split, lens, tail, basesOnly, maxWindows, mode, batch, budget, species, concatenate, length, count, resamples, seed, output,
        };
        cmd.SetAction((parse, cancellationToken) => Task.FromResult(Run(parse, cancellationToken)));
        return cmd;

        int Run(ParseResult parse, CancellationToken cancellationToken)
        {
            var log = parse.InvocationConfiguration.Error;
            var stdout = parse.InvocationConfiguration.Output;
            string? ckptPath = parse.GetValue(checkpoint), preset = parse.GetValue(randomInit);
            if (ckptPath is not null && preset is not null)
            {
                throw new ArgumentException("give --checkpoint or --random-init, not both");
            }
            if (parse.GetValue(maxWindows) < 1 || parse.GetValue(batch) < 1 || parse.GetValue(resamples) < 1)
            {
                throw new ArgumentException("--max-windows, --batch and --resamples must be at least 1");
            }
            if (parse.GetValue(budget) is < 1)
            {
                throw new ArgumentException($"--memory-budget must be at least 1 MiB (got {parse.GetValue(budget)})");
            }
            string outDir = parse.GetValue(output) ?? $"evaluate-{(ckptPath is null ? $"random-{preset}" : Path.GetFileNameWithoutExtension(ckptPath))}";
            if (File.Exists(outDir))
            {
                throw new IOException($"{outDir}: is a file; --out names a directory");
            }
            string? speciesDir = parse.GetValue(species);
            if (preset is null)
            {
                ModelArguments.CheckPath(ckptPath ?? throw new ArgumentException($"{Name} needs a model: give --checkpoint FILE.gmckpt (or --random-init PRESET for a demo); see `genomamba {Name} --help`"), Name);
            }
            // Checked before the checkpoint is read, whatever its kind: a typo costs nothing.
            int[] lengths = ModelArguments.PowersOfTwo(parse.GetValue(lens)!, "--lens");
            // The checkpoint's kind then decides: perplexity for a language model, accuracy for a classifier.
            var (model, spec, metadata) = ckptPath is null && preset is not null
                ? ModelArguments.RandomInit(preset, parse.GetValue(seed)) is var (m, sp) ? (m, sp, (IReadOnlyDictionary<string, string>)new Dictionary<string, string>()) : default
                : ModelArguments.LoadWithMetadata(ckptPath, Name);
            using (model)
            {
                string modelName = ckptPath ?? $"random {preset}";
                if (spec.IsClassifier)
                {
                    if (parse.GetValue(genome) is not null || parse.GetValue(intervals) is not null || parse.GetResult(lens) is { Implicit: false })
                    {
                        throw new ArgumentException($"{ckptPath}: holds a species classifier ({spec}); perplexity (--genome, --intervals, --lens) needs a language model — give --species DIR to measure its accuracy");
                    }
                    return Species(model, spec, metadata, modelName, speciesDir, parse.GetValue(concatenate), parse.GetValue(split), parse.GetValue(length),
                        parse.GetValue(count), parse.GetValue(batch), (ulong)parse.GetValue(seed), outDir, stdout, log, cancellationToken);
                }
                if (speciesDir is not null)
                {
                    throw new ArgumentException($"{modelName}: holds a language model ({spec}); --species measures a classifier's accuracy — fine-tune one with `genomamba finetune-species`, or drop --species to measure perplexity");
                }
                var options = new PerplexityEvaluation.Options
                {
                    Lengths = lengths,
                    Scored = new ScoredTargets { Tail = parse.GetValue(tail), BasesOnly = parse.GetValue(basesOnly) },
                    Mode = parse.GetValue(mode),
                    MaxBatch = parse.GetValue(batch),
                    BudgetBytes = parse.GetValue(budget) is { } mib ? mib << 20 : InferenceMemory.DefaultBudgetBytes,
                    Resamples = parse.GetValue(resamples),
                    Seed = parse.GetValue(seed),
                };
                if (options.Scored.Tail is < 1)
                {
                    throw new ArgumentException($"--tail must be at least 1 (got {options.Scored.Tail})");
                }
                if (options.Scored.Tail is { } k && k > options.Lengths[0])
                {
                    throw new ArgumentException($"--tail {k} is longer than the shortest context {options.Lengths[0]} in --lens");
                }
                if (spec.Hyena is { } hyena && options.Lengths[^1] > hyena.MaxLength - 2)
                {
                    throw new ArgumentException($"{modelName}: a HyenaDNA model of context {hyena.MaxLength - 2:N0} cannot score windows of {options.Lengths[^1]:N0} (--lens); HyenaDNA does not extrapolate past the length it was built for");
                }
                return Perplexity(model, spec, modelName, parse.GetValue(genome), parse.GetValue(intervals), parse.GetValue(skipMissing), parse.GetValue(split)!, parse.GetValue(maxWindows),
                    options, outDir, stdout, log, cancellationToken);
            }
        }
    }

    static int Perplexity(nn.Module<Tensor, Tensor> model, ModelSpec spec, string modelName, string? genomePath, string? bedPath, bool skipMissing, string split, int maxWindows,
        PerplexityEvaluation.Options options, string outDir, TextWriter stdout, TextWriter log, CancellationToken cancellationToken)
    {
        if (bedPath is not null && genomePath is null)
        {
            throw new ArgumentException("--intervals needs --genome (the genome the BED lies on)");
        }
        if (genomePath is null)
        {
            DefaultData.RequireHuman();
            (genomePath, bedPath) = (DefaultData.HumanGenome, DefaultData.HumanIntervals);
            log.WriteLine($"no --genome given: evaluating on the embedded {genomePath} with {bedPath}, split '{split}'");
        }
        if (!File.Exists(genomePath))
        {
            throw new FileNotFoundException($"{genomePath}: no such genome file (--genome)");
        }
        if (bedPath is not null && !File.Exists(bedPath))
        {
            throw new FileNotFoundException($"{bedPath}: no such BED file (--intervals)");
        }
        using var genome = GenomeFile.Open(genomePath);
        Func<int, IReadOnlyList<EvaluationWindow>> windowsOf;
        string source;
        if (bedPath is not null)
        {
            var rows = BedReader.Read(bedPath, new BedReadOptions { Genome = genome, SkipMissing = skipMissing });
            if (rows.Skipped > 0)
            {
                log.WriteLine($"{bedPath}: skipped {rows.Skipped:N0} rows {genomePath} does not hold");
            }
            var all = GenomeInterval.FromBed(rows.Intervals);
            if (all.Count == 0)
            {
                throw new DataFormatException(bedPath, rows.Skipped > 0 ? $"none of its {rows.Skipped:N0} rows lie in {genomePath}" : "holds no intervals", "give the genome the BED was made for");
            }
            if (!all.Any(i => i.Split == split))
            {
                var splits = all.GroupBy(i => i.Split).Select(g => $"{g.Key} {g.Count():N0}");
                throw new DataFormatException(bedPath, $"no rows of split '{split}' among {all.Count:N0} rows ({string.Join(", ", splits)})", "pick one with --split");
            }
            source = $"{bedPath} ({split}) on {genomePath}";
            windowsOf = c => Placed(bedPath, () => EvaluationWindows.FromIntervals(genome, all, split, c, maxWindows, options.Seed));
        }
        else
        {
            source = genomePath;
            windowsOf = c => EvaluationWindows.FromGenome(genome, c, maxWindows) is { Count: > 0 } w ? w
                : throw new ArgumentException($"{genomePath}: no record holds {c + 1:N0} bases, the least a window of context {c:N0} reads; use shorter --lens");
        }
        log.WriteLine($"{modelName}: {spec}");
        var progress = new Progress(log);
        var report = PerplexityEvaluation.Run(model, spec, windowsOf, options, progress, cancellationToken);

        PrintPerplexity(stdout, report, options);
        string title = $"{Path.GetFileName(modelName)} on {Path.GetFileName(bedPath ?? genomePath)}{(bedPath is null ? "" : $" ({split})")}";
        var json = PerplexityJson(report, modelName, spec, source, options);
        AtomicFile.Write(Path.Combine(outDir, "perplexity.csv"), s => s.Write(Encoding.UTF8.GetBytes(PerplexityCsv(report, options))));
        AtomicFile.Write(Path.Combine(outDir, "perplexity.json"), s => s.Write(Encoding.UTF8.GetBytes(json.ToJsonString(Json) + "\n")));
        PerplexityPlot.Write(Path.Combine(outDir, "perplexity.png"), report, title);
        log.WriteLine($"wrote {Path.Combine(outDir, "perplexity.csv")}, perplexity.json, perplexity.png");
        return 0;
    }

    /// <summary>The dataset reports a BED row the genome cannot serve as an ArgumentException on "intervals"; name the file.</summary>
    static IReadOnlyList<EvaluationWindow> Placed(string bedPath, Func<IReadOnlyList<EvaluationWindow>> read)
    {
        try
        {
            return read();
        }
        catch (ArgumentException e) when (e.ParamName == "intervals")
        {
            throw new DataFormatException(bedPath, e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal), "use shorter --lens or a BED of longer intervals", e);
        }
    }

    static void PrintPerplexity(TextWriter stdout, PerplexityReport report, PerplexityEvaluation.Options options)
    {
        string scope = options.Scored.Tail is { } k ? $"last {k} positions" : "all positions";
        stdout.WriteLine($"perplexity over A/C/G/T targets, {scope}{(options.Scored.BasesOnly ? ", renormalised over the bases" : "")}; 95% bootstrap interval over windows");
        stdout.WriteLine($"{"context",9} {"windows",8} {"targets",11} {"mean NLL",9} {"perplexity",11} {"95% CI",21} {"mode",9}");
        foreach (var r in report.Contexts)
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Context,9} {r.Windows,8} {r.Targets,11:N0} {r.MeanNll,9:F4} {r.Perplexity.Estimate,11:F4} {$"[{r.Perplexity.Low:F4}, {r.Perplexity.High:F4}]",21} {r.Mode.ToString().ToLowerInvariant(),9}"));
        }
        if (report.Fit is { } fit)
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"fit: perplexity = {fit.Intercept:F4} {(fit.Slope < 0 ? "−" : "+")} {Math.Abs(fit.Slope):F4}·ln(context)  ({fit.PerDoubling:+0.0000;-0.0000} per doubling{(double.IsNaN(fit.RSquared) ? ", 2 points" : $", R² {fit.RSquared:F3}")})"));
        }
    }

    /// <summary>Columns: context,tail,windows,targets,mean_nll,perplexity,ci95_low,ci95_high,mode.</summary>
    internal static string PerplexityCsv(PerplexityReport report, PerplexityEvaluation.Options options)
    {
        var csv = new StringBuilder("context,tail,bases_only,windows,targets,mean_nll,perplexity,ci95_low,ci95_high,mode\n");
        foreach (var r in report.Contexts)
        {
            csv.Append(CultureInfo.InvariantCulture,
                $"{r.Context},{r.Tail?.ToString(CultureInfo.InvariantCulture) ?? ""},{(options.Scored.BasesOnly ? "true" : "false")},{r.Windows},{r.Targets},{r.MeanNll:R},{r.Perplexity.Estimate:R},{r.Perplexity.Low:R},{r.Perplexity.High:R},{r.Mode.ToString().ToLowerInvariant()}\n");
        }
        return csv.ToString();
    }

    static JsonObject PerplexityJson(PerplexityReport report, string modelName, ModelSpec spec, string source, PerplexityEvaluation.Options options) => new()
    {
        ["checkpoint"] = modelName,
        ["model"] = spec.ToString(),
        ["source"] = source,
        ["tail"] = options.Scored.Tail,
        ["bases_only"] = options.Scored.BasesOnly,
        ["confidence"] = 0.95,
        ["interval"] = $"percentile bootstrap over windows, {options.Resamples} resamples, seed {options.Seed}",
        ["contexts"] = new JsonArray([.. report.Contexts.Select(r => (JsonNode)new JsonObject
        {
            ["context"] = r.Context,
            ["windows"] = r.Windows,
            ["targets"] = r.Targets,
            ["mean_nll"] = Finite(r.MeanNll),
            ["perplexity"] = Finite(r.Perplexity.Estimate),
            ["ci95_low"] = Finite(r.Perplexity.Low),
            ["ci95_high"] = Finite(r.Perplexity.High),
            ["mode"] = r.Mode.ToString().ToLowerInvariant(),
        })]),
        ["fit"] = report.Fit is { } fit ? new JsonObject
        {
            ["form"] = "perplexity = intercept + slope * ln(context)",
            ["intercept"] = fit.Intercept,
            ["slope"] = fit.Slope,
            ["per_doubling"] = fit.PerDoubling,
            ["r_squared"] = Finite(fit.RSquared),
            ["points"] = fit.Points,
        } : null,
    };

    static JsonNode? Finite(double x) => double.IsFinite(x) ? JsonValue.Create(x) : null;

    static int Species(nn.Module<Tensor, Tensor> model, ModelSpec spec, IReadOnlyDictionary<string, string> metadata, string modelName, string? speciesDir, bool concatenate, string? split, int length, int? count,
        int batch, ulong seed, string outDir, TextWriter stdout, TextWriter log, CancellationToken cancellationToken)
    {
        if (length < 2 || !int.IsPow2(length))
        {
            throw new ArgumentException($"--len {length}: is not a power of two (species windows are 2^k tokens, as in fine-tuning: try {(length < 2 ? 1024 : 1 << (31 - int.LeadingZeroCount(length)))})");
        }
        if (count is < 1)
        {
            throw new ArgumentException($"--count must be at least 1 (got {count})");
        }
        if (!Enum.TryParse(split, ignoreCase: true, out SpeciesSplit which) || which == SpeciesSplit.Train || int.TryParse(split, out _))
        {
            throw new ArgumentException($"--split '{split}': species accuracy is measured on the fixed valid or test split");
        }
        if (speciesDir is null)
        {
            speciesDir = DefaultData.Apes;
            concatenate = true;
            log.WriteLine($"no --species given: evaluating on the embedded {speciesDir} (records concatenated, held-out regions)");
        }
        if (!Directory.Exists(speciesDir) && !File.Exists(speciesDir))
        {
            throw new DirectoryNotFoundException($"{speciesDir}: no such species directory or manifest (--species)");
        }
        var options = new SpeciesDatasetOptions
        {
            SequenceLength = length,
            Seed = seed,
            ConcatenateRecords = concatenate,
            SplitMode = concatenate ? SpeciesSplitMode.HeldOutRegions : SpeciesSplitMode.HeldOutChromosomes,
        };
        using var dataset = File.Exists(speciesDir) ? SpeciesDataset.OpenManifest(speciesDir, options) : SpeciesDataset.OpenDirectory(speciesDir, options);
        if (dataset.SpeciesCount != spec.Classes)
        {
            throw new ArgumentException($"{modelName}: the classifier has {spec.Classes} classes but {speciesDir} holds {dataset.SpeciesCount} species ({string.Join(", ", dataset.SpeciesNames)}); evaluate it on the species it was fine-tuned on");
        }
        if (metadata.TryGetValue(ModelArguments.SpeciesMetadataKey, out string? trained)
            && !trained.Split(',', StringSplitOptions.TrimEntries).SequenceEqual(dataset.SpeciesNames))
        {
            throw new ArgumentException($"{modelName}: was fine-tuned on the species {trained} (in label order) but {speciesDir} holds {string.Join(",", dataset.SpeciesNames)}; evaluate it on the species it was fine-tuned on");
        }
        if (dataset.Count(which) == 0)
        {
            throw new DataFormatException(speciesDir, $"the {split} split is empty", concatenate ? null : "held-out chromosomes are absent; try --concatenate");
        }
        log.WriteLine($"{modelName}: {spec}");
        log.WriteLine($"{speciesDir}: {dataset.SpeciesCount} species ({string.Join(", ", dataset.SpeciesNames)}), {count ?? dataset.Count(which):N0} {split} windows of {length:N0}");
        long total = count ?? dataset.Count(which);
        var matrix = SpeciesEvaluation.Run((SequenceClassifier)model, dataset, which, length, batch, count, new SynchronousProgress<long>(done =>
        {
            if (done * 10 / total != (done - Math.Min(done, batch)) * 10 / total)
            {
                log.WriteLine($"  {done:N0} / {total:N0} windows");
            }
        }), cancellationToken);
        var accuracy = matrix.Accuracy();
        double chance = 1.0 / matrix.Classes.Count;

        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"species accuracy {accuracy.Estimate:P2} [{accuracy.Low:P2}, {accuracy.High:P2}] (95% Wilson) over {matrix.Total:N0} {split} windows of {length:N0}; chance {chance:P1}"));
        stdout.WriteLine($"{"true \\ predicted",-18}" + string.Concat(matrix.Classes.Select(c => $"{c,12}")) + $"{"recall",10}");
        for (int i = 0; i < matrix.Classes.Count; i++)
        {
            stdout.WriteLine($"{matrix.Classes[i],-18}" + string.Concat(Enumerable.Range(0, matrix.Classes.Count).Select(j => $"{matrix[i, j],12}"))
                + string.Create(CultureInfo.InvariantCulture, $"{matrix.Recall(i),10:P1}"));
        }

        var summary = new StringBuilder("length,samples,correct,accuracy,ci95_low,ci95_high,chance\n");
        summary.Append(CultureInfo.InvariantCulture, $"{length},{matrix.Total},{matrix.Correct},{accuracy.Estimate:R},{accuracy.Low:R},{accuracy.High:R},{chance:R}\n");
        var confusion = new StringBuilder("true," + string.Join(",", matrix.Classes) + "\n");
        for (int i = 0; i < matrix.Classes.Count; i++)
        {
            confusion.Append(matrix.Classes[i]).Append(',').AppendJoin(',', Enumerable.Range(0, matrix.Classes.Count).Select(j => matrix[i, j])).Append('\n');
        }
        var json = new JsonObject
        {
            ["checkpoint"] = modelName,
            ["model"] = spec.ToString(),
            ["source"] = speciesDir,
            ["split"] = split,
            ["length"] = length,
            ["samples"] = matrix.Total,
            ["correct"] = matrix.Correct,
            ["accuracy"] = accuracy.Estimate,
            ["ci95_low"] = accuracy.Low,
            ["ci95_high"] = accuracy.High,
            ["interval"] = "Wilson score, 95%",
            ["chance"] = chance,
            ["classes"] = new JsonArray([.. matrix.Classes.Select(c => (JsonNode)JsonValue.Create(c))]),
            ["confusion"] = new JsonArray([.. Enumerable.Range(0, matrix.Classes.Count).Select(i =>
                (JsonNode)new JsonArray([.. Enumerable.Range(0, matrix.Classes.Count).Select(j => (JsonNode)JsonValue.Create(matrix[i, j]))]))]),
            ["recall"] = new JsonObject(Enumerable.Range(0, matrix.Classes.Count).Select(i => KeyValuePair.Create(matrix.Classes[i], Finite(matrix.Recall(i))))),
        };
        AtomicFile.Write(Path.Combine(outDir, "species.csv"), s => s.Write(Encoding.UTF8.GetBytes(summary.ToString())));
        AtomicFile.Write(Path.Combine(outDir, "confusion.csv"), s => s.Write(Encoding.UTF8.GetBytes(confusion.ToString())));
        AtomicFile.Write(Path.Combine(outDir, "species.json"), s => s.Write(Encoding.UTF8.GetBytes(json.ToJsonString(Json) + "\n")));
        log.WriteLine($"wrote {Path.Combine(outDir, "species.csv")}, confusion.csv, species.json");
        return 0;
    }

    /// <summary>Reports on the caller's thread (System.Progress would post to the thread pool and print out of order).</summary>
    sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary>One plain line per context length and every tenth of its windows.</summary>
    sealed class Progress(TextWriter log) : IProgress<PerplexityProgress>
    {
        int _lastTenth = -1;
        int _context;

        public void Report(PerplexityProgress value)
        {
            if (value.Context != _context)
            {
                (_context, _lastTenth) = (value.Context, -1);
            }
            int tenth = value.WindowsDone * 10 / Math.Max(1, value.WindowsTotal);
            if (tenth != _lastTenth)
            {
                _lastTenth = tenth;
                log.WriteLine($"  context {value.Context:N0}: {value.WindowsDone:N0} / {value.WindowsTotal:N0} windows ({value.Mode.ToString().ToLowerInvariant()})");
            }
        }
    }
}
