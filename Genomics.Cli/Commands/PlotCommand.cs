using System.CommandLine;
using System.Globalization;
using Genomics.Charts;

namespace Genomics.Cli.Commands;

/// <summary>
/// `genomamba plot perplexity|species`: the notebooks' comparison charts from the JSON results of several
/// `genomamba evaluate` runs, as one PNG. The plotted points are printed too (a TSV on stdout), so what the chart shows
/// can be checked or pasted without reading pixels.
/// </summary>
public static class PlotCommand
{
    public static Command Build()
    {
        var plot = new Command("plot", "Charts comparing several `genomamba evaluate` runs against context length, as PNG");
        plot.Subcommands.Add(BuildPerplexity());
        plot.Subcommands.Add(BuildSpecies());
        return plot;
    }

    static Command BuildPerplexity()
    {
        var (inputs, output, labels, title) = CommonOptions(EvaluateResults.PerplexityFile);
        var cmd = new Command("perplexity", "Perplexity vs context (log2 axis, 95% intervals as error bars), one series per evaluate run")
        {
            inputs, output, labels, title,
        };
        cmd.SetAction(parse =>
        {
            var runs = Inputs(parse, inputs, "perplexity").Select(EvaluateResults.ReadPerplexity).ToArray();
            string[] names = Labels(parse.GetValue(labels), runs.Length, runs.Select(DefaultLabel).ToArray(), runs.Select(r => r.Path).ToArray());
            // One colour per model, the --tail runs dashed: the notebook's Mamba-vs-HyenaDNA, whole-vs-tail chart.
            var series = runs.Select((r, i) => new ContextSeries(names[i], r.Points, ShortModel(r.Model), r.Tail is not null)).ToArray();
            return Draw(parse, output, series, new ContextChart.Labels(parse.GetValue(title) ?? "Perplexity vs context", "perplexity"), [], null);
        });
        return cmd;
    }

    static Command BuildSpecies()
    {
        var (inputs, output, labels, title) = CommonOptions(EvaluateResults.SpeciesFile);
        var cmd = new Command("species", "Species accuracy (%) vs context length (95% Wilson intervals, dashed chance line); runs with the same label form one series")
        {
            inputs, output, labels, title,
        };
        cmd.SetAction(parse =>
        {
            var runs = Inputs(parse, inputs, "species").Select(EvaluateResults.ReadSpecies).ToArray();
            string[] names = Labels(parse.GetValue(labels), runs.Length, runs.Select(r => ShortModel(r.Model)).ToArray(), null);
            // One classifier per length: the runs of one model (label) at several lengths are one line.
            var series = runs.Select((r, i) => (Run: r, Label: names[i])).GroupBy(x => x.Label)
                .Select(g => new ContextSeries(g.Key, [.. g.Select(x => Percent(x.Run.Accuracy)).OrderBy(p => p.Context)]))
                .ToArray();
            var chance = runs.Select(r => (r.Chance, r.Classes)).Distinct()
                .Select(c => new ContextChart.Reference(100 * c.Chance, c.Classes > 0 ? $"chance (1 in {c.Classes})" : "chance")).ToArray();
            return Draw(parse, output, series, new ContextChart.Labels(parse.GetValue(title) ?? "Species accuracy vs context", "test accuracy (%)"), chance, (0, 100));
        });
        return cmd;
    }

    static (Argument<string[]> Inputs, Option<string?> Output, Option<string?> Labels, Option<string?> Title) CommonOptions(string fileName) => (
        new Argument<string[]>("DIR_OR_JSON")
        {
            Description = $"result directories of `genomamba evaluate` (or their {fileName} files), one per run",
            // Zero accepted by the parser so that none is the CLI's one-line error, not a usage dump.
            Arity = ArgumentArity.ZeroOrMore,
        },
        new Option<string?>("--out", "-o") { Description = "the chart's .png file (required; written to a temp file, then renamed)" },
        new Option<string?>("--labels") { Description = "legend labels, comma-separated, one per input in order (default: the model from each JSON, with the scored positions for perplexity)" },
        new Option<string?>("--title") { Description = "chart title (default: what is plotted against context)" });

    static int Draw(ParseResult parse, Option<string?> output, ContextSeries[] series, ContextChart.Labels labels, ContextChart.Reference[] references, (double, double)? yRange)
    {
        string outPath = parse.GetValue(output) ?? throw new ArgumentException($"{parse.CommandResult.Command.Name}: no --out; give the chart's file, e.g. --out chart.png");
        if (!outPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"--out {outPath}: the chart is a PNG; give a file name ending in .png");
        }
        if (Directory.Exists(outPath))
        {
            throw new IOException($"{outPath}: is a directory; --out names the .png file");
        }
        var stdout = parse.InvocationConfiguration.Output;
        stdout.WriteLine("series\tcontext\tvalue\tci95_low\tci95_high");
        foreach (var s in series)
        {
            foreach (var p in s.Points)
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.Label}\t{p.Context}\t{p.Value:R}\t{p.Low:R}\t{p.High:R}"));
            }
        }
        ContextChart.Write(outPath, series, labels, references, yRange);
        parse.InvocationConfiguration.Error.WriteLine($"wrote {outPath} ({series.Length} series, {series.Sum(s => s.Points.Count)} points)");
        return 0;
    }

    static string[] Inputs(ParseResult parse, Argument<string[]> inputs, string kind) =>
        parse.GetValue(inputs) is { Length: > 0 } given ? given
            : throw new ArgumentException($"plot {kind}: no results to plot; give one or more directories written by `genomamba evaluate` (or their {kind}.json files)");

    /// <summary>--labels split and counted, or the defaults; default labels that collide get their run's directory name.</summary>
    static string[] Labels(string? given, int count, string[] defaults, string[]? paths)
    {
        if (given is not null)
        {
            string[] labels = [.. given.Split(',').Select(l => l.Trim())];
            if (labels.Length != count || labels.Any(l => l.Length == 0))
            {
                throw new ArgumentException($"--labels: {labels.Length} label(s) for {count} input(s); give one non-empty label per input, comma-separated, in order");
            }
            return labels;
        }
        if (paths is null)
        {
            return defaults;
        }
        return [.. defaults.Select((d, i) => defaults.Count(x => x == d) > 1 ? $"{d} ({RunName(paths[i])})" : d)];
    }

    static string RunName(string jsonPath) => Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(jsonPath))) ?? jsonPath;

    static string DefaultLabel(PerplexityRun run) =>
        ShortModel(run.Model) + (run.Tail is { } k ? $", last {k} positions" : ", all positions") + (run.BasesOnly ? ", A/C/G/T only" : "");

    /// <summary>The model's kind and size ("Mamba d_model 64 × 4 blocks"): the JSON's description up to its first comma.</summary>
    static string ShortModel(string model) => model.Split(',')[0].Trim();

    static ContextPoint Percent(ContextPoint p) => new(p.Context, 100 * p.Value, 100 * p.Low, 100 * p.High);
}
