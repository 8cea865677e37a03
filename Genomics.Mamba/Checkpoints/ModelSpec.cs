using System.Text.Json.Nodes;
using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Checkpoints;

/// <summary>
/// What model a checkpoint holds, enough to rebuild it: architecture, its config, and the task head — a language
/// model (<see cref="MambaLM"/>, <see cref="HyenaLM"/>) or a <see cref="SequenceClassifier"/> with its class count and
/// pooling. Weights are not part of the spec.
/// </summary>
public sealed class ModelSpec
{
    ModelSpec(ModelKind kind, MambaConfig? mamba, HyenaConfig? hyena, int classes, Pooling pooling)
    {
        Kind = kind;
        Mamba = mamba;
        Hyena = hyena;
        Classes = classes;
        Pooling = pooling;
    }

    public ModelKind Kind { get; }

    /// <summary>The config when <see cref="Kind"/> is Mamba, else null.</summary>
    public MambaConfig? Mamba { get; }

    /// <summary>The config when <see cref="Kind"/> is Hyena, else null.</summary>
    public HyenaConfig? Hyena { get; }

    /// <summary>Number of classes of a classifier; 0 for a language model.</summary>
    public int Classes { get; }

    /// <summary>A classifier's pooling (ignored for a language model).</summary>
    public Pooling Pooling { get; }

    public bool IsClassifier => Classes > 0;

    /// <summary>"mamba" or "hyena", as the command line and checkpoints spell it.</summary>
    public string Family => Name(Kind);

    /// <summary>The config's one-line description ("Mamba d_model 128 × 12 blocks, …, 1,401,472 parameters").</summary>
    public string ConfigText => Mamba?.ToString() ?? Hyena!.ToString();

    /// <summary>Parameters of the backbone and language-model head (a classifier's head adds d × classes).</summary>
    public long ParameterCount => Mamba?.ParameterCount ?? Hyena!.ParameterCount;

    /// <summary>This spec with a HyenaDNA filter sized for <paramref name="length"/> positions; a Mamba spec as is (no length limit).</summary>
    public ModelSpec ForContext(int length) => Hyena is null ? this : new(Kind, null, Hyena.ForContext(length).Validate(), Classes, Pooling);

    public static ModelSpec LanguageModel(MambaConfig config) => new(ModelKind.Mamba, config.Validate(), null, 0, Pooling.Last);

    public static ModelSpec LanguageModel(HyenaConfig config) => new(ModelKind.Hyena, null, config.Validate(), 0, Pooling.Last);

    public static ModelSpec Classifier(MambaConfig config, int classes, Pooling pooling = Pooling.Last) =>
        new(ModelKind.Mamba, config.Validate(), null, AtLeastTwo(classes), pooling);

    public static ModelSpec Classifier(HyenaConfig config, int classes, Pooling pooling = Pooling.Last) =>
        new(ModelKind.Hyena, null, config.Validate(), AtLeastTwo(classes), pooling);

    /// <summary>The spec of a live <see cref="MambaLM"/>, <see cref="HyenaLM"/> or <see cref="SequenceClassifier"/>.</summary>
    public static ModelSpec Of(nn.Module model) => model switch
    {
        MambaLM m => LanguageModel(m.Config),
        HyenaLM h => LanguageModel(h.Config),
        SequenceClassifier c => c.named_children().First(x => x.name == "backbone").module switch
        {
            MambaBackbone b => Classifier(b.Config, c.Classes, c.Pooling),
            HyenaBackbone b => Classifier(b.Config, c.Classes, c.Pooling),
            var other => throw new NotSupportedException($"a classifier on a {other.GetType().Name} trunk cannot be checkpointed"),
        },
        _ => throw new NotSupportedException(
            $"{model.GetType().Name} cannot be checkpointed: only MambaLM, HyenaLM and SequenceClassifier have a ModelSpec"),
    };

    /// <summary>A freshly initialised model of this spec (weights are loaded separately).</summary>
    public nn.Module<Tensor, Tensor> Build() => (Kind, IsClassifier) switch
    {
        (ModelKind.Mamba, false) => new MambaLM(Mamba!),
        (ModelKind.Hyena, false) => new HyenaLM(Hyena!),
        (ModelKind.Mamba, true) => new SequenceClassifier(Mamba!, Classes, Pooling),
        _ => new SequenceClassifier(Hyena!, Classes, Pooling),
    };

    /// <summary>"Mamba d_model 16 × 2 blocks … (language model)" or "(classifier, 3 classes, last-token pooling)".</summary>
    public override string ToString() =>
        $"{(object?)Mamba ?? Hyena} " + (IsClassifier ? $"(classifier, {Classes} classes, {Pooling.ToString().ToLowerInvariant()} pooling)" : "(language model)");

    /// <summary>The differences that make a checkpoint of <paramref name="stored"/> not fit a model of this spec; empty if it fits.</summary>
    public List<string> Differences(ModelSpec stored)
    {
        var result = new List<string>();
        if (Kind != stored.Kind)
        {
            result.Add($"architecture {Name(Kind)} vs {Name(stored.Kind)}");
            return result;
        }
        if (IsClassifier != stored.IsClassifier)
        {
            result.Add($"head {Head(this)} vs {Head(stored)}");
        }
        else if (Classes != stored.Classes)
        {
            result.Add($"classes {Classes} vs {stored.Classes}");
        }
        result.AddRange(ConfigJson.Differences(ConfigNode(), stored.ConfigNode()));
        return result;
    }

    static string Head(ModelSpec s) => s.IsClassifier ? "classifier" : "language model";

    internal static string Name(ModelKind kind) => kind == ModelKind.Mamba ? "mamba" : "hyena";

    internal JsonObject ConfigNode() => Mamba is not null ? ConfigJson.ToJson(Mamba) : ConfigJson.ToJson(Hyena!);

    /// <summary>{"kind": "mamba", "head": "lm" | "classifier", "classes": n, "pooling": "last" | "mean", "config": {…}}.</summary>
    internal JsonObject ToJson()
    {
        var node = new JsonObject
        {
            ["kind"] = Name(Kind),
            ["head"] = IsClassifier ? "classifier" : "lm",
        };
        if (IsClassifier)
        {
            node["classes"] = Classes;
            node["pooling"] = Pooling == Pooling.Last ? "last" : "mean";
        }
        node["config"] = ConfigNode();
        return node;
    }

    /// <summary>Parses <see cref="ToJson"/>'s form; throws <see cref="FormatException"/> (or the config's own exceptions) naming the field.</summary>
    internal static ModelSpec FromJson(JsonNode node)
    {
        string kind = Required(node, "kind").GetValue<string>();
        string head = Required(node, "head").GetValue<string>();
        var config = Required(node, "config");
        int classes = 0;
        var pooling = Pooling.Last;
        if (head == "classifier")
        {
            classes = Required(node, "classes").GetValue<int>();
            pooling = Required(node, "pooling").GetValue<string>() switch
            {
                "last" => Pooling.Last,
                "mean" => Pooling.Mean,
                var p => throw new FormatException($"model.pooling '{p}' is neither 'last' nor 'mean'"),
            };
        }
        else if (head != "lm")
        {
            throw new FormatException($"model.head '{head}' is neither 'lm' nor 'classifier'");
        }
        return kind switch
        {
            "mamba" => head == "lm" ? LanguageModel(ConfigJson.Mamba(config)) : Classifier(ConfigJson.Mamba(config), classes, pooling),
            "hyena" => head == "lm" ? LanguageModel(ConfigJson.Hyena(config)) : Classifier(ConfigJson.Hyena(config), classes, pooling),
            _ => throw new FormatException($"model.kind '{kind}' is neither 'mamba' nor 'hyena'"),
        };
    }

    static JsonNode Required(JsonNode node, string name) =>
        node[name] ?? throw new FormatException($"model.{name} is missing");

    static int AtLeastTwo(int classes) => classes >= 2
        ? classes
        : throw new ArgumentOutOfRangeException(nameof(classes), classes, "a classifier needs at least 2 classes");
}
