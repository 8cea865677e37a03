using System.Text.Json.Nodes;
using Genomics.Mamba.Config;

namespace Genomics.Mamba.Checkpoints;

/// <summary>
/// <see cref="MambaConfig"/> as mamba_ssm's config.json (the file <c>MambaLMHeadModel.from_pretrained</c> reads as
/// <c>MambaConfig(**json)</c>, so it holds exactly mamba_ssm 2.x's dataclass fields): d_model, d_intermediate 0,
/// n_layer, vocab_size, ssm_cfg {d_state, d_conv, expand, dt_rank, dt_min, dt_max, dt_init, dt_scale, dt_init_floor,
/// conv_bias, bias}, attn_layer_idx [], attn_cfg {}, rms_norm, residual_in_fp32, fused_add_norm, pad_vocab_size_multiple,
/// tie_embeddings. RMSNorm's epsilon and the embedding's init std have no place there (mamba_ssm fixes them at 1e-5 and
/// 0.02); an export keeps them in the weights file's metadata.
/// </summary>
public static class MambaSsmConfig
{
    public static JsonObject ToJson(MambaConfig c) => new()
    {
        ["d_model"] = c.DModel,
        ["d_intermediate"] = 0,
        ["n_layer"] = c.NLayer,
        ["vocab_size"] = c.VocabSize,
        ["ssm_cfg"] = new JsonObject
        {
            ["d_state"] = c.DState,
            ["d_conv"] = c.DConv,
            ["expand"] = c.Expand,
            ["dt_rank"] = c.DtRank == (c.DModel + 15) / 16 ? "auto" : JsonValue.Create(c.DtRank),
            ["dt_min"] = c.DtMin,
            ["dt_max"] = c.DtMax,
            ["dt_init"] = "random",
            ["dt_scale"] = c.DtScale,
            ["dt_init_floor"] = c.DtInitFloor,
            ["conv_bias"] = true,
            ["bias"] = false,
        },
        ["attn_layer_idx"] = new JsonArray(),
        ["attn_cfg"] = new JsonObject(),
        ["rms_norm"] = true,
        ["residual_in_fp32"] = c.ResidualInFp32,
        ["fused_add_norm"] = true,
        ["pad_vocab_size_multiple"] = c.PadVocabSizeMultiple,
        ["tie_embeddings"] = c.TieEmbeddings,
    };

    /// <summary>
    /// Reads a mamba_ssm config.json onto <paramref name="baseline"/> (which supplies what the file cannot say: norm
    /// epsilon, init std). Absent fields take mamba_ssm's defaults. Throws <see cref="NotSupportedException"/> for what
    /// genomamba's Mamba does not implement (LayerNorm instead of RMSNorm, MLP or attention layers, Mamba-2 mixers,
    /// a biased in/out projection, a bias-free conv), naming the field.
    /// </summary>
    public static MambaConfig FromJson(JsonNode json, MambaConfig? baseline = null)
    {
        var c = baseline ?? new MambaConfig();
        var ssm = json["ssm_cfg"] ?? new JsonObject();
        Require(json["rms_norm"]?.GetValue<bool>() ?? true, "rms_norm is false (LayerNorm blocks); only RMSNorm is implemented");
        Require((json["d_intermediate"]?.GetValue<int>() ?? 0) == 0, "d_intermediate > 0 (MLP layers between mixers) is not implemented");
        Require((json["attn_layer_idx"]?.AsArray().Count ?? 0) == 0, "attn_layer_idx lists attention layers (a hybrid model); not implemented");
        string layer = ssm["layer"]?.GetValue<string>() ?? "Mamba1";
        Require(layer == "Mamba1", $"ssm_cfg.layer is {layer}; only Mamba1 mixers are implemented");
        Require(ssm["conv_bias"]?.GetValue<bool>() ?? true, "ssm_cfg.conv_bias is false; genomamba's mixer has a conv bias");
        Require(!(ssm["bias"]?.GetValue<bool>() ?? false), "ssm_cfg.bias is true; genomamba's projections have no bias");
        string init = ssm["dt_init"]?.GetValue<string>() ?? "random";
        Require(init == "random", $"ssm_cfg.dt_init is {init}; only 'random' is implemented (it only matters for a fresh model)");

        int dModel = json["d_model"]?.GetValue<int>() ?? 2560;
        var result = c with
        {
            DModel = dModel,
            NLayer = json["n_layer"]?.GetValue<int>() ?? 64,
            VocabSize = json["vocab_size"]?.GetValue<int>() ?? 50277,
            PadVocabSizeMultiple = json["pad_vocab_size_multiple"]?.GetValue<int>() ?? 8,
            ResidualInFp32 = json["residual_in_fp32"]?.GetValue<bool>() ?? true,
            TieEmbeddings = json["tie_embeddings"]?.GetValue<bool>() ?? true,
            DState = ssm["d_state"]?.GetValue<int>() ?? 16,
            DConv = ssm["d_conv"]?.GetValue<int>() ?? 4,
            Expand = ssm["expand"]?.GetValue<int>() ?? 2,
            DtRank = ssm["dt_rank"] is JsonValue v && v.TryGetValue<int>(out int rank) ? rank : (dModel + 15) / 16,
            DtMin = ssm["dt_min"]?.GetValue<double>() ?? 1e-3,
            DtMax = ssm["dt_max"]?.GetValue<double>() ?? 0.1,
            DtScale = ssm["dt_scale"]?.GetValue<double>() ?? 1.0,
            DtInitFloor = ssm["dt_init_floor"]?.GetValue<double>() ?? 1e-4,
        };
        return result.Validate();
    }

    static void Require(bool ok, string problem)
    {
        if (!ok)
        {
            throw new NotSupportedException(problem);
        }
    }
}
