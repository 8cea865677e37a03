using Genomics.Mamba.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Inference;

/// <summary>
/// Per-window embeddings: the trunk's final normalised hidden states (the vectors the LM head and a classifier's head
/// read), pooled over the window. Works on a <see cref="MambaLM"/>, <see cref="HyenaLM"/> or the trunk of a
/// <see cref="SequenceClassifier"/>; the dimension is d_model.
/// </summary>
public sealed class Embedder
{
    readonly nn.Module<Tensor, Tensor> _trunk;
    readonly nn.Module _model;
    readonly Device _device;

    public Embedder(nn.Module<Tensor, Tensor> model, EmbeddingPooling pooling = EmbeddingPooling.Mean)
    {
        ArgumentNullException.ThrowIfNull(model);
        _trunk = model switch
        {
            MambaLM m => m.Backbone,
            HyenaLM h => h.Backbone,
            SequenceClassifier c => c.named_children().First(x => x.name == "backbone").module as nn.Module<Tensor, Tensor>
                ?? throw new ArgumentException("the classifier's trunk is not a module over token ids", nameof(model)),
            _ => throw new ArgumentException($"cannot embed with a {model.GetType().Name}: give a MambaLM, HyenaLM or SequenceClassifier", nameof(model)),
        };
        if (!Enum.IsDefined(pooling))
        {
            throw new ArgumentOutOfRangeException(nameof(pooling), pooling, "unknown pooling");
        }
        Pooling = pooling;
        Dimension = _trunk switch
        {
            MambaBackbone b => b.Config.DModel,
            HyenaBackbone b => b.Config.DModel,
            _ => throw new ArgumentException($"unknown trunk {_trunk.GetType().Name}", nameof(model)),
        };
        _device = model.parameters().First().device;
        _model = model;
    }

    public EmbeddingPooling Pooling { get; }

    /// <summary>Length of each embedding (d_model).</summary>
    public int Dimension { get; }

    /// <summary>Windows of token ids, all of one length → one fp32 vector of <see cref="Dimension"/> per window.</summary>
    public float[][] Embed(IReadOnlyList<int[]> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (windows.Count == 0)
        {
            return [];
        }
        int length = windows[0].Length;
        if (length == 0 || windows.Any(w => w.Length != length))
        {
            throw new ArgumentException($"windows of one batch must share one non-zero length (the first has {length})", nameof(windows));
        }
        var ids = new long[windows.Count * (long)length];
        for (int i = 0; i < windows.Count; i++)
        {
            for (int t = 0; t < length; t++)
            {
                ids[(long)i * length + t] = windows[i][t];
            }
        }
        using var noGrad = no_grad();
        using var evalMode = EvalMode.Enter(_model);
        using var scope = NewDisposeScope();
        var hidden = _trunk.forward(tensor(ids, [windows.Count, length], device: _device));    // (b, l, d)
        var pooled = Pooling == EmbeddingPooling.Mean ? hidden.mean([1]) : hidden.select(1, -1);   // (b, d)
        var values = pooled.to(float32).cpu().data<float>().ToArray();
        return [.. Enumerable.Range(0, windows.Count).Select(i => values.AsSpan(i * Dimension, Dimension).ToArray())];
    }
}
