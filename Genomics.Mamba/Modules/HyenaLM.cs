using Genomics.Mamba.Config;
using Genomics.Mamba.Precision;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Genomics.Mamba.Modules;

/// <summary>
/// A causal HyenaDNA language model over DNA tokens (hyena-dna <c>ConvLMHeadModel</c>): <see cref="HyenaBackbone"/>
/// then a bias-free LM head tied to the embedding, as upstream always ties it. State-dict keys are hyena-dna's
/// (backbone.embeddings.word_embeddings.weight, backbone.layers.{i}.mixer.filter_fn.implicit_filter.0.weight, …,
/// backbone.ln_f.weight); a checkpoint's lm_head.weight and repeated sine keys are accepted by <see cref="LoadStateDict"/>.
/// </summary>
public sealed class HyenaLM : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // hyena-dna's state-dict keys
    readonly HyenaBackbone backbone;
#pragma warning restore IDE1006

    public HyenaLM(HyenaConfig config) : base(nameof(HyenaLM))
    {
        backbone = new HyenaBackbone(config);
        register_module(nameof(backbone), backbone);
    }

    /// <summary>The configuration this model was built from.</summary>
    public HyenaConfig Config => backbone.Config;

    /// <summary>The trunk (embedding, blocks, final norm), e.g. to hand to a <see cref="SequenceClassifier"/>.</summary>
    public HyenaBackbone Backbone => backbone;

    /// <summary>The trunk's compute dtype (<see cref="HyenaBackbone.Precision"/>); the head, logits and loss stay fp32.</summary>
    public ComputePrecision Precision
    {
        get => backbone.Precision;
        set => backbone.Precision = value;
    }

    /// <summary>The (padded vocab, d) matrix that maps hidden states to logits: the embedding.</summary>
    public Tensor HeadWeight => backbone.Embedding.weight!;

    /// <summary>Trainable parameters actually held (the tied head and the shared sine count once).</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>ids (b, l) int64 → logits (b, l, padded vocab).</summary>
    public override Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        var hidden = backbone.forward(ids);                                // (b, l, d)
        return F.linear(hidden, HeadWeight).MoveToOuterDisposeScope();     // (b, l, v)
    }

    /// <summary>Mean next-token cross-entropy over all padded-vocab logits, as <see cref="MambaLM.Loss"/>.</summary>
    public static Tensor Loss(Tensor logits, Tensor targets) => MambaLM.Loss(logits, targets);

    /// <summary>AdamW groups: see <see cref="ParameterGroups"/> (no decay on the filter, norms, biases, embedding).</summary>
    public ParameterGroups ParameterGroups(bool decayEmbedding = false) => Modules.ParameterGroups.Of(this, decayEmbedding);

    /// <summary>
    /// Copies a hyena-dna-named state dict into this model. "lm_head.weight" is checked to equal the embedding (they are
    /// one tensor upstream) rather than loaded, the shared sine's repeated keys likewise. Throws naming every missing,
    /// unexpected or mis-shaped key — a pos_emb.z of another length means the checkpoint was built for another l_max.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> source)
    {
        const string head = "lm_head.weight", embedding = "backbone.embeddings.word_embeddings.weight";
        var rest = source;
        if (source.TryGetValue(head, out var tied))
        {
            var table = source.GetValueOrDefault(embedding);
            if (table is not null && !(tied.shape.SequenceEqual(table.shape) && tied.to(float64).allclose(table.to(float64), 0, 0)))
            {
                throw new ArgumentException($"{head} differs from {embedding}, but HyenaDNA ties them", nameof(source));
            }
            rest = source.Where(kv => kv.Key != head).ToDictionary(kv => kv.Key, kv => kv.Value);
        }
        StateDicts.Load(this, HyenaFilter.DropSharedSineAliases(rest));
    }
}
