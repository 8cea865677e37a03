namespace Genomics.Mamba.Config;

/// <summary>
/// The shape of a Mamba language model (Gu &amp; Dao 2023; mamba_ssm's <c>MambaConfig</c> plus the mixer's
/// <c>ssm_cfg</c> in one record). Defaults are mamba_ssm's; the DNA-specific ones say why. Override with
/// <c>with</c>; call <see cref="Validate"/> before building a model (the model does).
/// </summary>
public sealed record MambaConfig
{
    int? _dtRank;

    /// <summary>Width of the residual stream (d_model).</summary>
    public int DModel { get; init; } = 128;

    /// <summary>Number of Mamba blocks. A Mamba block is half a Transformer layer, so peers have twice as many (E.3.2).</summary>
    public int NLayer { get; init; } = 12;

    /// <summary>Tokenizer vocabulary: the HyenaDNA/Caduceus DNA ids, 7 specials + A C G T N.</summary>
    public int VocabSize { get; init; } = 12;

    /// <summary>The embedding is padded to a multiple of this (12 → 16), as mamba_ssm's pad_vocab_size_multiple.</summary>
    public int PadVocabSizeMultiple { get; init; } = 16;

    /// <summary>SSM state size N per channel.</summary>
    public int DState { get; init; } = 16;

    /// <summary>Kernel width of the depthwise causal convolution.</summary>
    public int DConv { get; init; } = 4;

    /// <summary>Inner width multiplier: d_inner = Expand · d_model.</summary>
    public int Expand { get; init; } = 2;

    /// <summary>Rank of the Δ projection; unset means mamba_ssm's "auto", ⌈d_model / 16⌉ (recomputed when DModel changes).</summary>
    public int DtRank
    {
        get => _dtRank ?? (DModel + 15) / 16;
        init => _dtRank = value;
    }

    /// <summary>Lower end of the log-uniform initial Δ = softplus(dt_proj.bias).</summary>
    public double DtMin { get; init; } = 1e-3;

    /// <summary>Upper end of the log-uniform initial Δ.</summary>
    public double DtMax { get; init; } = 0.1;

    /// <summary>Initial Δ below this is clamped up to it before the inverse softplus.</summary>
    public double DtInitFloor { get; init; } = 1e-4;

    /// <summary>dt_proj.weight ~ U(±DtScale · DtRank^-0.5).</summary>
    public double DtScale { get; init; } = 1.0;

    /// <summary>RMSNorm epsilon.</summary>
    public double RmsNormEps { get; init; } = 1e-5;

    /// <summary>Keep the residual stream in fp32 even when activations are lower precision.</summary>
    public bool ResidualInFp32 { get; init; } = true;

    /// <summary>LM head shares the embedding matrix.</summary>
    public bool TieEmbeddings { get; init; } = true;

    /// <summary>Standard deviation of the embedding initialisation (mamba_ssm's initializer_range).</summary>
    public double InitializerRange { get; init; } = 0.02;

    /// <summary>d_inner = Expand · d_model: the width the SSM runs at.</summary>
    public int DInner => Expand * DModel;

    /// <summary>Embedding rows: <see cref="VocabSize"/> rounded up to <see cref="PadVocabSizeMultiple"/>.</summary>
    public int PaddedVocabSize => (VocabSize + PadVocabSizeMultiple - 1) / PadVocabSizeMultiple * PadVocabSizeMultiple;

    /// <summary>
    /// Trainable parameters of <see cref="Modules.MambaLM"/> with this config, by formula (a tied head adds none).
    /// Per block: in_proj d·2E, conv1d E·k + E, x_proj E·(R + 2N), dt_proj R·E + E, A_log E·N, D E, out_proj E·d,
    /// norm d (E = d_inner, R = dt_rank, k = d_conv); plus the V·d embedding, the final norm d, and V·d for an untied head.
    /// </summary>
    public long ParameterCount
    {
        get
        {
            long d = DModel, e = DInner, r = DtRank, n = DState, k = DConv, v = PaddedVocabSize;
            long block = d * 2 * e + (e * k + e) + e * (r + 2 * n) + (r * e + e) + e * n + e + e * d + d;
            return NLayer * block + v * d + d + (TieEmbeddings ? 0 : v * d);
        }
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first field out of range.</summary>
    public MambaConfig Validate()
    {
        ConfigChecks.Positive(DModel);
        ConfigChecks.Positive(NLayer);
        ConfigChecks.Positive(VocabSize);
        ConfigChecks.Positive(PadVocabSizeMultiple);
        ConfigChecks.Positive(DState);
        ConfigChecks.Positive(DConv);
        ConfigChecks.Positive(Expand);
        ConfigChecks.Positive(DtRank);
        if (!(DtMin > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(DtMin), DtMin, $"{nameof(DtMin)} must be > 0 (it is a log-uniform bound)");
        }
        if (!(DtMax >= DtMin))
        {
            throw new ArgumentOutOfRangeException(nameof(DtMax), DtMax, $"{nameof(DtMax)} must be ≥ {nameof(DtMin)} = {DtMin}");
        }
        if (!(DtInitFloor >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(DtInitFloor), DtInitFloor, $"{nameof(DtInitFloor)} must be ≥ 0");
        }
        ConfigChecks.Positive(DtScale);
        ConfigChecks.Positive(RmsNormEps);
        ConfigChecks.Positive(InitializerRange);
        return this;
    }

    /// <summary>Preset names, in order of size: the paper's context-scaling models, then HyenaDNA's released sizes.</summary>
    public static IReadOnlyList<string> PresetNames { get; } =
        ["tiny-1k", "1.4M", "small-32k", "medium-160k", "medium-450k", "large-1m", "7M"];

    /// <summary>
    /// A named size. "1.4M" (d 128 × 12 blocks, 1,401,472 parameters) and "7M" (d 256 × 16, 7,012,608) are the
    /// Mamba paper's context-scaling models (E.3.2: twice the blocks of a 6- or 8-layer Transformer peer). The
    /// HyenaDNA names keep HyenaDNA's widths and depths as given (not doubled): "tiny-1k" d 128 × 2,
    /// "small-32k" d 256 × 4, "medium-160k" / "medium-450k" / "large-1m" d 256 × 8.
    /// </summary>
    public static MambaConfig Preset(string name) => name switch
    {
        "1.4M" => new MambaConfig { DModel = 128, NLayer = 12 },
        "7M" => new MambaConfig { DModel = 256, NLayer = 16 },
        "tiny-1k" => new MambaConfig { DModel = 128, NLayer = 2 },
        "small-32k" => new MambaConfig { DModel = 256, NLayer = 4 },
        "medium-160k" or "medium-450k" or "large-1m" => new MambaConfig { DModel = 256, NLayer = 8 },
        _ => throw new ArgumentException($"unknown Mamba preset '{name}'; known: {string.Join(", ", PresetNames)}", nameof(name)),
    };

    /// <summary>One line for logs: "d_model 128 × 12 blocks, d_inner 256, N 16, dt_rank 8, vocab 12→16, 1,401,472 parameters".</summary>
    public override string ToString() =>
        $"Mamba d_model {DModel} × {NLayer} blocks, d_inner {DInner}, N {DState}, d_conv {DConv}, dt_rank {DtRank}, " +
        $"vocab {VocabSize}→{PaddedVocabSize}, {ParameterCount:N0} parameters";
}
