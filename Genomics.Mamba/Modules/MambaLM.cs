using Genomics.Mamba.Config;
using Genomics.Mamba.Precision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Genomics.Mamba.Modules;

/// <summary>
/// A causal Mamba language model over DNA tokens (mamba_ssm <c>MambaLMHeadModel</c>): <see cref="MambaBackbone"/>
/// then a bias-free LM head, tied to the embedding by default. State-dict keys are mamba_ssm's
/// (backbone.embedding.weight, backbone.layers.{i}.mixer.in_proj.weight, …, backbone.norm_f.weight; lm_head.weight
/// only when untied — a tied checkpoint's lm_head.weight is accepted by <see cref="LoadStateDict"/>).
/// Two ways to run it: <see cref="forward"/> over a whole sequence (training, scoring), and <see cref="Step"/> one
/// token at a time in O(1) memory per token (generation, arbitrarily long scoring); they give the same logits.
/// </summary>
public sealed class MambaLM : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // mamba_ssm's state-dict keys
    readonly MambaBackbone backbone;
    readonly Linear? lm_head;
#pragma warning restore IDE1006

    public MambaLM(MambaConfig config) : base(nameof(MambaLM))
    {
        backbone = new MambaBackbone(config);
        register_module(nameof(backbone), backbone);
        if (!config.TieEmbeddings)
        {
            lm_head = nn.Linear(config.DModel, config.PaddedVocabSize, hasBias: false);
            register_module(nameof(lm_head), lm_head);
        }
    }

    /// <summary>The configuration this model was built from.</summary>
    public MambaConfig Config => backbone.Config;

    /// <summary>The trunk (embedding, blocks, final norm), e.g. to hand to a <see cref="SequenceClassifier"/>.</summary>
    public MambaBackbone Backbone => backbone;

    /// <summary>
    /// The trunk's compute dtype (<see cref="MambaBackbone.Precision"/>). The head stays fp32 — with 16 rows it is a
    /// negligible matmul, and the logits and loss are wanted in fp32 anyway.
    /// </summary>
    public ComputePrecision Precision
    {
        get => backbone.Precision;
        set => backbone.Precision = value;
    }

    /// <summary>The (padded vocab, d) matrix that maps hidden states to logits.</summary>
    public Tensor HeadWeight => lm_head?.weight ?? backbone.Embedding.weight!;

    /// <summary>Trainable parameters actually held (a tied head counts once).</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>ids (b, l) int64 → logits (b, l, padded vocab).</summary>
    public override Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        var hidden = backbone.forward(ids);                                // (b, l, d)
        return F.linear(hidden, HeadWeight).MoveToOuterDisposeScope();     // (b, l, v)
    }

    /// <summary>
    /// Mean next-token cross-entropy: logits (b, l, v) from inputs x, targets (b, l) int64 the same window shifted by
    /// one (the dataset reads l + 1 bases: input = first l, target = last l). Over all padded-vocab logits, as upstream.
    /// </summary>
    public static Tensor Loss(Tensor logits, Tensor targets)
    {
        long v = logits.shape[^1];
        return F.cross_entropy(logits.reshape(-1, v), targets.reshape(-1));
    }

    /// <summary>Zeroed recurrent state for <paramref name="batch"/> sequences (dispose it when done).</summary>
    public MambaState NewState(long batch) => backbone.NewState(batch);

    /// <summary>A prompt in parallel: ids (b, l) → logits (b, l, v), leaving <paramref name="state"/> ready to <see cref="Step"/> on.</summary>
    public Tensor Prefill(Tensor ids, MambaState state)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var hidden = backbone.Prefill(ids, state);                         // (b, l, d)
        return F.linear(hidden, HeadWeight).MoveToOuterDisposeScope();     // (b, l, v)
    }

    /// <summary>One token per sequence: ids (b) int64 → logits (b, padded vocab); <paramref name="state"/> advances.</summary>
    public Tensor Step(Tensor ids, MambaState state)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var hidden = backbone.Step(ids, state);                            // (b, d)
        return F.linear(hidden, HeadWeight).MoveToOuterDisposeScope();     // (b, v)
    }

    /// <summary>AdamW groups: see <see cref="ParameterGroups"/> for which parameters decay.</summary>
    public ParameterGroups ParameterGroups(bool decayEmbedding = false) => Modules.ParameterGroups.Of(this, decayEmbedding);

    /// <summary>
    /// Copies a mamba_ssm-named state dict into this model. With tied embeddings a "lm_head.weight" entry is checked
    /// to equal the embedding (it is the same tensor upstream) rather than loaded. Throws naming every missing,
    /// unexpected or mis-shaped key.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> source)
    {
        const string head = "lm_head.weight";
        var rest = source;
        if (lm_head is null && source.TryGetValue(head, out var tied))
        {
            var embedding = source.GetValueOrDefault("backbone.embedding.weight");
            if (embedding is not null && !(tied.shape.SequenceEqual(embedding.shape) && tied.to(float64).allclose(embedding.to(float64), 0, 0)))
            {
                throw new ArgumentException($"{head} differs from backbone.embedding.weight, but this model ties them " +
                                            "(build it with TieEmbeddings = false to load an untied head)", nameof(source));
            }
            rest = source.Where(kv => kv.Key != head).ToDictionary(kv => kv.Key, kv => kv.Value);
        }
        StateDicts.Load(this, rest);
    }
}
