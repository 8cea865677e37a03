using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Genomics.Cli.Output;
using Genomics.Mamba.Config;
using Genomics.Mamba.Memory;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Runtime;
using Genomics.Mamba.Scan;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Cli.Bench;

/// <summary>
/// `bench model`: training throughput and peak memory of whole language models — forward, next-token loss, backward,
/// AdamW step on random DNA tokens, the median over repeats — beside the <see cref="MemoryPlanner"/>'s prediction.
/// Each configuration runs in a fresh child process (this executable, hidden --case option) so its peak RSS is its
/// own, not the high-water mark of an earlier, larger one. Lengths of 2^20 and more run one forward+backward only.
/// </summary>
public static class ModelBench
{
    /// <param name="Models">Model specs: family-preset ("mamba-1.4M", "hyena-7M") or family-dWIDTHxDEPTH ("mamba-d128x8").</param>
    /// <param name="Lens">Lengths for every model; null for the default grid.</param>
    /// <param name="Recompute">Backbone setting for every case (Auto: the model's default, on from 2^16).</param>
    /// <param name="BudgetBytes">Budget the printed plan is made for.</param>
    /// <param name="Force">Run cases whose predicted peak exceeds the memory this machine has available.</param>
    /// <param name="Batch">Sequences per step for every case instead of max(1, 2^16 / L).</param>
    /// <param name="DryRun">Print each case's predicted peak and the planner's plan; run nothing.</param>
    /// <param name="Threads">torch.set_num_threads in each case (0: libtorch's default, one per core).</param>
    public sealed record Options(string[]? Models, long[]? Lens, int Repeats, bool Quick, RecomputePolicy Recompute, long BudgetBytes,
        bool Force = false, int Threads = 0, bool DryRun = false, long? Batch = null);

    /// <summary>One configuration: a model spec, L, batch, and whether it trains (AdamW) or only runs forward+backward.</summary>
    public sealed record Case(string Model, long Length, long Batch, bool Train, RecomputePolicy Recompute)
    {
        public string Key => string.Join(':', Model, Length, Batch, Train ? "train" : "fwdbwd", Recompute);

        public static Case Parse(string key)
        {
            var parts = key.Split(':');
            if (parts.Length != 5)
            {
                throw new ArgumentException($"--case '{key}': expected model:L:batch:train|fwdbwd:Auto|Always|Never");
            }
            return new Case(parts[0], long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture),
                parts[3] == "train", Enum.Parse<RecomputePolicy>(parts[4]));
        }
    }

    /// <summary>What a child process measured for one <see cref="Case"/>.</summary>
    public sealed record CaseResult(string Key, long Parameters, bool Checkpointed, int Threads, double[] Seconds, long BaselineBytes, long PeakBytes,
        double MinorFaultsPerStep, double SystemSecondsPerStep, bool MallocTuned, long[] StepPeakBytes);

    const long DefaultLongLength = 1 << 20;
    static readonly string[] DefaultModels = ["mamba-1.4M", "hyena-1.4M"];
    static readonly long[] DefaultLens = [1024, 16384, 131072];

    /// <summary>The configurations the options select, in run order.</summary>
    public static IReadOnlyList<Case> Cases(Options o)
    {
        var cases = new List<Case>();
        var models = o.Models is { Length: > 0 } ? o.Models : null;
        var lens = o.Lens is { Length: > 0 } ? o.Lens : o.Quick ? DefaultLens.Where(l => l <= 16384).ToArray() : DefaultLens;
        foreach (var model in models ?? DefaultModels)
        {
            foreach (var l in lens)
            {
                var c = Make(model, l, o.Recompute);
                cases.Add(o.Batch is { } b ? c with { Batch = b } : c);
            }
        }
        if (models is null && o.Lens is not { Length: > 0 })
        {
            // Issue 4's extra rows: the width users compare against Python implementations, and one sequence of 2^20.
            cases.Add(new Case("mamba-d128x8", 4096, 1, true, o.Recompute));
            if (!o.Quick)
            {
                cases.Add(Make("mamba-1.4M", DefaultLongLength, RecomputePolicy.Always));
            }
        }
        return cases;
    }

    /// <summary>batch = max(1, 2^16 / L) as issue 4 asks; from 2^20 on, one forward+backward.</summary>
    static Case Make(string model, long length, RecomputePolicy ckpt) =>
        new(model, length, Math.Max(1, (1L << 16) / length), length < DefaultLongLength, ckpt);

    public static IReadOnlyList<Measurement> Run(Options o, Action<string> log, TextWriter? output = null)
    {
        var results = new List<Measurement>();
        foreach (var c in Cases(o))
        {
            var (footprintLabel, plan, estimate) = Predict(c, o.BudgetBytes);
            log($"{c.Model} L={c.Length} batch={c.Batch}: predicted peak {MemoryEstimate.Format(estimate.TotalBytes)}; planner at budget {MemoryEstimate.Format(o.BudgetBytes)}: {Summary(plan)}");
            if (o.DryRun)
            {
                output?.WriteLine($"{c.Key}: as run ({(c.Train ? "train" : "forward+backward")}), predicted peak {MemoryEstimate.Format(estimate.TotalBytes)}" +
                                  $" ({estimate.TotalBytes / 1048576.0:F0} MiB)\n{estimate}\n{plan}\n");
                continue;
            }
            if (MemoryBudget.AvailableBytes() is { } available && estimate.TotalBytes > available * 0.9 && !o.Force)
            {
                // The machine is shared: running into the OOM killer would take other processes' work with it.
                log($"  skipped: the predicted peak is over 90% of the {MemoryEstimate.Format(available)} this machine has available (--force runs it anyway)");
                continue;
            }
            var result = RunChild(c, o.Repeats, o.Threads, log);
            if (result is null)
            {
                continue;
            }
            results.Add(ToMeasurement(c, footprintLabel, plan, estimate, result));
            log($"  {result.Seconds.Length} step(s), median {Timing.Median(result.Seconds):F3} s, peak RSS {MemoryEstimate.Format(result.PeakBytes)} (predicted {MemoryEstimate.Format(estimate.TotalBytes)})");
        }
        return results;
    }

    static string Summary(MemoryPlan p) =>
        $"recompute {(p.Recompute ? p.SegmentLength is { } s ? $"on/seg {s}" : "on" : "off")}, micro-batch {p.MicroBatch}×{p.GradientAccumulation}" +
        (p.Fits ? "" : " (does not fit)");

    /// <summary>The planner's estimate for exactly what the case runs, and its own plan for the case's L and batch.</summary>
    static (string Description, MemoryPlan Plan, MemoryEstimate Estimate) Predict(Case c, long budget)
    {
        bool ckpt = c.Recompute.RecomputesAt(c.Length);
        var model = ModelPresets.FromKey(c.Model, checked((int)c.Length));
        // The backbone segments by its default policy (SegmentPolicy.Auto) when checkpointing long sequences.
        var estimate = MemoryPlanner.Estimate(model, c.Length, c.Batch, checkpointing: ckpt,
            segmentLength: ckpt ? SegmentPolicy.Auto.SegmentFor(c.Length, c.Recompute) : null);
        var plan = MemoryPlanner.Plan(model, c.Length, c.Batch, budget);
        string description = model.ConfigText;
        // A forward+backward without an optimizer step creates no AdamW moments.
        return (description, plan, c.Train ? estimate : estimate with { OptimizerBytes = 0 });
    }

    static Measurement ToMeasurement(Case c, string description, MemoryPlan plan, MemoryEstimate estimate, CaseResult r)
    {
        double median = Timing.Median(r.Seconds);
        double tokens = (double)c.Batch * c.Length;
        double peakMB = r.PeakBytes / 1048576.0, predictedMB = estimate.TotalBytes / 1048576.0;
        double errorPct = 100 * (predictedMB - peakMB) / peakMB;
        var figures = new Dictionary<string, double>
        {
            ["median_s"] = median,
            ["min_s"] = r.Seconds.Min(),
            ["max_s"] = r.Seconds.Max(),
            ["peak_rss_MB"] = peakMB,
            ["predicted_peak_MB"] = predictedMB,
            ["error_pct"] = errorPct,
            ["within_15pct"] = Math.Abs(errorPct) <= 15 ? 1 : 0,
            ["step_delta_MB"] = (r.PeakBytes - r.BaselineBytes) / 1048576.0,
            ["predicted_delta_MB"] = estimate.ActivationBytes / 1048576.0,
            ["page_faults_per_step"] = r.MinorFaultsPerStep,
            ["sys_s_per_step"] = r.SystemSecondsPerStep,
        };
        var parameters = new Dictionary<string, object>
        {
            ["model"] = c.Model,
            ["params"] = r.Parameters,
            ["L"] = c.Length,
            ["batch"] = c.Batch,
            ["ckpt"] = r.Checkpointed ? "on" : "off",
            ["threads"] = r.Threads,
            ["repeats"] = r.Seconds.Length,
            ["plan"] = Summary(plan),
            ["malloc"] = r.MallocTuned ? "tuned" : "default",
        };
        _ = description;
        return new Measurement(c.Train ? $"train {c.Model}" : $"fwd+bwd {c.Model}", parameters, figures, "tokens/s", tokens / median);
    }

    /// <summary>Runs one case in a child process and reads its result line; null (logged) when the child fails.</summary>
    static CaseResult? RunChild(Case c, int repeats, int threads, Action<string> log)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot locate this executable to run a case");
        start.FileName = self;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ModelBench).Assembly.Location);
        }
        foreach (var a in new[] { "bench", "model", "--case", c.Key, "--repeats", repeats.ToString(CultureInfo.InvariantCulture), "--threads", threads.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(a);
        }
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"could not start {self}");
        child.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                log("  " + line);
            }
        };
        child.BeginErrorReadLine();
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith('{'));
        if (child.ExitCode != 0 || line is null)
        {
            log($"  {c.Key}: child exited with code {child.ExitCode}{(child.ExitCode == 137 ? " (killed: out of memory?)" : "")}");
            return null;
        }
        return JsonSerializer.Deserialize<CaseResult>(line);
    }

    /// <summary>The child side: build the model, measure, print one JSON line.</summary>
    public static void RunCase(Case c, int repeats, int threads, TextWriter output, Action<string> log)
    {
        TorchRuntime.EnsureLoaded();
        if (threads > 0)
        {
            set_num_threads(threads);
        }
        ScanBackend.Notice += log;
        _ = ScanBackend.Kind;
        manual_seed(0);
        using var model = ModelPresets.FromKey(c.Model, checked((int)c.Length)).Build();
        foreach (var backbone in Genomics.Mamba.Training.TrainingStage.Backbones(model))
        {
            backbone.Recompute = c.Recompute;
        }
        bool ckpt = BlockRecompute.Applies(c.Recompute, c.Length);
        if (SegmentPolicy.Auto.SegmentFor(c.Length, c.Recompute) is not null)
        {
            MallocTuning.ForSegmentedRecompute();   // both backbones segment long sequences by default
        }
        long parameters = model.parameters().Sum(p => p.numel());
        var m = TrainingStepProbe.Measure(model, c.Length, c.Batch, c.Train ? repeats : 1, warmup: c.Train ? 1 : 0, optimizerStep: c.Train);
        output.WriteLine(JsonSerializer.Serialize(new CaseResult(c.Key, parameters, ckpt, get_num_threads(), m.Seconds, m.BaselineBytes, m.PeakBytes,
            m.MinorFaultsPerStep, m.SystemSecondsPerStep, MallocTuning.Applied, m.StepPeakBytes)));
    }
}
