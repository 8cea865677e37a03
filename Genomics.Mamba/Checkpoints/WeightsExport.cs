using System.Text.Json;
using System.Text.Json.Nodes;
using Genomics.Data;
using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Checkpoints;

/// <summary>
/// Language-model weights in the Python ecosystem's layout: a directory with model.safetensors (the state dict under
/// upstream key names — mamba_ssm's for Mamba, hyena-dna's for HyenaDNA, tied and shared tensors listed under every
/// name, as upstream's state_dict() lists them) and config.json (<see cref="MambaSsmConfig"/>, <see cref="HyenaDnaConfig"/>).
/// The safetensors metadata also carries genomamba's own config, so fields upstream's config.json has no place for
/// (Mamba's norm epsilon) survive a round trip. Weights only: use <see cref="Checkpoint"/> to resume training.
/// </summary>
public static class WeightsExport
{
    public const string WeightsFile = "model.safetensors";
    public const string ConfigFile = "config.json";

    const string KindKey = "genomamba_model";
    const string ConfigKey = "genomamba_config";

    /// <summary>Writes <paramref name="directory"/>/model.safetensors and config.json for a <see cref="MambaLM"/> or <see cref="HyenaLM"/>.</summary>
    public static void Export(nn.Module model, string directory)
    {
        var (kind, configJson, native) = model switch
        {
            MambaLM m => (ModelKind.Mamba, MambaSsmConfig.ToJson(m.Config), ConfigJson.ToJson(m.Config)),
            HyenaLM h => (ModelKind.Hyena, HyenaDnaConfig.ToJson(h.Config), ConfigJson.ToJson(h.Config)),
            _ => throw new NotSupportedException($"{model.GetType().Name} cannot be exported: only MambaLM and HyenaLM have an upstream layout"),
        };
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["genomamba_version"] = Checkpoint.CurrentVersion,
            [KindKey] = ModelSpec.Name(kind),
            [ConfigKey] = native.ToJsonString(),
        };
        Directory.CreateDirectory(directory);
        SafetensorsFile.Write(Path.Combine(directory, WeightsFile), UpstreamStateDict.Of(model), metadata);
        string json = configJson.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        AtomicFile.Write(Path.Combine(directory, ConfigFile), s => s.Write(System.Text.Encoding.UTF8.GetBytes(json)));
    }

    /// <summary>
    /// Reads a directory written by <see cref="Export"/> or by upstream tools (model.safetensors + config.json; without a
    /// config.json the config is read off the tensor shapes) into a new <see cref="MambaLM"/> or <see cref="HyenaLM"/>.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Import(string directory)
    {
        string weightsPath = Path.Combine(directory, WeightsFile);
        var (tensors, metadata) = SafetensorsFile.Read(weightsPath);
        try
        {
            string configPath = Path.Combine(directory, ConfigFile);
            JsonNode? config = File.Exists(configPath) ? ReadConfigJson(configPath) : null;
            var kind = config is not null
                ? (config["ssm_cfg"] is not null || config["layer"] is null ? ModelKind.Mamba : ModelKind.Hyena)
                : UpstreamStateDict.KindOf(tensors) ?? throw new DataFormatException(weightsPath,
                    $"holds neither {UpstreamStateDict.MambaEmbedding} nor {UpstreamStateDict.HyenaEmbedding}",
                    "this is not a Mamba or HyenaDNA language model's state dict");
            return Build(weightsPath, configPath, kind, config, metadata, tensors);
        }
        finally
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }
        }
    }

    /// <summary><see cref="Import"/> of a Mamba directory.</summary>
    public static MambaLM ImportMamba(string directory) => Expect<MambaLM>(Import(directory), directory);

    /// <summary><see cref="Import"/> of a HyenaDNA directory.</summary>
    public static HyenaLM ImportHyena(string directory) => Expect<HyenaLM>(Import(directory), directory);

    static T Expect<T>(nn.Module<Tensor, Tensor> model, string directory) where T : nn.Module<Tensor, Tensor>
    {
        if (model is T typed)
        {
            return typed;
        }
        string got = model.GetType().Name;
        model.Dispose();
        throw new DataFormatException(directory, $"holds a {got}, not a {typeof(T).Name}", $"import it as {got}");
    }

    internal static JsonNode ReadConfigJson(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, $"is not valid JSON: {e.Message}", "restore the config.json that came with the weights", e);
        }
    }

    static nn.Module<Tensor, Tensor> Build(string weightsPath, string configPath, ModelKind kind, JsonNode? config,
        IReadOnlyDictionary<string, string> metadata, IReadOnlyDictionary<string, Tensor> tensors)
    {
        JsonNode? native = metadata.TryGetValue(KindKey, out var k) && k == ModelSpec.Name(kind) && metadata.TryGetValue(ConfigKey, out var c)
            ? JsonNode.Parse(c)
            : null;
        if (kind == ModelKind.Mamba)
        {
            var baseline = native is null ? null : ConfigJson.Mamba(native);
            var mambaConfig = Configure(configPath, config, () => MambaSsmConfig.FromJson(config!, baseline), () => baseline ?? UpstreamStateDict.InferMamba(tensors));
            return Load(weightsPath, new MambaLM(mambaConfig), m => m.LoadStateDict(tensors));
        }
        var hyenaBaseline = native is null ? null : ConfigJson.Hyena(native);
        var hyenaConfig = Configure(configPath, config, () => HyenaDnaConfig.FromJson(config!, hyenaBaseline), () => hyenaBaseline ?? UpstreamStateDict.InferHyena(tensors));
        return Load(weightsPath, new HyenaLM(hyenaConfig), h => h.LoadStateDict(tensors));
    }

    internal static T Configure<T>(string configPath, JsonNode? config, Func<T> fromJson, Func<T> fallback)
    {
        try
        {
            return config is not null ? fromJson() : fallback();
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentOutOfRangeException or InvalidOperationException or FormatException)
        {
            throw new DataFormatException(configPath, $"describes a model genomamba cannot build: {e.Message}",
                "genomamba implements mamba_ssm's Mamba-1 LM and hyena-dna's order-2 Hyena LM", e);
        }
        catch (KeyNotFoundException e)
        {
            throw new DataFormatException(configPath, $"is missing and the config cannot be inferred: {e.Message}",
                "put the config.json that came with the weights beside them");
        }
    }

    internal static T Load<T>(string weightsPath, T model, Action<T> load) where T : nn.Module
    {
        try
        {
            load(model);
            return model;
        }
        catch (ArgumentException e)
        {
            model.Dispose();
            throw new DataFormatException(weightsPath, $"the weights do not fit the config: {e.Message}",
                "the config.json and the weights come from different models: use the config.json that came with them");
        }
    }
}
