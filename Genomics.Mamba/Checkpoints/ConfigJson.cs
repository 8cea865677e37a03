using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Genomics.Mamba.Config;

namespace Genomics.Mamba.Checkpoints;

/// <summary>
/// The genomamba config records as JSON, snake_case (d_model, n_layer, dt_rank, …), settable properties only: derived
/// values (d_inner of Mamba, padded vocab, parameter count) are recomputed, never stored. Reading refuses unknown
/// fields, so a checkpoint from a newer genomamba whose config grew a field says so instead of silently dropping it;
/// fields missing from an older file take today's defaults.
/// </summary>
internal static class ConfigJson
{
    static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                info =>
                {
                    if (info.Kind != JsonTypeInfoKind.Object)
                    {
                        return;
                    }
                    for (int i = info.Properties.Count - 1; i >= 0; i--)
                    {
                        if (info.Properties[i].Set is null)
                        {
                            info.Properties.RemoveAt(i);
                        }
                    }
                },
            },
        },
    };

    public static JsonObject ToJson(MambaConfig config) => (JsonObject)JsonSerializer.SerializeToNode(config, Options)!;

    public static JsonObject ToJson(HyenaConfig config) => (JsonObject)JsonSerializer.SerializeToNode(config, Options)!;

    /// <summary>Parses and validates; throws <see cref="JsonException"/> or <see cref="ArgumentOutOfRangeException"/> naming the field.</summary>
    public static MambaConfig Mamba(JsonNode node) =>
        (node.Deserialize<MambaConfig>(Options) ?? throw new JsonException("config is null")).Validate();

    /// <inheritdoc cref="Mamba"/>
    public static HyenaConfig Hyena(JsonNode node) =>
        (node.Deserialize<HyenaConfig>(Options) ?? throw new JsonException("config is null")).Validate();

    /// <summary>"field: a → b" for every field whose value differs (configs compared by their JSON, so an explicit
    /// dt_rank equal to the automatic one is no difference).</summary>
    public static List<string> Differences(JsonObject a, JsonObject b)
    {
        var result = new List<string>();
        foreach (var key in a.Select(kv => kv.Key).Union(b.Select(kv => kv.Key)))
        {
            var x = a[key]?.ToJsonString() ?? "(none)";
            var y = b[key]?.ToJsonString() ?? "(none)";
            if (x != y)
            {
                result.Add($"{key} {x} vs {y}");
            }
        }
        return result;
    }
}
