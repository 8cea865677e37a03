using Genomics.Mamba.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Genomics.Mamba.Modules;

/// <summary>How a classifier turns per-position hidden states into one vector per sequence.</summary>
public enum Pooling
{
    /// <summary>The last position's output: for a causal model it is the only one that has seen the whole sequence
    /// (Mamba E.3.4: "only the last position's output feeds the linear head").</summary>
    Last,

    /// <summary>The mean over all positions.</summary>
    Mean,
}

/// <summary>
/// Sequence classification on a Mamba or HyenaDNA trunk (the species task, Mamba E.3.4): backbone → pool →
/// Linear(d, classes). The head is freshly initialised (PyTorch's default Linear init); the trunk starts random or from
/// a pretrained language model via <see cref="LoadBackbone(IReadOnlyDictionary{string, Tensor})"/>. Keys: backbone.*
/// (as in <see cref="MambaLM"/> or <see cref="HyenaLM"/>) and head.weight / head.bias.
/// </summary>
public sealed class SequenceClassifier : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state-dict keys
    readonly nn.Module<Tensor, Tensor> backbone;       // MambaBackbone or HyenaBackbone
    readonly Linear head;
#pragma warning restore IDE1006

    public SequenceClassifier(MambaConfig config, int classes, Pooling pooling = Pooling.Last)
        : this(new MambaBackbone(config), config.DModel, classes, pooling)
    {
    }

    /// <summary>The same on a HyenaDNA trunk.</summary>
    public SequenceClassifier(HyenaConfig config, int classes, Pooling pooling = Pooling.Last)
        : this(new HyenaBackbone(config), config.DModel, classes, pooling)
    {
    }

    SequenceClassifier(nn.Module<Tensor, Tensor> trunk, int dModel, int classes, Pooling pooling) : base(nameof(SequenceClassifier))
    {
        if (classes < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "a classifier needs at least 2 classes");
        }
        Classes = classes;
        Pooling = pooling;
        backbone = trunk;
        head = nn.Linear(dModel, classes, hasBias: true);
        register_module(nameof(backbone), backbone);
        register_module(nameof(head), head);
    }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>How positions are pooled.</summary>
    public Pooling Pooling { get; }

    /// <summary>The Mamba trunk (throws for a HyenaDNA classifier: see <see cref="HyenaBackbone"/>).</summary>
    public MambaBackbone Backbone => backbone as MambaBackbone
        ?? throw new InvalidOperationException("this classifier has a HyenaDNA trunk: use HyenaBackbone");

    /// <summary>The HyenaDNA trunk (throws for a Mamba classifier: see <see cref="Backbone"/>).</summary>
    public HyenaBackbone HyenaBackbone => backbone as HyenaBackbone
        ?? throw new InvalidOperationException("this classifier has a Mamba trunk: use Backbone");

    /// <summary>The classification layer, (classes, d) + bias.</summary>
    public Linear Head => head;

    /// <summary>ids (b, l) int64 → class logits (b, classes).</summary>
    public override Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        var hidden = backbone.forward(ids);                                // (b, l, d)
        var pooled = Pooling == Pooling.Last
            ? hidden.select(1, -1)                                         // (b, d)
            : hidden.mean([1]);                                            // (b, d)
        return head.forward(pooled).MoveToOuterDisposeScope();             // (b, classes)
    }

    /// <summary>
    /// Loads the trunk from a <see cref="MambaLM"/> (or mamba_ssm) state dict, or for a HyenaDNA trunk a
    /// <see cref="HyenaLM"/> (or hyena-dna) one: every backbone.* key is required, the LM head's weight is ignored, the
    /// classification head keeps its fresh initialisation.
    /// </summary>
    public void LoadBackbone(IReadOnlyDictionary<string, Tensor> languageModelState)
    {
        const string prefix = "backbone.";
        var trunk = languageModelState.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
        if (trunk.Count == 0)
        {
            throw new ArgumentException("no backbone.* keys: this is not a language-model state dict", nameof(languageModelState));
        }
        if (backbone is HyenaBackbone hyena)
        {
            hyena.LoadStateDict(trunk);
            return;
        }
        StateDicts.Load(backbone, trunk);
    }

    /// <summary>Loads the trunk of a live language model (copied, not shared).</summary>
    public void LoadBackbone(MambaLM pretrained) => StateDicts.Load(Backbone, StateDicts.Of(pretrained.Backbone));

    /// <summary>Loads the trunk of a live HyenaDNA language model (copied, not shared).</summary>
    public void LoadBackbone(HyenaLM pretrained) => StateDicts.Load(HyenaBackbone, StateDicts.Of(pretrained.Backbone));

    /// <summary>AdamW groups, as <see cref="MambaLM.ParameterGroups"/> (the head's weight decays, its bias does not).</summary>
    public ParameterGroups ParameterGroups(bool decayEmbedding = false) => Modules.ParameterGroups.Of(this, decayEmbedding);
}
