using System.Text;
using System.Text.Json.Nodes;

namespace Genomics.Cli.Tests;

/// <summary>One short `genomamba pretrain` with no data arguments, shared by the tests that need its outputs.</summary>
public sealed class QuickPretrainRun : IDisposable
{
    public QuickPretrainRun()
    {
        Result = Genomamba.Run(Dir, "pretrain", "--steps", "3", "--valid-windows", "2");
    }

    public TestData.TempDir Dir { get; } = TestData.NewTempDir();

    public CliResult Result { get; }

    public string RunDir => Dir.File(Path.Combine("runs", "pretrain-mamba-L1024"));

    public void Dispose() => Dir.Dispose();
}

/// <summary>`genomamba pretrain` and `finetune-species` end to end, on the embedded real data, kept to a few steps.</summary>
public class TrainingCommandTests(QuickPretrainRun quick) : IClassFixture<QuickPretrainRun>
{
    [Fact]
    public void Pretrain_without_data_arguments_trains_quick_on_the_embedded_data_and_writes_metrics_and_a_checkpoint()
    {
        var r = quick.Result;
        Assert.True(r.ExitCode == 0, r.Stderr + r.StdoutText);
        string[] lines = r.StdoutText.Split('\n');
        Assert.StartsWith("genomamba pretrain: recipe 'quick' on the embedded data", lines[0]);
        Assert.Contains("validation perplexity", r.StdoutText);

        var metrics = File.ReadAllLines(Path.Combine(quick.RunDir, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        var steps = metrics.Where(m => (string?)m["event"] == "step").ToList();
        Assert.Equal([1L, 2L, 3L], steps.Select(s => (long)s["step"]!));
        Assert.All(steps, s => Assert.True((double)s["loss"]! is > 0 and < 10));
        Assert.Contains(metrics, m => (string?)m["event"] == "evaluated" && (double)m["valid_ppl"]! > 1);

        byte[] head = new byte[6];
        using (var f = File.OpenRead(Path.Combine(quick.RunDir, "checkpoint.gmckpt")))
        {
            f.ReadExactly(head);
        }
        Assert.Equal("GMCKPT", Encoding.ASCII.GetString(head));
    }

    [Fact]
    public void Dry_run_of_the_paper_plan_at_2_to_the_20_lists_11_stages()
    {
        using var dir = TestData.NewTempDir();
        var r = Genomamba.Run(dir, "pretrain", "--len", "1048576", "--recipe", "paper", "--dry-run", "--memory-gib", "64");
        Assert.True(r.ExitCode == 0, r.Stderr + r.StdoutText);
        Assert.Contains("11 stage(s)", r.StdoutText);
        var rows = r.StdoutText.Split('\n').Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+\d+\s+[\d,]+\s+2\s")).ToList();
        Assert.Equal(11, rows.Count);
        Assert.Contains("1,048,576", rows[^1]);
        Assert.Contains("time estimate", r.StdoutText);
        Assert.False(Directory.Exists(dir.File("runs")), "a dry run writes nothing");
    }

    public static TheoryData<string, string, string[]> BadInputs() => new()
    {
        // name, text the one error line must hold, arguments
        { "missing genome", "missing.2bit", ["pretrain", "--genome", "missing.2bit", "--intervals", "ok.bed", "--steps", "1"] },
        { "BED chromosome not in the genome", "chrZ", ["pretrain", "--genome", "EMBEDDED", "--intervals", "chrz.bed", "--steps", "1"] },
        { "length not a power of two", "--len 1000", ["pretrain", "--len", "1000"] },
        { "species length not a power of two", "--len 1000", ["finetune-species", "--len", "1000"] },
        { "impossible memory plan", "--memory-gib", ["pretrain", "--len", "1048576", "--memory-gib", "1"] },
        { "missing species directory", "no-such-apes", ["finetune-species", "no-such-apes"] },
        { "missing --test directory", "--test no-such-apes: no such species directory", ["finetune-species", "--test", "no-such-apes", "--steps", "1"] },
        { "pretrain --resume without a checkpoint", "--resume: no checkpoint at nowhere", ["pretrain", "--resume", "--out", "nowhere"] },
        { "finetune --resume without a checkpoint", "--resume: no checkpoint at nowhere", ["finetune-species", "--resume", "--out", "nowhere", "--steps", "1"] },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_gives_one_line_and_a_nonzero_exit(string name, string mention, string[] args)
    {
        using var dir = TestData.NewTempDir();
        File.WriteAllText(dir.File("ok.bed"), "chr2\t40000\t80000\ttrain\n");
        File.WriteAllText(dir.File("chrz.bed"), "chr2\t40000\t80000\ttrain\nchrZ\t0\t40000\ttrain\n");
        string genome = Path.Combine(TestData.RepoRoot, "data", "human", "hg38_chr2_1-2333275.2bit");
        var r = Genomamba.Run(dir, args.Select(a => a == "EMBEDDED" ? genome : a).ToArray());
        Assert.True(r.ExitCode != 0, $"{name}: exit code 0");
        Assert.True(r.StderrLines.Length == 1, $"{name}: stderr is not one line:\n{r.Stderr}");
        Assert.StartsWith("genomamba: error:", r.StderrLines[0]);
        Assert.Contains(mention, r.StderrLines[0]);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void Finetune_from_a_checkpoint_of_another_model_is_refused_in_one_line()
    {
        Assert.Equal(0, quick.Result.ExitCode);
        using var dir = TestData.NewTempDir();
        var r = Genomamba.Run(dir, "finetune-species", "--from", Path.Combine(quick.RunDir, "checkpoint.gmckpt"), "--model", "hyena", "--steps", "1");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Single(r.StderrLines);
        Assert.StartsWith("genomamba: error:", r.StderrLines[0]);
        Assert.Contains("holds a mamba model", r.StderrLines[0]);
    }

    [Fact]
    public void Finetune_species_quick_on_the_embedded_apes_reports_accuracy_per_species_and_the_confusion_matrix()
    {
        Assert.Equal(0, quick.Result.ExitCode);
        using var dir = TestData.NewTempDir();
        // --test: a second species directory; a copy of the embedded apes, so its test part must score exactly as the main one.
        string copy = dir.File("apes-copy");
        Directory.CreateDirectory(copy);
        foreach (string f in Directory.GetFiles(TestData.Embedded("apes")))
        {
            File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        }
        // From the quick pretraining run's backbone, kept to 4 steps of 4 sequences and 8 held-out samples per split.
        var r = Genomamba.Run(dir, "finetune-species", "--from", Path.Combine(quick.RunDir, "checkpoint.gmckpt"),
            "--steps-per-epoch", "2", "--batch", "4", "--eval-samples", "8", "--test", copy);
        Assert.True(r.ExitCode == 0, r.Stderr + r.StdoutText);
        string text = r.StdoutText;
        Assert.StartsWith("genomamba finetune-species: recipe 'quick' on the embedded great-ape windows", text);
        var accuracy = System.Text.RegularExpressions.Regex.Match(text, @"accuracy (\d+\.\d)% \(95% CI (\d+\.\d)–(\d+\.\d)%, Wilson\) on 8 samples \(chance 25\.0%\)");
        Assert.True(accuracy.Success, text);
        Assert.Contains("per species:", text);
        Assert.Contains("confusion matrix", text);
        foreach (var species in new[] { "chimpanzee", "gorilla", "human", "orangutan" })
        {
            Assert.Matches(@"\n  " + species + @"\s+\d+\.\d%", text);
        }
        // The confusion matrix counts every test sample once: 2 per species.
        var matrix = text[text.IndexOf("confusion matrix", StringComparison.Ordinal)..].Split('\n').Skip(2).Take(4)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(int.Parse).Sum()).ToArray();
        Assert.Equal([2, 2, 2, 2], matrix);
        string runDir = dir.File(Path.Combine("runs", "species-mamba-L1024"));
        Assert.True(File.Exists(Path.Combine(runDir, "metrics.jsonl")));

        // test.json: the printed figures, the Wilson interval of its own counts, and the --test directory scored the same.
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(runDir, "test.json")))!;
        var main = json["test"]!;
        long correct = (long)main["correct"]!;
        Assert.Equal(8L, (long)main["samples"]!);
        Assert.Equal(correct / 8.0, (double)main["accuracy"]!, 12);
        var wilson = Genomics.Mamba.Evaluation.WilsonInterval.Of(correct, 8);
        Assert.Equal(wilson.Low, (double)main["accuracy_ci95"]![0]!, 12);
        Assert.Equal(wilson.High, (double)main["accuracy_ci95"]![1]!, 12);
        Assert.Equal(double.Parse(accuracy.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), Math.Round(100 * wilson.Low, 1), 6);
        Assert.Equal(double.Parse(accuracy.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture), Math.Round(100 * wilson.High, 1), 6);
        Assert.Contains($"test (held-out part of {copy}), L=1,024:", text);
        Assert.Equal(Path.GetFullPath(copy), (string?)json["other_source"]);
        Assert.Equal(main.ToJsonString(), json["other_test"]!.ToJsonString());
    }

    [Fact]
    public void Finetune_with_a_test_directory_of_other_species_fails_before_training()
    {
        using var dir = TestData.NewTempDir();
        string other = dir.File("other-apes");
        Directory.CreateDirectory(other);
        foreach (string f in Directory.GetFiles(TestData.Embedded("apes")))
        {
            string name = Path.GetFileName(f).Replace("orangutan", "bonobo", StringComparison.Ordinal);
            File.Copy(f, Path.Combine(other, name));
        }
        var r = Genomamba.Run(dir, "finetune-species", "--test", other, "--steps", "1");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Single(r.StderrLines);
        Assert.Contains("warning: no --from checkpoint: the backbone starts from random weights", r.StdoutText);
        Assert.StartsWith("genomamba: error: --test", r.StderrLines[0]);
        Assert.Contains("bonobo", r.StderrLines[0]);
        Assert.False(Directory.Exists(dir.File("runs")), "nothing is trained or written");
    }

    [Fact]
    public void A_hyena_backbone_pretrained_at_another_length_fine_tunes_with_a_warning_and_a_regenerated_filter()
    {
        using var dir = TestData.NewTempDir();
        var pre = Genomamba.Run(dir, "pretrain", "--model", "hyena", "--preset", "d16x2", "--tokens-per-step", "4096", "--steps", "2", "--valid-windows", "1", "--out", "pre");
        Assert.True(pre.ExitCode == 0, pre.Stderr + pre.StdoutText);
        var r = Genomamba.Run(dir, "finetune-species", "--from", Path.Combine("pre", "checkpoint.gmckpt"), "--len", "2048",
            "--steps-per-epoch", "1", "--batch", "2", "--eval-samples", "4", "--out", "species");
        Assert.True(r.ExitCode == 0, r.Stderr + r.StdoutText);
        Assert.Contains("was pretrained at L=1024, fine-tuning at L=2048", r.StdoutText);
        Assert.Contains("HyenaDNA's implicit filter is regenerated for the new length", r.StdoutText);
        Assert.Contains("l_max 2,050", r.StdoutText);                      // the classifier's filter spans the new length
        Assert.Matches(@"accuracy \d+\.\d% \(95% CI [\d.]+–[\d.]+%, Wilson\) on 4 samples", r.StdoutText);
    }
}
