using Genomics.Mamba.Config;
using Genomics.Mamba.Precision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Genomics.Mamba.Modules;

/// <summary>
/// The HyenaDNA trunk (hyena-dna <c>src/models/sequence/long_conv_lm.py</c>, LMBackbone): token embedding → optional
/// embedding dropout → N <see cref="HyenaBlock"/>s → final Add → LayerNorm. Shared by the language model and the
/// sequence classifier; its keys (embeddings.word_embeddings.weight, layers.{i}.mixer.in_proj.weight, …, ln_f.*) are
/// hyena-dna's under "backbone.".
/// </summary>
public sealed class HyenaBackbone : nn.Module<Tensor, Tensor>, IBackbone
{
#pragma warning disable IDE1006 // hyena-dna's state-dict keys
    readonly HyenaEmbeddings embeddings;
    readonly ModuleList<HyenaBlock> layers;
    readonly LayerNorm ln_f;
#pragma warning restore IDE1006

    public HyenaBackbone(HyenaConfig config) : base(nameof(HyenaBackbone))
    {
        Config = config.Validate();
        embeddings = new HyenaEmbeddings(config.PaddedVocabSize, config.DModel);
        layers = nn.ModuleList(Enumerable.Range(0, config.NLayer).Select(_ => new HyenaBlock(config)).ToArray());
        ln_f = nn.LayerNorm(config.DModel, config.LayerNormEps);
        register_module(nameof(embeddings), embeddings);
        register_module(nameof(layers), layers);
        register_module(nameof(ln_f), ln_f);
        InitWeights();
    }

    /// <summary>The configuration this trunk was built from.</summary>
    public HyenaConfig Config { get; }

    /// <summary>Token embedding, (padded vocab, d); the tied LM head reads it too.</summary>
    public Embedding Embedding => embeddings.WordEmbeddings;

    /// <summary>The blocks, in order.</summary>
    public IReadOnlyList<HyenaBlock> Layers => [.. layers];

    /// <summary>The final norm.</summary>
    public LayerNorm NormF => ln_f;

    /// <summary>Whether training recomputes each block in backward (<see cref="BlockRecompute"/>); same results either way.</summary>
    public RecomputePolicy Recompute { get; set; } = RecomputePolicy.Auto;

    /// <summary>
    /// Whether blocks run (and are recomputed in backward) staged — position chunks of this length for the position-wise
    /// parts, channel groups (<see cref="FftChannels"/>) for the long convolution, the filter generated a chunk at a time
    /// (<see cref="HyenaStagedRecompute"/>) — so a block's working memory is a few (b, l, d) buffers instead of ≈ 26.
    /// Auto: chunks of <see cref="SegmentPolicy.AutoSegmentLength"/> from <see cref="SegmentPolicy.AutoFromLength"/>
    /// tokens unless <see cref="Recompute"/> is Never. Where it applies it replaces whole-block checkpointing;
    /// results equal the plain ones up to fp32 rounding.
    /// </summary>
    public SegmentPolicy Segmenting { get; set; } = SegmentPolicy.Auto;

    /// <summary>The compute dtype of every block (<see cref="ComputePrecision"/>); embedding, residual, norms, filters, FFTs stay fp32.</summary>
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

    /// <summary>Channels per FFT group in every operator (<see cref="HyenaOperator.FftChannels"/>); null: automatic by length.</summary>
    public long? FftChannels
    {
        get => layers.Count > 0 ? layers[0].Mixer.FftChannels : null;
        set
        {
            if (value is < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "an FFT group holds at least 1 channel");
            }
            foreach (var block in layers)
            {
                block.Mixer.FftChannels = value;
            }
        }
    }

    /// <summary>Whether inference reuses each filter's spectrum between calls of the same length (<see cref="HyenaFilter.SpectrumFor"/>).</summary>
    public bool CacheFilters
    {
        get => layers.All(b => b.Mixer.Filter.CacheEnabled);
        set
        {
            foreach (var block in layers)
            {
                block.Mixer.Filter.CacheEnabled = value;
                if (!value)
                {
                    block.Mixer.Filter.InvalidateCache();
                }
            }
        }
    }

    /// <summary>
    /// hyena-dna's <c>_init_weights</c> (GPT-2 scheme, with rescale_prenorm_residual): every Linear — in_proj, out_proj,
    /// fc1, fc2 and the filter FFN's — N(0, initializer_range) with zero bias, the embedding N(0, initializer_range), then
    /// out_proj.weight and fc2.weight re-drawn N(0, initializer_range / √(2·n_layer)) (two residual branches per layer).
    /// Not Linears, so left as built: the short conv (PyTorch's default U(±1/√k)), the sine frequency (w), the D skip
    /// (N(0, 1)) and the LayerNorms (1, 0).
    /// </summary>
    void InitWeights()
    {
        using var noGrad = no_grad();
        double std = Config.InitializerRange;
        nn.init.normal_(embeddings.WordEmbeddings.weight, 0, std);
        foreach (var linear in modules().OfType<Linear>())
        {
            nn.init.normal_(linear.weight, 0, std);
            if (linear.bias is { } bias)
            {
                nn.init.zeros_(bias);
            }
        }
        double residualStd = std / Math.Sqrt(2.0 * Config.NLayer);
        foreach (var block in layers)
        {
            nn.init.normal_(block.Mixer.OutProj.weight, 0, residualStd);
            nn.init.normal_(block.Mlp.Fc2.weight, 0, residualStd);
        }
    }

    /// <summary>ids (b, l) int64 → normalised hidden states (b, l, d).</summary>
    public override Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        long l = ids.shape[1];
        long? chunk = Segmenting.SegmentFor(l, Recompute);
        bool recompute = BlockRecompute.Applies(Recompute, l);
        var hidden = embeddings.forward(ids);                              // (b, l, d)
        if (Config.EmbeddingDropout > 0)
        {
            // Upstream's resid_dropout1 of block 0, taken out of the block so a recomputed block draws no random numbers.
            hidden = F.dropout(hidden, Config.EmbeddingDropout, training);
        }
        Tensor? residual = null;
        foreach (var block in layers)
        {
            var (nextHidden, nextResidual) = chunk is { } c
                ? HyenaStagedRecompute.Forward(block, hidden, residual, c) // keeps the block's input sum; small working set
                : recompute
                    ? BlockRecompute.Forward(block, hidden, residual)      // keeps only the residual sum
                    : block.forward(hidden, residual);                     // (b, l, d) each
            MambaBackbone.ReleaseInputs(hidden, residual);
            (hidden, residual) = (nextHidden, nextResidual);
        }
        var sum = residual is null ? hidden : residual + hidden;
        return ln_f.forward(sum.to(ln_f.weight!.dtype)).MoveToOuterDisposeScope();   // (b, l, d)
    }

    /// <summary>
    /// Copies a hyena-dna-named trunk state dict (keys without "backbone.") into this trunk: the shared sine's repeated
    /// keys are checked and dropped, then every parameter and buffer must be present (<see cref="StateDicts.Load"/>).
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> source) => StateDicts.Load(this, HyenaFilter.DropSharedSineAliases(source));
}
