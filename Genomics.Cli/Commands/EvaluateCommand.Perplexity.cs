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

/// <summary>evaluate on a language model: perplexity per context length, printed and written as CSV, JSON and PNG.</summary>
public static partial class EvaluateCommand
{
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
}
