using Genomics.Mamba.Config;
using Genomics.Mamba.Precision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Genomics.Mamba.Modules;

/// <summary>
/// The Mamba trunk (mamba_ssm <c>models/mixer_seq_simple.py</c>, MixerModel with rms_norm and fused_add_norm):
/// token embedding → N blocks (Add → RMSNorm → Mixer) → final Add → RMSNorm. Shared by the language model and the
/// sequence classifier; its state-dict keys (embedding.weight, layers.{i}.mixer.in_proj.weight, …, norm_f.weight)
/// are mamba_ssm's under "backbone.".
/// </summary>
public sealed class MambaBackbone : nn.Module<Tensor, Tensor>, IBackbone
{
#pragma warning disable IDE1006 // mamba_ssm's state-dict keys
    readonly Embedding embedding;
    readonly ModuleList<MambaBlock> layers;
    readonly RmsNorm norm_f;
#pragma warning restore IDE1006

    public MambaBackbone(MambaConfig config) : base(nameof(MambaBackbone))
    {
        Config = config.Validate();
        embedding = nn.Embedding(config.PaddedVocabSize, config.DModel);
        layers = nn.ModuleList(Enumerable.Range(0, config.NLayer).Select(_ => new MambaBlock(config)).ToArray());
        norm_f = new RmsNorm(config.DModel, config.RmsNormEps);
        register_module(nameof(embedding), embedding);
        register_module(nameof(layers), layers);
        register_module(nameof(norm_f), norm_f);
        InitWeights();
    }

    /// <summary>The configuration this trunk was built from.</summary>
    public MambaConfig Config { get; }

    /// <summary>Token embedding, (padded vocab, d); the tied LM head reads it too.</summary>
    public Embedding Embedding => embedding;

    /// <summary>The blocks, in order.</summary>
    public IReadOnlyList<MambaBlock> Layers => [.. layers];

    /// <summary>The final norm.</summary>
    public RmsNorm NormF => norm_f;

    /// <summary>Whether training recomputes each block in backward (<see cref="BlockRecompute"/>); same results either way.</summary>
    public RecomputePolicy Recompute { get; set; } = RecomputePolicy.Auto;

    /// <summary>
    /// Whether blocks run (and are recomputed in backward) in segments of positions carrying the conv and scan states
    /// (<see cref="SegmentedRecompute"/>), so a block's working memory is O(segment) instead of O(L). Where it
    /// applies it replaces whole-block checkpointing; results equal the unsegmented ones up to fp32 rounding.
    /// </summary>
    public SegmentPolicy Segmenting { get; set; } = SegmentPolicy.Auto;

    /// <summary>
    /// The compute dtype of every mixer (<see cref="ComputePrecision"/>): bf16 matmuls with fp32 master weights, while
    /// the embedding, residual stream, norms, scan and head stay fp32. Reads the first block's setting.
    /// </summary>
    public ComputePrecision Precision
    {
        get => layers.Count > 0 ? layers[0].Precision : ComputePrecision.Float32;
        set
        {
            foreach (var block in layers)
            {
                block.Precision = value;
            }
        }
    }

    /// <summary>
    /// mamba_ssm's <c>_init_weights</c> (GPT-2 scheme): Linear biases zero except dt_proj's (marked _no_reinit), the
    /// embedding N(0, initializer_range), and every out_proj re-drawn kaiming_uniform(a=√5) then divided by
    /// √(n_residuals_per_layer · n_layer) with one residual per Mamba block. Conv1d is not a Linear: its bias keeps
    /// PyTorch's default U(±1/√d_conv), as upstream.
    /// </summary>
    void InitWeights()
    {
        using var noGrad = no_grad();
        nn.init.normal_(embedding.weight, 0, Config.InitializerRange);
        foreach (var block in layers)
        {
            var mixer = block.Mixer;
            foreach (var linear in new[] { mixer.InProj, mixer.XProj, mixer.OutProj })
            {
                if (linear.bias is { } bias)
                {
                    nn.init.zeros_(bias);
                }
            }
            nn.init.kaiming_uniform_(mixer.OutProj.weight, Math.Sqrt(5));
            mixer.OutProj.weight.div_(Math.Sqrt(1.0 * Config.NLayer));
        }
    }

    /// <summary>ids (b, l) int64 → normalised hidden states (b, l, d).</summary>
    public override Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        long l = ids.shape[1];
        long? segment = Segmenting.SegmentFor(l, Recompute);
        bool recompute = BlockRecompute.Applies(Recompute, l);
        var hidden = embedding.forward(ids);                               // (b, l, d)
        Tensor? residual = null;
        foreach (var block in layers)
        {
            var (nextHidden, nextResidual) = segment is { } s
                ? SegmentedRecompute.Forward(block, hidden, residual, s)   // keeps the residual sum; O(s) working memory
                : recompute
                    ? BlockRecompute.Forward(block, hidden, residual)      // keeps only the residual sum
                    : block.forward(hidden, residual);                     // (b, l, d) each
            ReleaseInputs(hidden, residual);
            (hidden, residual) = (nextHidden, nextResidual);
        }
        var sum = residual is null ? hidden : residual + hidden;
        return norm_f.forward(sum.to(norm_f.Weight.dtype)).MoveToOuterDisposeScope();   // (b, l, d)
    }

    /// <summary>
    /// Drops this forward's handles on a block's inputs as soon as the block has run, instead of when the forward's
    /// dispose scope ends: whatever backward needs is held by the graph (or the checkpoint's saved sum) on its own, so a
    /// checkpointed forward then keeps one (b, l, d) tensor per block at its peak instead of three (input hidden and
    /// residual besides the saved sum) — at 2^20 tokens and d 128, 1 GB per block.
    /// </summary>
    internal static void ReleaseInputs(Tensor hidden, Tensor? residual)
    {
        hidden.Dispose();
        residual?.Dispose();
    }

    /// <summary>Zeroed recurrent state for <paramref name="batch"/> sequences, one (conv, ssm) pair per block.</summary>
    public MambaState NewState(long batch) => new(layers.Select(block => block.Mixer.NewState(batch)).ToArray());

    /// <summary>
    /// Runs a prompt in parallel, ids (b, l) → normalised hidden (b, l, d), and leaves <paramref name="state"/> (fresh
    /// or <see cref="MambaState.Reset"/>) ready for <see cref="Step"/> at position l. Much faster than stepping the prompt.
    /// </summary>
    public Tensor Prefill(Tensor ids, MambaState state)
    {
        if (state.Layers.Count != layers.Count)
        {
            throw new ArgumentException($"state has {state.Layers.Count} layers, the model {layers.Count}", nameof(state));
        }
        if (state.Position != 0)
        {
            throw new ArgumentException($"state is at position {state.Position}; prefill starts a sequence (Reset it first)", nameof(state));
        }
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var hidden = embedding.forward(ids);                               // (b, l, d)
        Tensor? residual = null;
        for (int i = 0; i < layers.Count; i++)
        {
            (hidden, residual) = layers[i].Forward(hidden, residual, state.Layers[i]);
        }
        var sum = residual is null ? hidden : residual + hidden;
        state.Position = ids.shape[1];
        return norm_f.forward(sum.to(norm_f.Weight.dtype)).MoveToOuterDisposeScope();   // (b, l, d)
    }

    /// <summary>One token per sequence: ids (b) int64 → normalised hidden (b, d); <paramref name="state"/> advances.</summary>
    public Tensor Step(Tensor ids, MambaState state)
    {
        if (state.Layers.Count != layers.Count)
        {
            throw new ArgumentException($"state has {state.Layers.Count} layers, the model {layers.Count}", nameof(state));
        }
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var hidden = embedding.forward(ids);                               // (b, d)
        Tensor? residual = null;
        for (int i = 0; i < layers.Count; i++)
        {
            var (conv, ssm) = state.Layers[i];
            (hidden, residual) = layers[i].Step(hidden, residual, conv, ssm);
        }
        var sum = residual is null ? hidden : residual + hidden;
        state.Position++;
        return norm_f.forward(sum.to(norm_f.Weight.dtype)).MoveToOuterDisposeScope();   // (b, d)
    }
}
