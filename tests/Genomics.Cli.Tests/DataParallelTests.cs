using System.Text.Json.Nodes;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Runtime;

namespace Genomics.Cli.Tests;

/// <summary>
/// `mpirun -np 2 genomamba pretrain` against one process with the same arguments: the same samples per step (each rank
/// takes one of the step's two micro-batches), gradients summed in rank order, so every logged loss and gradient norm
/// and every final weight is the same, bit for bit. Skipped, saying so, where OpenMPI's mpirun is not installed
/// (.ci/run installs it, so CI always runs this).
/// </summary>
public class DataParallelTests
{
    // A small model, 4 steps of 4 sequences × 1,024 in micro-batches of 2, one torch thread per process.
    static readonly string[] Tiny = ["pretrain", "--preset", "d16x2", "--tokens-per-step", "4096", "--micro-batch", "2", "--steps", "4",
        "--valid-windows", "1", "--threads", "1", "--out", "run"];

    static List<JsonNode> Steps(TestData.TempDir dir) =>
        File.ReadAllLines(dir.File(Path.Combine("run", "metrics.jsonl"))).Select(l => JsonNode.Parse(l)!)
            .Where(m => (string?)m["event"] == "step").ToList();

    [SkippableTheory]
    [InlineData("ordered")]
    [InlineData("fast")]
    public void Two_ranks_give_the_losses_and_weights_of_one_process(string reduce)
    {
        Skip.If(Genomamba.MpiRun is null, "mpirun is not installed (apt-get install openmpi-bin): data-parallel training was not run");
        using var one = TestData.NewTempDir();
        using var two = TestData.NewTempDir();
        var single = Genomamba.Run(one, Tiny);
        Assert.True(single.ExitCode == 0, single.Stderr + single.StdoutText);
        var ranks = Genomamba.RunRanks(two, 2, [.. Tiny, "--reduce", reduce]);
        Assert.True(ranks.ExitCode == 0, ranks.Stderr + ranks.StdoutText);
        Assert.Contains("ranks: 2", ranks.StdoutText);
        // Rank 0 alone prints: one header, one final line.
        Assert.Single(ranks.StdoutText.Split('\n'), l => l.StartsWith("validation perplexity", StringComparison.Ordinal));

        var a = Steps(one);
        var b = Steps(two);
        Assert.Equal(4, a.Count);
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            // With two ranks a sum of two terms has one order, so "fast" (MPI_Allreduce) is exact here too.
            Assert.Equal((double)a[i]["loss"]!, (double)b[i]["loss"]!);
            Assert.Equal((double)a[i]["grad_norm"]!, (double)b[i]["grad_norm"]!);
            Assert.Equal((long)a[i]["tokens"]!, (long)b[i]["tokens"]!);
        }

        TorchRuntime.EnsureLoaded();
        using var ca = Checkpoint.Load(one.File(Path.Combine("run", "checkpoint.gmckpt")));
        using var cb = Checkpoint.Load(two.File(Path.Combine("run", "checkpoint.gmckpt")));
        Assert.Equal(ca.Step, cb.Step);
        Assert.Equal(ca.Weights.Keys.Order(), cb.Weights.Keys.Order());
        foreach (var (name, w) in ca.Weights)
        {
            Assert.True(w.allclose(cb.Weights[name], rtol: 0, atol: 0), $"{name} differs after 4 steps");
        }
    }

    [SkippableFact]
    public void Two_ranks_fine_tune_species_as_one_process_does()
    {
        Skip.If(Genomamba.MpiRun is null, "mpirun is not installed (apt-get install openmpi-bin): data-parallel training was not run");
        string[] tiny = ["finetune-species", "--preset", "d16x2", "--steps-per-epoch", "2", "--batch", "4", "--micro-batch", "2", "--eval-samples", "8",
            "--threads", "1", "--out", "run"];
        using var one = TestData.NewTempDir();
        using var two = TestData.NewTempDir();
        var single = Genomamba.Run(one, tiny);
        Assert.True(single.ExitCode == 0, single.Stderr + single.StdoutText);
        var ranks = Genomamba.RunRanks(two, 2, tiny);
        Assert.True(ranks.ExitCode == 0, ranks.Stderr + ranks.StdoutText);
        var a = Steps(one);
        var b = Steps(two);
        Assert.Equal(4, a.Count);                                          // quick: 2 epochs × 2 steps
        Assert.Equal(a.Select(m => (double)m["loss"]!), b.Select(m => (double)m["loss"]!));
        Assert.Equal(a.Select(m => (double)m["grad_norm"]!), b.Select(m => (double)m["grad_norm"]!));
        // The same classifier scores the same test set the same way.
        Assert.Equal(File.ReadAllText(one.File(Path.Combine("run", "test.json"))), File.ReadAllText(two.File(Path.Combine("run", "test.json"))));
    }

    [SkippableFact]
    public void A_two_rank_run_resumes_as_one_rank_and_as_two_on_the_uninterrupted_curve()
    {
        Skip.If(Genomamba.MpiRun is null, "mpirun is not installed (apt-get install openmpi-bin): data-parallel training was not run");
        string[] steps4 = [.. Tiny];
        string[] steps2 = [.. Tiny.Select(a => a == "4" ? "2" : a)];
        using var whole = TestData.NewTempDir();
        var uninterrupted = Genomamba.Run(whole, steps4);
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.Stderr + uninterrupted.StdoutText);
        var expected = Steps(whole).Select(m => (double)m["loss"]!).ToArray();

        foreach (int resumeRanks in new[] { 1, 2 })
        {
            using var dir = TestData.NewTempDir();
            var first = Genomamba.RunRanks(dir, 2, steps2);
            Assert.True(first.ExitCode == 0, first.Stderr + first.StdoutText);
            string[] resume = [.. steps4, "--resume"];
            var second = resumeRanks == 1 ? Genomamba.Run(dir, resume) : Genomamba.RunRanks(dir, 2, resume);
            Assert.True(second.ExitCode == 0, second.Stderr + second.StdoutText);
            // metrics.jsonl holds both runs' steps: 1–2 from the first, 3–4 from the resumed one.
            Assert.Equal(expected, Steps(dir).Select(m => (double)m["loss"]!));
        }
    }

    [SkippableFact]
    public void A_rank_killed_mid_run_ends_the_job_within_30_s_naming_it_and_the_checkpoint_still_loads()
    {
        Skip.If(Genomamba.MpiRun is null, "mpirun is not installed (apt-get install openmpi-bin): data-parallel training was not run");
        using var dir = TestData.NewTempDir();
        // The paper recipe on the embedded data at 2^10: about a thousand short steps, far more than the test lets run.
        var psi = new System.Diagnostics.ProcessStartInfo(Genomamba.MpiRun!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dir.Path,
        };
        foreach (string a in new[] { "--allow-run-as-root", "--oversubscribe", "-np", "2", "dotnet", Genomamba.Dll, "pretrain", "--recipe", "paper",
                     "--preset", "d16x2", "--len", "1024", "--tokens-per-step", "4096", "--micro-batch", "2", "--valid-windows", "1", "--threads", "1",
                     "--save-every", "5", "--out", "run" })
        {
            psi.ArgumentList.Add(a);
        }
        using var mpirun = System.Diagnostics.Process.Start(psi)!;
        var stdout = mpirun.StandardOutput.ReadToEndAsync();
        var stderr = mpirun.StandardError.ReadToEndAsync();
        string checkpoint = dir.File(Path.Combine("run", "checkpoint.gmckpt"));
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!File.Exists(checkpoint) && DateTime.UtcNow < deadline && !mpirun.HasExited)
        {
            Thread.Sleep(200);
        }
        Assert.True(File.Exists(checkpoint), "no checkpoint was written before the kill");
        int rank1 = RankPid(1);
        var killed = System.Diagnostics.Stopwatch.StartNew();
        System.Diagnostics.Process.GetProcessById(rank1).Kill();            // SIGKILL
        Assert.True(mpirun.WaitForExit(TimeSpan.FromSeconds(30)), "the job was still running 30 s after rank 1 died");
        double seconds = killed.Elapsed.TotalSeconds;
        Assert.NotEqual(0, mpirun.ExitCode);
        string err = stderr.Result + stdout.Result;
        Assert.Contains("rank 1", err);
        Assert.True(seconds < 30, $"{seconds:F1} s");

        // The checkpoint on disk is whole (written to a temp file, then renamed) and a run resumes from it.
        long step;
        Genomics.Mamba.Runtime.TorchRuntime.EnsureLoaded();
        using (var saved = Checkpoint.Load(checkpoint))
        {
            step = saved.Step;
            Assert.True(step >= 5 && step % 5 == 0, $"checkpoint at step {step}");
        }
        var resumed = Genomamba.Run(dir, "pretrain", "--recipe", "paper", "--preset", "d16x2", "--len", "1024", "--tokens-per-step", "4096",
            "--micro-batch", "2", "--valid-windows", "1", "--threads", "1", "--out", "run", "--resume", "--steps", (step + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(resumed.ExitCode == 0, resumed.Stderr + resumed.StdoutText);
        Assert.Contains("resuming", resumed.StdoutText);
    }

    /// <summary>The pid of the genomamba process that mpirun started as <paramref name="rank"/>.</summary>
    static int RankPid(int rank)
    {
        foreach (string proc in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out int pid))
            {
                continue;
            }
            try
            {
                string cmdline = File.ReadAllText(Path.Combine(proc, "cmdline"));
                string environ = File.ReadAllText(Path.Combine(proc, "environ"));
                if (cmdline.Contains("pretrain", StringComparison.Ordinal) && cmdline.Contains(Genomamba.Dll, StringComparison.Ordinal)
                    && environ.Split('\0').Contains($"OMPI_COMM_WORLD_RANK={rank}"))
                {
                    return pid;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        throw new InvalidOperationException($"no process of rank {rank} found");
    }
}
