using System.Text.Json;
using System.Text.Json.Nodes;
using Genomics.Data;

namespace Genomics.Charts;

/// <summary>A perplexity.json written by `genomamba evaluate`: the model, what was scored, and the finite points.</summary>
public sealed record PerplexityRun(string Path, string Model, int? Tail, bool BasesOnly, IReadOnlyList<ContextPoint> Points);

/// <summary>A species.json written by `genomamba evaluate`: one classifier's accuracy (a fraction) at one length.</summary>
public sealed record SpeciesRun(string Path, string Model, ContextPoint Accuracy, double Chance, int Classes);

/// <summary>
/// Reads the result files of `genomamba evaluate` back. A directory argument means the file of that name inside it; a
/// missing file, invalid JSON or a result of the other kind is a <see cref="DataFormatException"/> or
/// <see cref="FileNotFoundException"/> naming the file and what to give instead.
/// </summary>
public static class EvaluateResults
{
    public const string PerplexityFile = "perplexity.json";
    public const string SpeciesFile = "species.json";

    /// <summary>Reads the perplexity.json at <paramref name="pathOrDir"/> (a file, or a directory holding one).</summary>
    public static PerplexityRun ReadPerplexity(string pathOrDir)
    {
        var (path, root) = Load(pathOrDir, PerplexityFile, SpeciesFile, "species");
        if (root["contexts"] is not JsonArray contexts)
        {
            throw WrongKind(path, root, PerplexityFile, "species");
        }
        var points = new List<ContextPoint>();
        foreach (var (row, i) in contexts.Select((r, i) => (r, i)))
        {
            string where = $"contexts[{i}]";
            int context = Required<int>(path, row, "context", where);
            double? ppl = Optional(path, row, "perplexity", where), low = Optional(path, row, "ci95_low", where), high = Optional(path, row, "ci95_high", where);
            // evaluate writes null for a non-finite figure (no targets scored): nothing to draw there.
            if (ppl is { } p && low is { } l && high is { } h)
            {
                points.Add(new ContextPoint(context, p, l, h));
            }
        }
        int? tail = root["tail"] is JsonValue t ? Value<int>(path, t, "tail", null) : null;
        bool basesOnly = root["bases_only"] is JsonValue b && Value<bool>(path, b, "bases_only", null);
        return new PerplexityRun(path, Required<string>(path, root, "model", null), tail, basesOnly, points);
    }

    /// <summary>Reads the species.json at <paramref name="pathOrDir"/> (a file, or a directory holding one).</summary>
    public static SpeciesRun ReadSpecies(string pathOrDir)
    {
        var (path, root) = Load(pathOrDir, SpeciesFile, PerplexityFile, "perplexity");
        if (root["accuracy"] is null || root["length"] is null)
        {
            throw WrongKind(path, root, SpeciesFile, "perplexity");
        }
        var point = new ContextPoint(Required<int>(path, root, "length", null), Required<double>(path, root, "accuracy", null),
            Required<double>(path, root, "ci95_low", null), Required<double>(path, root, "ci95_high", null));
        int classes = root["classes"] is JsonArray names ? names.Count : 0;
        return new SpeciesRun(path, Required<string>(path, root, "model", null), point, Required<double>(path, root, "chance", null), classes);
    }

    static (string Path, JsonNode Root) Load(string pathOrDir, string fileName, string otherFile, string otherKind)
    {
        string path = pathOrDir;
        if (Directory.Exists(pathOrDir))
        {
            path = System.IO.Path.Combine(pathOrDir, fileName);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(File.Exists(System.IO.Path.Combine(pathOrDir, otherFile))
                    ? $"{pathOrDir}: holds {otherFile}, not {fileName}; draw it with `genomamba plot {otherKind}`"
                    : $"{pathOrDir}: no {fileName} in this directory; give a directory written by `genomamba evaluate` or its {fileName}");
            }
        }
        else if (!File.Exists(pathOrDir))
        {
            throw new FileNotFoundException($"{pathOrDir}: no such file or directory; give a directory written by `genomamba evaluate` or its {fileName}");
        }
        try
        {
            return (path, JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new DataFormatException(path, $"not a JSON object; expected the {fileName} written by `genomamba evaluate`"));
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, (e.LineNumber ?? 0) + 1, $"not valid JSON ({JsonProblem(e)})",
                $"expected the {fileName} written by `genomamba evaluate`");
        }
    }

    // The parser's message without its position suffixes: the line is already in the error's "path:line".
    static string JsonProblem(JsonException e) => e.Message.Split([" Path:", " LineNumber:"], StringSplitOptions.None)[0].TrimEnd('.', ' ');

    static DataFormatException WrongKind(string path, JsonNode root, string fileName, string otherKind)
    {
        bool other = otherKind == "species" ? root["accuracy"] is not null : root["contexts"] is not null;
        return other
            ? new DataFormatException(path, $"is a {otherKind} result, not a {fileName}", $"draw it with `genomamba plot {otherKind}`")
            : new DataFormatException(path, $"not a {fileName} written by `genomamba evaluate` (no \"{(fileName == PerplexityFile ? "contexts" : "accuracy")}\")");
    }

    static T Required<T>(string path, JsonNode? node, string field, string? where) =>
        node?[field] is JsonValue v ? Value<T>(path, v, field, where)
            : throw new DataFormatException(path, $"{Where(where, field)}: missing (not a result written by `genomamba evaluate`?)");

    static double? Optional(string path, JsonNode? node, string field, string? where) =>
        node?[field] is JsonValue v ? Value<double>(path, v, field, where) : null;

    static T Value<T>(string path, JsonValue value, string field, string? where) =>
        value.TryGetValue(out T? result) && result is not null ? result
            : throw new DataFormatException(path, $"{Where(where, field)}: {value.ToJsonString()} is not a {typeof(T).Name.ToLowerInvariant()}");

    static string Where(string? where, string field) => where is null ? $"\"{field}\"" : $"{where}.{field}";
}
