using System.CommandLine;
using Genomics.Data;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Config;
using Genomics.Mamba.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Cli.Commands;

/// <summary>
/// What evaluate, generate and embed share: the --checkpoint option, loading it with errors a user can act on, and
/// the parsing of power-of-two lengths.
/// </summary>
internal static class ModelArguments
{
    public static Option<string?> CheckpointOption() => new("--checkpoint", "-c")
    {
        Description = "model checkpoint (.gmckpt) written by `genomamba pretrain` or `finetune-species` (Checkpoint.Save); required",
    };

    /// <summary>A model loaded from <paramref name="path"/>, with its spec; throws one-line errors for a missing option or file.</summary>
    public static (nn.Module<Tensor, Tensor> Model, ModelSpec Spec) Load(string? path, string command) =>
        LoadWithMetadata(path, command) is var (model, spec, _) ? (model, spec) : default;

    /// <summary><see cref="Load"/>, also returning the checkpoint's free-form metadata (run name, species names, …).</summary>
    public static (nn.Module<Tensor, Tensor> Model, ModelSpec Spec, IReadOnlyDictionary<string, string> Metadata) LoadWithMetadata(string? path, string command)
    {
        CheckPath(path, command);
        TorchRuntime.EnsureLoaded();
        using var checkpoint = Checkpoint.Load(path!);
        return (checkpoint.BuildModel(), checkpoint.Model, checkpoint.Metadata);
    }

    /// <summary>
    /// The metadata key under which a species classifier's checkpoint may list its class names, comma-separated in label
    /// order; evaluate then checks them against the species it is given.
    /// </summary>
    public const string SpeciesMetadataKey = "species";

    /// <summary>The checks of <see cref="Load"/> that need no file reading: run them before any other work.</summary>
    public static void CheckPath(string? path, string command)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException($"{command} needs a model: give --checkpoint FILE.gmckpt (see `genomamba {command} --help`)");
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(Directory.Exists(path)
                ? $"{path}: is a directory; --checkpoint names a .gmckpt file"
                : $"{path}: no such checkpoint file (--checkpoint)");
        }
    }

    /// <summary>A freshly initialised Mamba language model of a preset (for demos and sanity checks), seeded.</summary>
    public static (nn.Module<Tensor, Tensor> Model, ModelSpec Spec) RandomInit(string preset, int seed)
    {
        MambaConfig config;
        try
        {
            config = MambaConfig.Preset(preset);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--random-init: {e.Message.Replace(" (Parameter 'name')", "", StringComparison.Ordinal)}");
        }
        TorchRuntime.EnsureLoaded();
        manual_seed(seed);
        var model = new Genomics.Mamba.Modules.MambaLM(config);
        return (model, ModelSpec.LanguageModel(config));
    }

    /// <summary>"1024,4096" → [1024, 4096]; each a power of two ≥ 2, ascending and distinct after sorting.</summary>
    public static int[] PowersOfTwo(string text, string option)
    {
        var result = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(Expand(part), out int value) || value < 2)
            {
                throw new ArgumentException($"{option} {text}: '{part}' is not a whole number ≥ 2 (write 1024 or 2^10)");
            }
            if (!int.IsPow2(value))
            {
                int below = 1 << (31 - int.LeadingZeroCount(value));
                throw new ArgumentException($"{option} {text}: {value} is not a power of two (context lengths are 2^k, as in training: try {below} or {(long)below * 2})");
            }
            result.Add(value);
        }
        if (result.Count == 0)
        {
            throw new ArgumentException($"{option} needs at least one length, e.g. {option} 1024,4096");
        }
        return [.. result.Distinct().Order()];
    }

    /// <summary>"2^10" → "1024"; anything else unchanged.</summary>
    static string Expand(string part)
    {
        int caret = part.IndexOf('^');
        return caret > 0 && part[..caret] == "2" && int.TryParse(part[(caret + 1)..], out int k) && k is >= 0 and < 31
            ? (1 << k).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : part;
    }

    /// <summary>Refuses an output that is an existing directory where a file is meant, before any work is done.</summary>
    public static void CheckOutputFile(string path, string option)
    {
        if (Directory.Exists(path))
        {
            throw new IOException($"{path}: is a directory; {option} names a file");
        }
        string? parent = Path.GetDirectoryName(Path.GetFullPath(path));
        if (parent is not null && !Directory.Exists(parent))
        {
            throw new DirectoryNotFoundException($"{path}: the folder {parent} does not exist ({option})");
        }
    }
}
