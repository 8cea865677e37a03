using System.CommandLine;
using Genomics.Cli.Output;
using Genomics.Mamba.Modules;

namespace Genomics.Cli.Bench;

/// <summary>`genomamba bench model`: options and wiring for <see cref="ModelBench"/>.</summary>
public static class ModelBenchCommand
{
    public static Command Build()
    {
        var models = new Option<string[]>("--models")
        {
            Description = "model specs: mamba-PRESET, hyena-PRESET or FAMILY-dWIDTHxDEPTH (default: mamba-1.4M hyena-1.4M, plus mamba-d128x8 at L=4096 and mamba-1.4M at L=2^20)",
            AllowMultipleArgumentsPerToken = true,
        };
        var lens = new Option<long[]>("--lens") { Description = "sequence lengths L (default: 1024 16384 131072); batch = max(1, 2^16/L); L ≥ 2^20 runs one forward+backward", AllowMultipleArgumentsPerToken = true };
        var repeats = new Option<int>("--repeats") { Description = "timed training steps per configuration (the median is reported)", DefaultValueFactory = _ => 3 };
        var quick = new Option<bool>("--quick") { Description = "small sizes only (L ≤ 16384, no 2^20 run)" };
        var recompute = new Option<RecomputePolicy>("--recompute") { Description = "recompute blocks in backward (activation checkpointing): Auto (on from L = 2^16), Always, Never; the 2^20 row always recomputes", DefaultValueFactory = _ => RecomputePolicy.Auto };
        var budget = new Option<double>("--memory-gib") { Description = "memory budget (GiB) the memory planner's plan is printed for", DefaultValueFactory = _ => 12 };
        var threads = new Option<int>("--threads") { Description = "torch.set_num_threads in each case (0: libtorch's default)", DefaultValueFactory = _ => 0 };
        var batch = new Option<long?>("--batch") { Description = "sequences per step for every case (default: max(1, 2^16/L))" };
        var dryRun = new Option<bool>("--dry-run") { Description = "print each case's predicted peak and the memory planner's plan; run nothing" };
        var force = new Option<bool>("--force") { Description = "run cases whose predicted peak exceeds the memory available (default: skip them)" };
        var json = new Option<bool>("--json") { Description = "one JSON object per measurement" };
        var oneCase = new Option<string>("--case") { Description = "internal: run one configuration in this process and print its result", Hidden = true };
        var cmd = new Command("model", "Training tokens/s (forward+backward+AdamW, medians) and peak RSS of Mamba and HyenaDNA LMs, beside the memory planner's prediction")
        {
            models, lens, batch, repeats, quick, recompute, budget, threads, force, dryRun, json, oneCase,
        };
        cmd.SetAction(parse =>
        {
            var err = parse.InvocationConfiguration.Error;
            if (parse.GetValue(repeats) < 1 || parse.GetValue(lens)?.Any(l => l < 1) == true || !(parse.GetValue(budget) > 0) || parse.GetValue(batch) < 1)
            {
                throw new ArgumentException("--repeats, --lens, --batch and --memory-gib take positive numbers");
            }
            if (parse.GetValue(oneCase) is { } key)
            {
                ModelBench.RunCase(ModelBench.Case.Parse(key), parse.GetValue(repeats), parse.GetValue(threads), parse.InvocationConfiguration.Output, line => err.WriteLine(line));
                return 0;
            }
            var options = new ModelBench.Options(parse.GetValue(models), parse.GetValue(lens), parse.GetValue(repeats), parse.GetValue(quick),
                parse.GetValue(recompute), (long)(parse.GetValue(budget) * (1L << 30)), parse.GetValue(force), parse.GetValue(threads), parse.GetValue(dryRun), parse.GetValue(batch));
            var results = ModelBench.Run(options, line => err.WriteLine(line), parse.InvocationConfiguration.Output);
            MeasurementPrinter.Print(results, parse.GetValue(json), parse.InvocationConfiguration.Output);
            return 0;
        });
        return cmd;
    }
}
