using System.Reflection;
using Genomics.Data;
using Genomics.Mamba.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Checkpoints;

/// <summary>
/// One training checkpoint in memory: the model (spec + weights by upstream key names), the step, the data position,
/// RNG state, and opaque optimizer/scheduler slots that the training engine fills and reads back. Saved and loaded
/// as one genomamba checkpoint file (<see cref="CheckpointFile"/>: magic, version, JSON header, raw tensors,
/// checksum; written atomically).
/// <code>
/// Checkpoint.Of(model, step: 1000).Save("run/step-1000.gmckpt");
/// using var ckpt = Checkpoint.Load("run/step-1000.gmckpt");
/// using var again = ckpt.BuildModel&lt;MambaLM&gt;();   // same config, same weights → bit-identical logits
/// </code>
/// </summary>
public sealed class Checkpoint : IDisposable
{
    bool _ownsTensors;

    /// <summary>Which model the weights belong to.</summary>
    public required ModelSpec Model { get; init; }

    /// <summary>The model's parameters and buffers by name (<see cref="StateDicts.Of"/>: mamba_ssm / hyena-dna keys).</summary>
    public required IReadOnlyDictionary<string, Tensor> Weights { get; init; }

    /// <summary>Optimizer steps taken.</summary>
    public long Step { get; init; }

    public DataPosition? Data { get; init; }

    public RngState? Rng { get; init; }

    public CheckpointSlot? Optimizer { get; init; }

    public CheckpointSlot? Scheduler { get; init; }

    /// <summary>Free-form string pairs (run name, git commit, …).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>The genomamba version that wrote the file (this one's for a checkpoint made in memory).</summary>
    public string GenomambaVersion { get; init; } = CurrentVersion;

    /// <summary>The file it was read from; null for a checkpoint made in memory.</summary>
    public string? SourcePath { get; private init; }

    /// <summary>This assembly's informational version ("1.0.0+commit").</summary>
    public static string CurrentVersion { get; } =
        typeof(Checkpoint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>
    /// A checkpoint of a live <see cref="MambaLM"/>, <see cref="HyenaLM"/> or <see cref="SequenceClassifier"/>. Its
    /// weights are views of the model's tensors, not copies: save it before the next optimizer step.
    /// </summary>
    public static Checkpoint Of(nn.Module model, long step = 0) => new()
    {
        Model = ModelSpec.Of(model),
        Weights = StateDicts.Of(model),
        Step = step,
    };

    /// <summary>Writes the checkpoint to <paramref name="path"/> atomically (see <see cref="CheckpointFile.Write"/>).</summary>
    public void Save(string path) => CheckpointFile.Write(path, this);

    /// <summary>Reads and verifies a checkpoint file; throws <see cref="DataFormatException"/> saying what is wrong and what to do.</summary>
    public static Checkpoint Load(string path) => CheckpointFile.Read(path);

    internal Checkpoint WithSource(string path) => new()
    {
        Model = Model,
        Weights = Weights,
        Step = Step,
        Data = Data,
        Rng = Rng,
        Optimizer = Optimizer,
        Scheduler = Scheduler,
        Metadata = Metadata,
        GenomambaVersion = GenomambaVersion,
        SourcePath = path,
        _ownsTensors = true,
    };

    /// <summary>A new model built from the stored spec with the stored weights (CPU, the stored dtypes).</summary>
    public nn.Module<Tensor, Tensor> BuildModel()
    {
        var model = Model.Build();
        try
        {
            LoadWeights(model);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// <see cref="BuildModel()"/> as the type you expect (MambaLM, HyenaLM, SequenceClassifier); throws
    /// <see cref="DataFormatException"/> when the checkpoint holds another kind of model.
    /// </summary>
    public T BuildModel<T>() where T : nn.Module<Tensor, Tensor>
    {
        var model = BuildModel();
        if (model is T typed)
        {
            return typed;
        }
        string built = model.GetType().Name;
        model.Dispose();
        throw new DataFormatException(SourcePath ?? "(checkpoint)", $"holds a {built} ({Model}), not a {typeof(T).Name}",
            $"load it as {built}, or pick a checkpoint of a {typeof(T).Name}");
    }

    /// <summary>
    /// Copies the stored weights into an existing model, which must have the stored spec (architecture, head and every
    /// config field); the exception lists the fields that differ.
    /// </summary>
    public void LoadInto(nn.Module model)
    {
        var live = ModelSpec.Of(model);
        var differences = live.Differences(Model);
        if (differences.Count > 0)
        {
            throw new DataFormatException(SourcePath ?? "(checkpoint)",
                $"holds {Model}, which does not fit the model ({live}): model vs checkpoint: {string.Join("; ", differences)}",
                "build the model from the checkpoint with Checkpoint.BuildModel, or load a checkpoint of this configuration");
        }
        LoadWeights(model);
    }

    void LoadWeights(nn.Module model)
    {
        try
        {
            StateDicts.Load(model, Weights);
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException(SourcePath ?? "(checkpoint)", $"its tensors do not fit its own config: {e.Message}",
                "the header and the tensor directory disagree: the file was not written by Checkpoint.Save or was edited; use an earlier checkpoint", e);
        }
    }

    /// <summary>Frees the tensors of a checkpoint read from a file (a checkpoint made with <see cref="Of"/> only views the model's and frees nothing).</summary>
    public void Dispose()
    {
        if (!_ownsTensors)
        {
            return;
        }
        _ownsTensors = false;
        foreach (var t in Weights.Values.Concat(Optimizer?.Tensors.Values ?? []).Concat(Scheduler?.Tensors.Values ?? []))
        {
            t.Dispose();
        }
    }
}
