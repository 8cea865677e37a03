using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Genomics.Mamba.Config;
using Genomics.Mamba.Memory;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Training;

namespace Genomics.Cli.Training;

/// <summary>What the training commands share: model choice, threads, memory budget, stopping on Ctrl+C / SIGTERM.</summary>
public static class TrainingRun
{
    /// <summary>
    /// The model config of <paramref name="family"/> ("mamba" | "hyena") and <paramref name="preset"/> (a preset name or
    /// dWIDTHxDEPTH, e.g. d64x4); a HyenaDNA config's filter is sized for <paramref name="length"/>.
    /// </summary>
    public static object Config(string family, string preset, int length)
    {
        (int D, int N)? free = null;
        if (preset.StartsWith('d') && preset[1..].Split('x') is [var d, var n]
            && int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out int dm) && int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out int nl)
            && dm > 0 && nl > 0)
        {
            free = (dm, nl);
        }
        try
        {
            return family switch
            {
                "mamba" => free is { } f ? new MambaConfig { DModel = f.D, NLayer = f.N } : MambaConfig.Preset(preset),
                "hyena" => (free is { } f ? new HyenaConfig { DModel = f.D, NLayer = f.N } : HyenaConfig.Preset(preset)).ForContext(length),
                _ => throw new ArgumentException($"--model '{family}': expected mamba or hyena"),
            };
        }
        catch (ArgumentException e) when (e.ParamName == "name")
        {
            throw new ArgumentException($"--preset '{preset}': {FirstLine(e.Message)}, or dWIDTHxDEPTH (e.g. d64x4)");
        }
    }

    /// <summary>The options both training commands take, with the same names, defaults and help.</summary>
    public sealed class CommonOptions
    {
        public Option<long> Seed { get; } = new("--seed") { Description = "seed of the initialisation, data order and augmentation", DefaultValueFactory = _ => 1 };
        public Option<string?> Resume { get; } = new("--resume") { Description = "continue the run in --out (or from this checkpoint file) exactly where it stopped", Arity = ArgumentArity.ZeroOrOne };
        public Option<int> Threads { get; } = new("--threads") { Description = "torch threads (0: one per core)", DefaultValueFactory = _ => 0 };
        public Option<string> Dtype { get; } = new("--dtype") { Description = "activation precision: fp32 or bf16 (fp32 master weights either way)", DefaultValueFactory = _ => "fp32" };
        public Option<double?> Memory { get; } = new("--memory-gib") { Description = "memory budget for the planner (default: 90% of the memory available now)" };

        public CommonOptions() => Dtype.AcceptOnlyFromAmong("fp32", "bf16");

        public IEnumerable<Option> All => [Seed, Resume, Threads, Dtype, Memory];

        public TrainingPrecision Precision(ParseResult parse) =>
            parse.GetValue(Dtype) == "bf16" ? TrainingPrecision.BFloat16 : TrainingPrecision.Float32;

        /// <summary>What --resume asked for: null when absent, "" for --resume alone (the --out directory's checkpoint), else a path.</summary>
        public string? ResumeRequest(ParseResult parse) => parse.GetResult(Resume) is null ? null : parse.GetValue(Resume) ?? "";
    }

    /// <summary>
    /// The checkpoint to resume from (null: a fresh run) for a run writing into <paramref name="outDir"/>, given what
    /// --resume asked for (<see cref="CommonOptions.ResumeRequest"/>). A fresh run never overwrites another run's
    /// checkpoint, and a --resume without a checkpoint says where one was looked for.
    /// </summary>
    public static string? ResumeFrom(string? request, string outDir)
    {
        string checkpointPath = Path.Combine(outDir, Trainer.CheckpointFileName);
        string? from = request is null ? null : request.Length > 0 ? request : checkpointPath;
        if (from is null && File.Exists(checkpointPath))
        {
            throw new InvalidOperationException($"{checkpointPath} exists: pass --resume to continue that run, or choose another --out");
        }
        if (from is not null && !File.Exists(from))
        {
            throw new FileNotFoundException($"--resume: no checkpoint at {from} (a run writes {Trainer.CheckpointFileName} in its --out directory)");
        }
        return from;
    }

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

    /// <summary>The memory budget: --memory-gib, else 90% of what the machine has available now.</summary>
    public static long Budget(double? gib)
    {
        if (gib is { } g)
        {
            return g > 0 ? (long)(g * (1L << 30)) : throw new ArgumentException($"--memory-gib {g}: must be positive");
        }
        return (long)(0.9 * (AvailableBytes() ?? 8L << 30));
    }

    /// <summary>MemAvailable from /proc/meminfo, or null where there is none.</summary>
    public static long? AvailableBytes()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.AsSpan("MemAvailable:".Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Applies a stage's memory plan to a model: checkpointing and segment length (Mamba: segmented
    /// recompute; HyenaDNA: staged recompute in position chunks).</summary>
    public static void Apply(TorchSharp.torch.nn.Module model, bool checkpointing, long? segment)
    {
        var policy = checkpointing ? ActivationCheckpointing.Always : ActivationCheckpointing.Never;
        if (segment is not null)
        {
            MallocTuning.ForSegmentedRecompute();   // the planner's figures assume RSS follows the segments' tensors
        }
        foreach (var module in model.modules().Prepend(model))
        {
            switch (module)
            {
                case MambaBackbone m:
                    m.Checkpointing = policy;
                    m.Segmenting = segment is { } s ? SegmentPolicy.Every(s) : SegmentPolicy.Off;
                    break;
                case HyenaBackbone h:
                    h.Checkpointing = policy;
                    h.Segmenting = segment is { } c ? SegmentPolicy.Every(c) : SegmentPolicy.Off;
                    break;
            }
        }
    }

    /// <summary>
    /// A token cancelled by the first Ctrl+C or SIGTERM (the run then stops at the next micro-batch and writes a
    /// checkpoint); a second Ctrl+C ends the process at once.
    /// </summary>
    public sealed class StopSignal : IDisposable
    {
        readonly CancellationTokenSource _source = new();
        readonly PosixSignalRegistration[] _registrations;

        public StopSignal(Action<string> notice)
        {
            _registrations =
            [
                PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => Handle(ctx, "Ctrl+C", notice)),
                PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => Handle(ctx, "SIGTERM", notice)),
            ];
        }

        public CancellationToken Token => _source.Token;

        void Handle(PosixSignalContext ctx, string what, Action<string> notice)
        {
            if (_source.IsCancellationRequested && ctx.Signal == PosixSignal.SIGINT)
            {
                return;   // second Ctrl+C: let the runtime end the process
            }
            ctx.Cancel = true;
            notice($"{what}: stopping after the current micro-batch and writing a checkpoint (Ctrl+C again to quit at once)");
            _source.Cancel();
        }

        public void Dispose()
        {
            foreach (var r in _registrations)
            {
                r.Dispose();
            }
            _source.Dispose();
        }
    }

    /// <summary>The first line of a message, without .NET's " (Parameter 'x')" suffix.</summary>
    public static string FirstLine(string message)
    {
        string line = message.Split('\n')[0].TrimEnd();
        int p = line.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
        return p > 0 ? line[..p] : line;
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
            throw new ArgumentException(FirstLine(e.Message), e);
        }
    }
}
