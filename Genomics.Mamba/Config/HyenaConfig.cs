namespace Genomics.Mamba.Config;

/// <summary>
/// The shape of a HyenaDNA language model (Nguyen et al. 2023; hyena-dna's <c>ConvLMHeadModel</c> with an order-2
/// <c>HyenaOperator</c> mixer, as configured by its <c>configs/experiment/hg38/*.yaml</c>: emb_dim 5, filter_order 64,
/// short_filter_order 3, w 10, wd 0 on the filter, lr_pos_emb 0, modulate, residual_in_fp32, pad to 16 tokens).
/// Override with <c>with</c>; call <see cref="Validate"/> before building a model (the model does).
/// </summary>
public sealed record HyenaConfig
{
    int? _dInner;

    /// <summary>Width of the residual stream (d_model).</summary>
    public int DModel { get; init; } = 128;

    /// <summary>Number of blocks; each is a Hyena operator and an MLP, i.e. one Transformer-layer equivalent.</summary>
    public int NLayer { get; init; } = 6;

    /// <summary>MLP hidden width; unset means 4 · d_model (hyena-dna's <c>d_inner: 4 * d_model</c>), following DModel.</summary>
    public int DInner
    {
        get => _dInner ?? 4 * DModel;
        init => _dInner = value;
    }

    /// <summary>Tokenizer vocabulary: the HyenaDNA/Caduceus DNA ids, 7 specials + A C G T N.</summary>
    public int VocabSize { get; init; } = 12;

    /// <summary>The embedding is padded to a multiple of this (12 → 16; hyena-dna's configs use 8, which pads 12 to 16 too).</summary>
    public int PadVocabSizeMultiple { get; init; } = 16;

    /// <summary>
    /// Length of the filters' positional features (hyena-dna's l_max = max_length + 2). A sequence of length
    /// L ≤ MaxLength uses the first L of them, so the implicit filter is regenerated per L as the prefix of the
    /// MaxLength one; longer sequences are refused. Time is normalised by MaxLength, so train at the length you set.
    /// </summary>
    public int MaxLength { get; init; } = 1024 + 2;

    /// <summary>Depth of the Hyena recurrence. Only HyenaDNA's order 2 is implemented (3 projections: two gates and v).</summary>
    public int Order { get; init; } = 2;

    /// <summary>Width of the implicit filter's MLP (hyena-dna's filter_order).</summary>
    public int FilterOrder { get; init; } = 64;

    /// <summary>Hidden Linear(FilterOrder, FilterOrder) layers of the filter MLP between its input and output layers (hyena-dna's num_inner_mlps).</summary>
    public int FilterInnerLayers { get; init; } = 2;

    /// <summary>Kernel width of the short depthwise causal convolution over the 3·d projections.</summary>
    public int ShortFilterOrder { get; init; } = 3;

    /// <summary>Positional features fed to the filter: t plus (EmbDim − 1) / 2 cosine/sine pairs. Odd, ≥ 3.</summary>
    public int EmbDim { get; init; } = 5;

    /// <summary>Initial frequency of the filter's sine activation, one learnable (1, FilterOrder) vector shared by all its sine layers (hyena-dna's w: 10).</summary>
    public double SineFrequency { get; init; } = 10;

    /// <summary>Modulation decay rates: δ runs from ln(target)/slow to ln(target)/fast over the d channels.</summary>
    public double FastDecayPct { get; init; } = 0.3;

    /// <summary>See <see cref="FastDecayPct"/>.</summary>
    public double SlowDecayPct { get; init; } = 1.5;

    /// <summary>The decay's target: channel c has decayed to this at t = FastDecayPct … SlowDecayPct.</summary>
    public double DecayTarget { get; init; } = 1e-2;

    /// <summary>Added to the decay window, h·(exp(−t|δ|) + shift). hyena-dna's src/ uses 0 (DESIGN); standalone_hyenadna.py defaults to 0.05.</summary>
    public double ModulationShift { get; init; } = 0;

    /// <summary>LayerNorm epsilon.</summary>
    public double LayerNormEps { get; init; } = 1e-5;

    /// <summary>Dropout on the embedding output while training. DESIGN: no dropout; HyenaDNA's own runs use 0.1.</summary>
    public double EmbeddingDropout { get; init; } = 0;

    /// <summary>Keep the residual stream in fp32 even when activations are lower precision (hyena-dna's configs set it).</summary>
    public bool ResidualInFp32 { get; init; } = true;

    /// <summary>Standard deviation of every Linear's and the embedding's initialisation (initializer_range).</summary>
    public double InitializerRange { get; init; } = 0.02;

    /// <summary>Embedding rows: <see cref="VocabSize"/> rounded up to <see cref="PadVocabSizeMultiple"/>.</summary>
    public int PaddedVocabSize => (VocabSize + PadVocabSizeMultiple - 1) / PadVocabSizeMultiple * PadVocabSizeMultiple;

    /// <summary>This config with its positional features sized for training at <paramref name="length"/> tokens (l_max = length + 2, as hyena-dna).</summary>
    public HyenaConfig ForContext(int length) => this with { MaxLength = length + 2 };

    /// <summary>
    /// Trainable parameters of <see cref="Modules.HyenaLM"/> with this config, by formula (the head is tied; the
    /// positional features and decay rates are buffers). Per block, with F = FilterOrder, E = EmbDim, k = ShortFilterOrder:
    /// in_proj d·3d + 3d, short_filter 3d·k + 3d, filter: Linear(E, F) E·F + F, shared sine F, inner layers
    /// FilterInnerLayers·(F² + F), Linear(F, d) F·d, D skip d; out_proj d² + d; fc1 d·D_inner + D_inner; fc2 D_inner·d + d;
    /// two LayerNorms 4d. Plus the V·d embedding and the final LayerNorm 2d.
    /// </summary>
    public long ParameterCount
    {
        get
        {
            long d = DModel, f = FilterOrder, e = EmbDim, k = ShortFilterOrder, di = DInner, v = PaddedVocabSize;
            long filter = (e * f + f) + f + FilterInnerLayers * (f * f + f) + f * d + d;
            long block = (d * 3 * d + 3 * d) + (3 * d * k + 3 * d) + filter + (d * d + d) + (d * di + di) + (di * d + d) + 4 * d;
            return NLayer * block + v * d + 2 * d;
        }
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first field out of range.</summary>
    public HyenaConfig Validate()
    {
        ConfigChecks.Positive(DModel);
        ConfigChecks.Positive(NLayer);
        ConfigChecks.Positive(DInner);
        ConfigChecks.Positive(VocabSize);
        ConfigChecks.Positive(PadVocabSizeMultiple);
        ConfigChecks.Positive(MaxLength);
        if (Order != 2)
        {
            throw new ArgumentOutOfRangeException(nameof(Order), Order, $"{nameof(Order)} must be 2 (HyenaDNA's order; higher orders are not implemented), got {Order}");
        }
        ConfigChecks.Positive(FilterOrder);
        if (FilterInnerLayers < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(FilterInnerLayers), FilterInnerLayers, $"{nameof(FilterInnerLayers)} must be ≥ 0, got {FilterInnerLayers}");
        }
        ConfigChecks.Positive(ShortFilterOrder);
        if (EmbDim < 3 || EmbDim % 2 == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(EmbDim), EmbDim, $"{nameof(EmbDim)} must be odd and ≥ 3 (t plus cosine/sine pairs), got {EmbDim}");
        }
        if (!double.IsFinite(SineFrequency))
        {
            throw new ArgumentOutOfRangeException(nameof(SineFrequency), SineFrequency, $"{nameof(SineFrequency)} must be finite");
        }
        ConfigChecks.Positive(FastDecayPct);
        ConfigChecks.Positive(SlowDecayPct);
        if (!(DecayTarget > 0 && DecayTarget < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(DecayTarget), DecayTarget, $"{nameof(DecayTarget)} must be in (0, 1)");
        }
        if (!double.IsFinite(ModulationShift))
        {
            throw new ArgumentOutOfRangeException(nameof(ModulationShift), ModulationShift, $"{nameof(ModulationShift)} must be finite");
        }
        ConfigChecks.Positive(LayerNormEps);
        if (!(EmbeddingDropout >= 0 && EmbeddingDropout < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(EmbeddingDropout), EmbeddingDropout, $"{nameof(EmbeddingDropout)} must be in [0, 1)");
        }
        ConfigChecks.Positive(InitializerRange);
        return this;
    }

    /// <summary>Preset names, in order of size: HyenaDNA's released sizes interleaved with the Mamba paper's comparison sizes.</summary>
    public static IReadOnlyList<string> PresetNames { get; } =
        ["tiny-1k", "1.4M", "small-32k", "medium-160k", "medium-450k", "large-1m", "7M"];

    /// <summary>
    /// A named size. "1.4M" is d 128 × 6 layers (1,303,680 parameters) and "7M" d 256 × 8 (6,550,528): hyena-dna's own
    /// configs of those names (configs/experiment/gvl/hg38_hyena_1_4M.yaml, multifasta_hyena_7M.yaml), the Mamba paper's
    /// context-scaling peer ("6 layers by width 128, about 1.3M–1.4M parameters") and the layer-count peer of Mamba "7M"
    /// (16 blocks = 8 layers). They are built for 1,024 tokens; use <see cref="ForContext"/> for other lengths.
    /// The HyenaDNA release names keep their widths, depths and l_max = max_length + 2: "tiny-1k" d 128 × 2,
    /// "small-32k" d 256 × 4, "medium-160k" / "medium-450k" / "large-1m" d 256 × 8 at 160,000 / 450,000 / 1,000,000.
    /// </summary>
    public static HyenaConfig Preset(string name) => name switch
    {
        "1.4M" => new HyenaConfig { DModel = 128, NLayer = 6 },
        "7M" => new HyenaConfig { DModel = 256, NLayer = 8 },
        "tiny-1k" => new HyenaConfig { DModel = 128, NLayer = 2 },
        "small-32k" => new HyenaConfig { DModel = 256, NLayer = 4 }.ForContext(32_768),
        "medium-160k" => new HyenaConfig { DModel = 256, NLayer = 8 }.ForContext(160_000),
        "medium-450k" => new HyenaConfig { DModel = 256, NLayer = 8 }.ForContext(450_000),
        "large-1m" => new HyenaConfig { DModel = 256, NLayer = 8 }.ForContext(1_000_000),
        _ => throw new ArgumentException($"unknown HyenaDNA preset '{name}'; known: {string.Join(", ", PresetNames)}", nameof(name)),
    };

    /// <summary>One line for logs: "HyenaDNA d_model 128 × 6 layers, MLP 512, filter 64, l_max 1,026, vocab 12→16, 1,303,680 parameters".</summary>
    public override string ToString() =>
        $"HyenaDNA d_model {DModel} × {NLayer} layers, MLP {DInner}, filter {FilterOrder}, l_max {MaxLength:N0}, " +
        $"vocab {VocabSize}→{PaddedVocabSize}, {ParameterCount:N0} parameters";
}
