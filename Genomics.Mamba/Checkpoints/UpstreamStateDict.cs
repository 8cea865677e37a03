using System.Text.RegularExpressions;
using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Checkpoints;

/// <summary>
/// State dicts exactly as upstream's <c>model.state_dict()</c> spells them, and back. Export adds what upstream lists
/// under several names though it is one tensor: the tied <c>lm_head.weight</c> (mamba_ssm and hyena-dna both list it) and
/// hyena-dna's shared sine frequency (<c>implicit_filter.1/3/5.freq</c>). Import undoes the wrappers training frameworks
/// add: PyTorch Lightning's <c>model.</c> prefix and hyena-dna's gradient-checkpointing <c>.mixer.layer.</c> /
/// <c>.mlp.layer.</c>.
/// </summary>
public static partial class UpstreamStateDict
{
    /// <summary>The key that marks a Mamba state dict.</summary>
    public const string MambaEmbedding = "backbone.embedding.weight";

    /// <summary>The key that marks a HyenaDNA state dict.</summary>
    public const string HyenaEmbedding = "backbone.embeddings.word_embeddings.weight";

    /// <summary>
    /// The upstream state dict of a language model: views of its tensors under every upstream name, in model order with
    /// aliases right after the tensor they repeat.
    /// </summary>
    public static List<KeyValuePair<string, Tensor>> Of(nn.Module model)
    {
        var own = StateDicts.Of(model);
        var result = new List<KeyValuePair<string, Tensor>>();
        int innerLayers = model is HyenaLM h ? h.Config.FilterInnerLayers : 0;
        foreach (var (name, t) in own)
        {
            result.Add(new(name, t));
            var sine = SharedSine().Match(name);
            if (sine.Success)
            {
                // Upstream's Sequential: Linear, Sin, (Linear, Sin) × inner layers, Linear — the Sin at 1, 3, 5, …
                for (int i = 1; i <= innerLayers; i++)
                {
                    result.Add(new($"{sine.Groups["prefix"].Value}{2 * i + 1}.freq", t));
                }
            }
        }
        if (!own.ContainsKey("lm_head.weight"))
        {
            var embedding = own.GetValueOrDefault(MambaEmbedding) ?? own.GetValueOrDefault(HyenaEmbedding);
            if (embedding is not null)
            {
                result.Add(new("lm_head.weight", embedding));
            }
        }
        return result;
    }

    /// <summary>Which architecture a (normalised) state dict belongs to, by its embedding key; null if neither.</summary>
    public static ModelKind? KindOf(IReadOnlyDictionary<string, Tensor> state) =>
        state.ContainsKey(MambaEmbedding) ? ModelKind.Mamba : state.ContainsKey(HyenaEmbedding) ? ModelKind.Hyena : null;

    /// <summary>
    /// Keys as a bare model's state dict has them: a Lightning checkpoint's "model." prefix dropped (and its other
    /// modules' keys — task encoders, decoders, losses — left out), gradient-checkpointing ".layer" wrappers removed.
    /// <paramref name="ignored"/> receives the keys left out.
    /// </summary>
    public static Dictionary<string, Tensor> Normalise(IReadOnlyDictionary<string, Tensor> state, List<string> ignored)
    {
        bool lightning = !state.Keys.Any(k => k.StartsWith("backbone.", StringComparison.Ordinal))
                         && state.Keys.Any(k => k.StartsWith("model.backbone.", StringComparison.Ordinal));
        var result = new Dictionary<string, Tensor>();
        foreach (var (key, value) in state)
        {
            string k = key;
            if (lightning)
            {
                if (!k.StartsWith("model.", StringComparison.Ordinal))
                {
                    ignored.Add(key);
                    continue;
                }
                k = k["model.".Length..];
            }
            k = k.Replace(".mixer.layer.", ".mixer.", StringComparison.Ordinal).Replace(".mlp.layer.", ".mlp.", StringComparison.Ordinal);
            result[k] = value;
        }
        return result;
    }

    /// <summary>
    /// A config read off the tensor shapes, for a checkpoint that came without its config.json. Every shape-bearing
    /// field is exact; what shapes cannot tell takes genomamba's defaults: norm epsilons (1e-5, both upstreams'), init
    /// ranges and Δ init (unused when loading), HyenaDNA's modulation shift (0, hyena-dna src/). The vocabulary is the
    /// padded embedding's row count.
    /// </summary>
    public static MambaConfig InferMamba(IReadOnlyDictionary<string, Tensor> s)
    {
        var embedding = Get(s, MambaEmbedding);
        int layers = CountLayers(s, "mixer.in_proj.weight");
        var inProj = Get(s, "backbone.layers.0.mixer.in_proj.weight");   // (2·d_inner, d)
        int d = (int)embedding.shape[1];
        int dInner = (int)inProj.shape[0] / 2;
        if (dInner % d != 0)
        {
            throw new NotSupportedException($"d_inner {dInner} is not a multiple of d_model {d}: expand must be an integer");
        }
        bool tied = !s.TryGetValue("lm_head.weight", out var head)
                    || (head.shape.SequenceEqual(embedding.shape) && head.to(float64).allclose(embedding.to(float64), 0, 0));
        return new MambaConfig
        {
            DModel = d,
            NLayer = layers,
            VocabSize = (int)embedding.shape[0],
            PadVocabSizeMultiple = 1,
            Expand = dInner / d,
            DState = (int)Get(s, "backbone.layers.0.mixer.A_log").shape[1],
            DConv = (int)Get(s, "backbone.layers.0.mixer.conv1d.weight").shape[2],
            DtRank = (int)Get(s, "backbone.layers.0.mixer.dt_proj.weight").shape[1],
            TieEmbeddings = tied,
        }.Validate();
    }

    /// <inheritdoc cref="InferMamba"/>
    public static HyenaConfig InferHyena(IReadOnlyDictionary<string, Tensor> s)
    {
        const string filter = "backbone.layers.0.mixer.filter_fn.";
        var embedding = Get(s, HyenaEmbedding);
        int d = (int)embedding.shape[1];
        var first = Get(s, filter + "implicit_filter.0.weight");            // (filter_order, emb_dim)
        int linears = s.Keys.Count(k => k.StartsWith(filter + "implicit_filter.", StringComparison.Ordinal) && k.EndsWith(".weight", StringComparison.Ordinal));
        return new HyenaConfig
        {
            DModel = d,
            NLayer = CountLayers(s, "mixer.in_proj.weight"),
            DInner = (int)Get(s, "backbone.layers.0.mlp.fc1.weight").shape[0],
            VocabSize = (int)embedding.shape[0],
            PadVocabSizeMultiple = 1,
            Order = (int)(Get(s, "backbone.layers.0.mixer.in_proj.weight").shape[0] / d) - 1,
            FilterOrder = (int)first.shape[0],
            EmbDim = (int)first.shape[1],
            FilterInnerLayers = linears - 2,
            ShortFilterOrder = (int)Get(s, "backbone.layers.0.mixer.short_filter.weight").shape[2],
            MaxLength = (int)Get(s, filter + "pos_emb.z").shape[1],
        }.Validate();
    }

    static Tensor Get(IReadOnlyDictionary<string, Tensor> s, string key) =>
        s.TryGetValue(key, out var t) ? t : throw new KeyNotFoundException($"{key} is missing, so the config cannot be read off the tensors");

    static int CountLayers(IReadOnlyDictionary<string, Tensor> s, string suffix)
    {
        int n = 0;
        while (s.ContainsKey($"backbone.layers.{n}.{suffix}"))
        {
            n++;
        }
        return n;
    }

    [GeneratedRegex(@"^(?<prefix>.*implicit_filter\.)1\.freq$", RegexOptions.CultureInvariant)]
    private static partial Regex SharedSine();
}
