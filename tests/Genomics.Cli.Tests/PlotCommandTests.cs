using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Genomics.Cli.Tests;

/// <summary>
/// `genomamba plot` on the evaluate results committed beside the notebooks: the printed points (what the chart draws)
/// must be the JSON's figures, one series per run, and the PNG whole.
/// </summary>
public class PlotCommandTests
{
    static readonly string Results = Path.Combine(TestData.RepoRoot, "notebooks", "results");

    static string Run(string name) => Path.Combine(Results, name);

    /// <summary>The stdout TSV as (series, context, value, low, high) rows, checking its header.</summary>
    static (string Series, int Context, double Value, double Low, double High)[] Points(CliResult result)
    {
        string[] lines = result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("series\tcontext\tvalue\tci95_low\tci95_high", lines[0]);
        return [.. lines.Skip(1).Select(l => l.Split('\t')).Select(f => (f[0], int.Parse(f[1], CultureInfo.InvariantCulture),
            double.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture), double.Parse(f[4], CultureInfo.InvariantCulture)))];
    }

    static byte[] CheckPng(TestData.TempDir dir, string name, int width, int height)
    {
        byte[] png = File.ReadAllBytes(dir.File(name));
        Assert.True(png.Length > 5000, $"PNG of {png.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(dir.File(name))!, ".*"));   // no temporary file left behind
        return png;
    }

    [Fact]
    public void Plot_perplexity_draws_one_series_per_run_with_the_json_figures()
    {
        using var dir = TestData.NewTempDir();
        string[] runs = ["perplexity-mamba", "perplexity-hyena", "perplexity-mamba-tail128", "perplexity-hyena-tail128"];
        // A directory or the JSON file itself.
        var result = Genomamba.Run(dir, "plot", "perplexity", Run(runs[0]), Run(runs[1]), Run(runs[2]), Path.Combine(Run(runs[3]), "perplexity.json"),
            "--out", "charts/perplexity.png");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var points = Points(result);
        string[] series = [.. points.Select(p => p.Series).Distinct()];
        Assert.Equal(4, series.Length);
        Assert.Equal(["Mamba d_model 64 × 4 blocks, all positions", "HyenaDNA d_model 64 × 2 layers, all positions",
            "Mamba d_model 64 × 4 blocks, last 128 positions", "HyenaDNA d_model 64 × 2 layers, last 128 positions"], series);
        foreach (var (run, label) in runs.Zip(series))
        {
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Run(run), "perplexity.json")))!["contexts"]!.AsArray();
            var expected = json.Select(c => (c!["context"]!.GetValue<int>(), c["perplexity"]!.GetValue<double>(), c["ci95_low"]!.GetValue<double>(), c["ci95_high"]!.GetValue<double>()));
            Assert.Equal(expected, points.Where(p => p.Series == label).Select(p => (p.Context, p.Value, p.Low, p.High)));
        }
        Assert.Equal(14, points.Length);
        Assert.Contains("4 series, 14 points", result.Stderr);
        byte[] four = CheckPng(dir, "charts/perplexity.png", 900, 600);

        var one = Genomamba.Run(dir, "plot", "perplexity", Run(runs[0]), "--out", "one.png", "--labels", "Mamba 64×4");
        Assert.True(one.ExitCode == 0, one.Stderr);
        Assert.Equal(["Mamba 64×4"], Points(one).Select(p => p.Series).Distinct());
        Assert.NotEqual(four, CheckPng(dir, "one.png", 900, 600));
    }

    [Fact]
    public void Plot_species_draws_accuracy_percent_by_length_and_labels_group_runs_into_series()
    {
        using var dir = TestData.NewTempDir();
        int[] lengths = [4096, 1024, 2048];   // out of order on purpose: the series is drawn by length
        string[] inputs = [.. lengths.Select(l => Run($"species-mamba-L{l}"))];
        var result = Genomamba.Run(dir, ["plot", "species", .. inputs, "--out", "species.png"]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var points = Points(result);
        Assert.Single(points.Select(p => p.Series).Distinct());
        Assert.Equal([1024, 2048, 4096], points.Select(p => p.Context));
        foreach (var p in points)
        {
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Run($"species-mamba-L{p.Context}"), "species.json")))!;
            Assert.Equal(100 * json["accuracy"]!.GetValue<double>(), p.Value, 1e-12);
            Assert.Equal(100 * json["ci95_low"]!.GetValue<double>(), p.Low, 1e-12);
            Assert.Equal(100 * json["ci95_high"]!.GetValue<double>(), p.High, 1e-12);
            Assert.InRange(p.Value, p.Low, p.High);
        }
        byte[] one = CheckPng(dir, "species.png", 900, 600);

        var grouped = Genomamba.Run(dir, ["plot", "species", .. inputs, "--labels", "long,short,long", "--out", "grouped.png"]);
        Assert.True(grouped.ExitCode == 0, grouped.Stderr);
        var byLabel = Points(grouped).GroupBy(p => p.Series).ToDictionary(g => g.Key, g => g.Select(p => p.Context).ToArray());
        Assert.Equal([2048, 4096], byLabel["long"]);
        Assert.Equal([1024], byLabel["short"]);
        Assert.NotEqual(one, CheckPng(dir, "grouped.png", 900, 600));
    }

    static string OneLineError(TestData.TempDir dir, params string[] args)
    {
        var result = Genomamba.Run(dir, args);
        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.StderrLines);
        Assert.StartsWith("genomamba: error: ", result.StderrLines[0]);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.DoesNotContain(Directory.GetFileSystemEntries(dir.Path), e => !e.EndsWith(".json", StringComparison.Ordinal));   // no PNG, no temp file
        return result.StderrLines[0];
    }

    [Fact]
    public void Plot_mistakes_are_one_line_errors_and_write_nothing()
    {
        using var dir = TestData.NewTempDir();
        Assert.Contains("no results to plot", OneLineError(dir, "plot", "perplexity", "--out", "p.png"));
        Assert.Contains("no results to plot", OneLineError(dir, "plot", "species", "--out", "p.png"));
        Assert.Contains("nope: no such file or directory", OneLineError(dir, "plot", "perplexity", "nope", "--out", "p.png"));
        Assert.Contains("holds species.json, not perplexity.json; draw it with `genomamba plot species`",
            OneLineError(dir, "plot", "perplexity", Run("species-mamba-L1024"), "--out", "p.png"));
        Assert.Contains("species.json: is a species result, not a perplexity.json",
            OneLineError(dir, "plot", "perplexity", Run("perplexity-mamba"), Path.Combine(Run("species-mamba-L1024"), "species.json"), "--out", "p.png"));
        Assert.Contains("perplexity.json: is a perplexity result, not a species.json",
            OneLineError(dir, "plot", "species", Path.Combine(Run("perplexity-mamba"), "perplexity.json"), "--out", "p.png"));
        File.WriteAllText(dir.File("cut.json"), "{\n  \"model\": \"Mamba\",\n  \"contexts\": [\n");
        Assert.Contains("cut.json:", OneLineError(dir, "plot", "perplexity", dir.File("cut.json"), "--out", "p.png"));
        Assert.Contains("not valid JSON", OneLineError(dir, "plot", "perplexity", dir.File("cut.json"), "--out", "p.png"));
        File.WriteAllText(dir.File("other.json"), "{\"model\": \"Mamba\"}");
        Assert.Contains("other.json: not a species.json written by `genomamba evaluate`", OneLineError(dir, "plot", "species", dir.File("other.json"), "--out", "p.png"));
        Assert.Contains("--labels: 1 label(s) for 2 input(s)",
            OneLineError(dir, "plot", "species", Run("species-mamba-L1024"), Run("species-mamba-L2048"), "--labels", "a", "--out", "p.png"));
        Assert.Contains("no --out", OneLineError(dir, "plot", "species", Run("species-mamba-L1024")));
        Assert.Contains("ending in .png", OneLineError(dir, "plot", "species", Run("species-mamba-L1024"), "--out", "p.svg"));
    }
}
