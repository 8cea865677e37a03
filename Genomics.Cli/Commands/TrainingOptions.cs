using System.CommandLine;
using Genomics.Data;
using Genomics.Mamba.Memory;

namespace Genomics.Cli.Commands;

/// <summary>The options both training commands take, with the same names, defaults and help, and what they parse to.</summary>
public sealed class TrainingOptions
{
    public Option<long> Seed { get; } = new("--seed") { Description = "seed of the initialisation, data order and augmentation", DefaultValueFactory = _ => 1 };
    public Option<string?> Resume { get; } = new("--resume") { Description = "continue the run in --out (or from this checkpoint file) exactly where it stopped", Arity = ArgumentArity.ZeroOrOne };
    public Option<int> Threads { get; } = new("--threads") { Description = "torch threads (0: one per core)", DefaultValueFactory = _ => 0 };
    public Option<string> Dtype { get; } = new("--dtype") { Description = "activation precision: fp32 or bf16 (fp32 master weights either way)", DefaultValueFactory = _ => "fp32" };
    public Option<double?> Memory { get; } = new("--memory-gib") { Description = "memory budget for the planner (default: 90% of the memory available now)" };
    public Option<int?> MicroBatch { get; } = new("--micro-batch") { Description = "sequences per forward/backward (default: the memory planner's choice per stage)" };
    public Option<long?> SegmentLength { get; } = new("--segment-length") { Description = "recompute each block in segments (Mamba) or position chunks (HyenaDNA) of this many positions at stages longer than it (default: the memory planner's choice, 16384 at 2^20)" };
    public Option<bool> DryRun { get; } = new("--dry-run") { Description = "print the plan (stages, batch and accumulation per stage, recompute, memory, steps, tokens, time) and exit" };

    public TrainingOptions() => Dtype.AcceptOnlyFromAmong("fp32", "bf16");

    public IEnumerable<Option> All => [Seed, Resume, Threads, Dtype, Memory, MicroBatch, SegmentLength, DryRun];

    public TrainingPrecision Precision(ParseResult parse) =>
        parse.GetValue(Dtype) == "bf16" ? TrainingPrecision.BFloat16 : TrainingPrecision.Float32;

    /// <summary>The memory budget in bytes (<see cref="MemoryBudget.Bytes"/>).</summary>
    public long Budget(ParseResult parse) => MemoryBudget.Bytes(parse.GetValue(Memory));

    /// <summary>What --resume asked for: null when absent, "" for --resume alone (the --out directory's checkpoint), else a path.</summary>
    public string? ResumeRequest(ParseResult parse) => parse.GetResult(Resume) is null ? null : parse.GetValue(Resume) ?? "";

    /// <summary>What a run prints after the model: the activation precision and the fp32 masters.</summary>
    public static string PrecisionText(TrainingPrecision precision) =>
        $"activations {(precision == TrainingPrecision.BFloat16 ? "bf16" : "fp32")}, fp32 master weights";

    /// <summary>Sets torch's thread count when asked (0 keeps libtorch's default, one per core).</summary>
    public static void SetThreads(int threads)
    {
        if (threads < 0)
        {
            throw new ArgumentException($"--threads {threads}: must be ≥ 0 (0: one per core)");
        }
        if (threads > 0)
        {
            TorchSharp.torch.set_num_threads(threads);
        }
    }

    /// <summary>Runs <paramref name="body"/>, turning argument and configuration errors into one-line messages the CLI prints.</summary>
    public static int OneLineErrors(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(ErrorText.FirstLine(e.Message), e);
        }
    }
}
