using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Genomics.Charts;
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
public static partial class EvaluateCommand
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
        var mode = new Option<ScoringMode>("--mode") { Description = "auto: parallel forward where it fits --memory-gib, else (Mamba) stream the window through the recurrent state chunk by chunk; parallel, streamed or step force one (step: one token at a time, O(1) memory per token, slowest)", DefaultValueFactory = _ => ScoringMode.Auto };
        var batch = new Option<int>("--batch") { Description = "windows scored together at most (fewer when memory says so)", DefaultValueFactory = _ => 8 };
        var budget = new Option<double?>("--memory-gib") { Description = "GiB the scoring may use (e.g. 0.5); decides parallel vs streamed and the batch (default: half the memory available to the process)" };
        var species = new Option<string?>("--species") { Description = "species accuracy of a classifier checkpoint on this directory of one genome per species (default for a classifier: the embedded data/apes)" };
        var concatenate = new Option<bool>("--concatenate") { Description = "--species: read each species' records as one sequence and hold out regions of it, as for the ape chr22 blocks (default: off; on for the embedded apes)" };
        var length = new Option<int>("--len") { Description = "--species: window length in tokens (a power of two)", DefaultValueFactory = _ => 1024 };
        var count = new Option<int?>("--count") { Description = "--species: samples of the fixed split to classify (default: all of it, 1,024)" };
        var resamples = new Option<int>("--resamples") { Description = "bootstrap resamples for the perplexity intervals", DefaultValueFactory = _ => 1000 };
        var seed = new Option<int>("--seed") { Description = "seed of the window subset, the species windows, the bootstrap and --random-init", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--out", "-o") { Description = "directory for the results (perplexity.csv/.json/.png or species.csv/.json, confusion.csv/.png); created if missing (default: evaluate-<checkpoint name>)" };
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
            if (parse.GetValue(budget) is { } gib && !(gib * 1024 >= 1))
            {
                throw new ArgumentException($"--memory-gib must be at least 1 MiB, 0.001 GiB (got {parse.GetValue(budget)})");
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
                    BudgetBytes = parse.GetValue(budget) is { } budgetGib ? (long)(budgetGib * (1L << 30)) : InferenceMemory.DefaultBudgetBytes,
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
