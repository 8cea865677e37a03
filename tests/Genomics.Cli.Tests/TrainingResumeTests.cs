using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Genomics.Cli.Tests;

/// <summary>Stopping and resuming `genomamba pretrain` from the command line, on a d16 × 2 model and the embedded data.</summary>
public class TrainingResumeTests
{
    static readonly string[] Tiny = ["pretrain", "--preset", "d16x2", "--tokens-per-step", "4096", "--valid-windows", "1"];

    static double[] StepLosses(string runDir) =>
        File.ReadLines(Path.Combine(runDir, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!)
            .Where(m => (string?)m["event"] == "step").Select(m => (double)m["loss"]!).ToArray();

    [Fact]
    public void Pretrain_stopped_at_a_step_limit_and_resumed_gives_the_same_losses_as_one_run()
    {
        using var dir = TestData.NewTempDir();
        var whole = Genomamba.Run(dir, [.. Tiny, "--steps", "4", "--out", "a"]);
        Assert.True(whole.ExitCode == 0, whole.Stderr + whole.StdoutText);
        var first = Genomamba.Run(dir, [.. Tiny, "--steps", "2", "--out", "b"]);
        Assert.True(first.ExitCode == 0, first.Stderr + first.StdoutText);
        var again = Genomamba.Run(dir, [.. Tiny, "--steps", "4", "--out", "b"]);
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("--resume", again.Stderr);
        var second = Genomamba.Run(dir, [.. Tiny, "--steps", "4", "--out", "b", "--resume"]);
        Assert.True(second.ExitCode == 0, second.Stderr + second.StdoutText);
        Assert.Contains("resuming", second.StdoutText);

        double[] a = StepLosses(dir.File("a")), b = StepLosses(dir.File("b"));
        Assert.Equal(4, a.Length);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Finetune_species_stopped_and_resumed_gives_the_same_losses_and_test_report_as_one_run()
    {
        using var dir = TestData.NewTempDir();
        string[] species = ["finetune-species", "--preset", "d16x2", "--steps-per-epoch", "2", "--batch", "4", "--eval-samples", "8"];
        var whole = Genomamba.Run(dir, [.. species, "--out", "a"]);
        Assert.True(whole.ExitCode == 0, whole.Stderr + whole.StdoutText);
        var first = Genomamba.Run(dir, [.. species, "--steps", "3", "--out", "b"]);
        Assert.True(first.ExitCode == 0, first.Stderr + first.StdoutText);
        var second = Genomamba.Run(dir, [.. species, "--out", "b", "--resume"]);
        Assert.True(second.ExitCode == 0, second.Stderr + second.StdoutText);
        Assert.Contains("resuming", second.StdoutText);

        // Two epochs of two steps: the resumed run crosses the epoch boundary (new draws, the LR's turn to cosine).
        double[] a = StepLosses(dir.File("a")), b = StepLosses(dir.File("b"));
        Assert.Equal(4, a.Length);
        Assert.Equal(a, b);
        Assert.Equal(File.ReadAllText(dir.File(Path.Combine("a", "test.json"))), File.ReadAllText(dir.File(Path.Combine("b", "test.json"))));
    }

    [Fact]
    public async Task Sigterm_stops_pretrain_with_a_checkpoint_and_exit_code_130()
    {
        using var dir = TestData.NewTempDir();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir.Path };
        // The paper recipe's 472 steps of 4 sequences: long enough to be signalled mid-run.
        foreach (string a in new[] { Genomamba.Dll, "pretrain", "--recipe", "paper", "--preset", "d16x2", "--tokens-per-step", "4096", "--epochs", "1", "--out", "run" })
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var seen = new List<string>();
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null)
        {
            seen.Add(line);
            if (line.Contains("step 1/", StringComparison.Ordinal))
            {
                using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
                kill.WaitForExit();
                break;
            }
        }
        seen.AddRange(process.StandardOutput.ReadToEnd().Split('\n'));
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "did not stop within 2 minutes of SIGTERM");
        string output = string.Join('\n', seen);
        string errors = await stderr;
        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{output}\n{errors}");
        Assert.Contains("SIGTERM", output);
        Assert.Contains("stopped at step", output);
        Assert.True(File.Exists(dir.File(Path.Combine("run", "checkpoint.gmckpt"))));
        var last = JsonNode.Parse(File.ReadLines(dir.File(Path.Combine("run", "metrics.jsonl"))).Last())!;
        Assert.Equal("stopped", (string?)last["reason"]);
    }
}
