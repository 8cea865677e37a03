using System.Text.Json.Nodes;
using Genomics.Mamba.Config;

namespace Genomics.Mamba.Checkpoints;

/// <summary>
/// <see cref="HyenaConfig"/> as hyena-dna's config.json: the layout of the released checkpoints (HyenaDNAModel's keyword
/// arguments, the mixer's under "layer" with "_name_": "hyena"): d_model, n_layer, d_inner, vocab_size, resid_dropout,
/// embed_dropout, layer_norm_epsilon, initializer_cfg {initializer_range}, residual_in_fp32, pad_vocab_size_multiple,
/// layer {emb_dim, filter_order, short_filter_order, l_max, order, modulate, w, num_inner_mlps, fast_decay_pct,
/// slow_decay_pct, target, shift, lr, wd, lr_pos_emb}. Reading accepts "local_order" for short_filter_order (older
/// configs) and ignores training-only keys (fused kernels, gradient checkpointing, learning rates).
/// </summary>
public static class HyenaDnaConfig
{
    public static JsonObject ToJson(HyenaConfig c) => new()
    {
        ["d_model"] = c.DModel,
        ["n_layer"] = c.NLayer,
        ["d_inner"] = c.DInner,
        ["vocab_size"] = c.VocabSize,
        ["resid_dropout"] = 0.0,
        ["embed_dropout"] = c.EmbeddingDropout,
        ["fused_mlp"] = false,
        ["fused_dropout_add_ln"] = false,
        ["checkpoint_mixer"] = false,
        ["checkpoint_mlp"] = false,
        ["residual_in_fp32"] = c.ResidualInFp32,
        ["pad_vocab_size_multiple"] = c.PadVocabSizeMultiple,
        ["layer_norm_epsilon"] = c.LayerNormEps,
        ["initializer_cfg"] = new JsonObject { ["initializer_range"] = c.InitializerRange },
        ["layer"] = new JsonObject
        {
            ["_name_"] = "hyena",
            ["emb_dim"] = c.EmbDim,
            ["filter_order"] = c.FilterOrder,
            ["short_filter_order"] = c.ShortFilterOrder,
            ["l_max"] = c.MaxLength,
            ["order"] = c.Order,
            ["modulate"] = true,
            ["w"] = c.SineFrequency,
            ["num_inner_mlps"] = c.FilterInnerLayers,
            ["fast_decay_pct"] = c.FastDecayPct,
            ["slow_decay_pct"] = c.SlowDecayPct,
            ["target"] = c.DecayTarget,
            ["shift"] = c.ModulationShift,
            ["lr"] = 6e-4,
            ["wd"] = 0.0,
            ["lr_pos_emb"] = 0.0,
        },
    };

    /// <summary>
    /// Reads a hyena-dna config.json onto <paramref name="baseline"/>; absent fields keep the baseline's (genomamba's
    /// defaults follow hyena-dna's hg38 experiment configs). Throws <see cref="NotSupportedException"/> for a mixer other
    /// than Hyena, attention layers, or no modulation, naming the field.
    /// </summary>
    public static HyenaConfig FromJson(JsonNode json, HyenaConfig? baseline = null)
    {
        var c = baseline ?? new HyenaConfig();
        var layer = json["layer"] ?? throw new NotSupportedException("no \"layer\" object: not a hyena-dna config.json");
        string name = layer["_name_"]?.GetValue<string>() ?? "hyena";
        if (name != "hyena")
        {
            throw new NotSupportedException($"layer._name_ is '{name}'; only Hyena mixers are implemented");
        }
        if ((json["attn_layer_idx"]?.AsArray().Count ?? 0) > 0)
        {
            throw new NotSupportedException("attn_layer_idx lists attention layers (a hybrid model); not implemented");
        }
        if (!(layer["modulate"]?.GetValue<bool>() ?? true))
        {
            throw new NotSupportedException("layer.modulate is false; genomamba's filter always applies the exponential modulation");
        }
        int Int(JsonNode? n, int fallback) => n?.GetValue<int>() ?? fallback;
        double Real(JsonNode? n, double fallback) => n?.GetValue<double>() ?? fallback;
        int dModel = Int(json["d_model"], c.DModel);
        var result = c with
        {
            DModel = dModel,
            NLayer = Int(json["n_layer"], c.NLayer),
            DInner = Int(json["d_inner"], json["d_model"] is null ? c.DInner : 4 * dModel),
            VocabSize = Int(json["vocab_size"], c.VocabSize),
            PadVocabSizeMultiple = Int(json["pad_vocab_size_multiple"], c.PadVocabSizeMultiple),
            EmbeddingDropout = Real(json["embed_dropout"], c.EmbeddingDropout),
            ResidualInFp32 = json["residual_in_fp32"]?.GetValue<bool>() ?? c.ResidualInFp32,
            LayerNormEps = Real(json["layer_norm_epsilon"], c.LayerNormEps),
            InitializerRange = Real(json["initializer_cfg"]?["initializer_range"], c.InitializerRange),
            EmbDim = Int(layer["emb_dim"], c.EmbDim),
            FilterOrder = Int(layer["filter_order"], c.FilterOrder),
            ShortFilterOrder = Int(layer["short_filter_order"] ?? layer["local_order"], c.ShortFilterOrder),
            MaxLength = Int(layer["l_max"], c.MaxLength),
            Order = Int(layer["order"], c.Order),
            SineFrequency = Real(layer["w"], c.SineFrequency),
            FilterInnerLayers = Int(layer["num_inner_mlps"], c.FilterInnerLayers),
            FastDecayPct = Real(layer["fast_decay_pct"], c.FastDecayPct),
            SlowDecayPct = Real(layer["slow_decay_pct"], c.SlowDecayPct),
            DecayTarget = Real(layer["target"], c.DecayTarget),
            ModulationShift = Real(layer["shift"], c.ModulationShift),
        };
        return result.Validate();
    }
}
