using System.Text.Json.Nodes;

namespace Genomics.Cli.Tests;

public class EvaluateCommandTests(TinyCheckpoints checkpoints) : IClassFixture<TinyCheckpoints>
{
    [Fact]
    public void Perplexity_on_the_embedded_data_writes_a_table_json_and_png()
    {
        using var dir = TestData.NewTempDir();
        var result = Genomamba.Run(dir, "evaluate", "--checkpoint", checkpoints.LanguageModel, "--lens", "64,128,256", "--max-windows", "6",
            "--tail", "32", "--resamples", "200", "--out", "eval");

        Assert.True(result.ExitCode == 0, result.Stderr);
        string[] csv = File.ReadAllLines(dir.File("eval/perplexity.csv"));
        Assert.Equal("context,tail,bases_only,windows,targets,mean_nll,perplexity,ci95_low,ci95_high,mode", csv[0]);
        Assert.Equal(4, csv.Length);
        foreach (var (line, c) in csv.Skip(1).Zip(new[] { 64, 128, 256 }))
        {
            string[] f = line.Split(',');
            Assert.Equal($"{c}", f[0]);
            Assert.Equal("32", f[1]);
            Assert.Equal("6", f[3]);
            Assert.InRange(long.Parse(f[4]), 6 * 28, 6 * 32);   // the tail's A/C/G/T targets of 6 windows
            double nll = double.Parse(f[5], System.Globalization.CultureInfo.InvariantCulture);
            double ppl = double.Parse(f[6], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(Math.Exp(nll), ppl, 1e-9 * ppl);
            Assert.InRange(ppl, double.Parse(f[7], System.Globalization.CultureInfo.InvariantCulture), double.Parse(f[8], System.Globalization.CultureInfo.InvariantCulture));
            Assert.InRange(ppl, 14, 18);   // a random model over 16 tokens
        }
        var json = JsonNode.Parse(File.ReadAllText(dir.File("eval/perplexity.json")))!;
        Assert.Equal(3, json["contexts"]!.AsArray().Count);
        Assert.Equal(32, json["tail"]!.GetValue<int>());
        Assert.NotNull(json["fit"]!["slope"]);
        byte[] png = File.ReadAllBytes(dir.File("eval/perplexity.png"));
        Assert.True(png.Length > 1000, $"PNG of {png.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Contains("perplexity", result.StdoutText);
        Assert.Empty(Directory.GetFiles(dir.File("eval"), ".*"));   // no temporary files left behind
    }

    [Fact]
    public void Streamed_and_step_modes_print_the_parallel_figures()
    {
        using var dir = TestData.NewTempDir();
        string[] Run(string mode)
        {
            var r = Genomamba.Run(dir, "evaluate", "-c", checkpoints.LanguageModel, "--genome", TinyCheckpoints.HumanGenome, "--lens", "128",
                "--max-windows", "3", "--mode", mode, "--out", mode);
            Assert.True(r.ExitCode == 0, r.Stderr);
            return File.ReadAllLines(dir.File($"{mode}/perplexity.csv"))[1].Split(',');
        }
        var parallel = Run("parallel");
        foreach (string mode in new[] { "streamed", "step" })
        {
            var other = Run(mode);
            Assert.Equal(parallel[4], other[4]);
            Assert.Equal(double.Parse(parallel[6], System.Globalization.CultureInfo.InvariantCulture), double.Parse(other[6], System.Globalization.CultureInfo.InvariantCulture), 1e-4);
            Assert.Equal(mode, other[9]);
        }
    }

    [Fact]
    public void Species_accuracy_of_a_classifier_on_the_embedded_apes_has_a_wilson_interval()
    {
        using var dir = TestData.NewTempDir();
        var result = Genomamba.Run(dir, "evaluate", "-c", checkpoints.Classifier, "--len", "64", "--count", "40", "--out", "species");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var json = JsonNode.Parse(File.ReadAllText(dir.File("species/species.json")))!;
        Assert.Equal(40, json["samples"]!.GetValue<long>());
        long correct = json["correct"]!.GetValue<long>();
        double accuracy = json["accuracy"]!.GetValue<double>(), low = json["ci95_low"]!.GetValue<double>(), high = json["ci95_high"]!.GetValue<double>();
        Assert.Equal(correct / 40.0, accuracy, 1e-12);
        Assert.InRange(accuracy, low, high);
        Assert.True(high - low > 0.1, "40 samples cannot pin an accuracy down to 10 points");
        Assert.Equal(["chimpanzee", "gorilla", "human", "orangutan"], json["classes"]!.AsArray().Select(c => c!.GetValue<string>()).Order());
        var confusion = json["confusion"]!.AsArray();
        Assert.Equal(40, confusion.Sum(row => row!.AsArray().Sum(x => x!.GetValue<long>())));
        Assert.Equal(correct, Enumerable.Range(0, 4).Sum(i => confusion[i]![i]!.GetValue<long>()));
        Assert.All(confusion, row => Assert.Equal(10, row!.AsArray().Sum(x => x!.GetValue<long>())));   // the fixed test set is balanced
        Assert.Equal("length,samples,correct,accuracy,ci95_low,ci95_high,chance", File.ReadLines(dir.File("species/species.csv")).First());
        Assert.StartsWith("true,", File.ReadLines(dir.File("species/confusion.csv")).First());
        byte[] png = File.ReadAllBytes(dir.File("species/confusion.png"));
        Assert.True(png.Length > 1000, $"PNG of {png.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Contains("95% Wilson", result.StdoutText);
    }
}
