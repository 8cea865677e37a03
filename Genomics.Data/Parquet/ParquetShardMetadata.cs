using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Genomics.Data.Tokenization;

namespace Genomics.Data.Parquet;

/// <summary>
/// File-level key-value metadata of a token shard: enough to refuse shards made with another tokenizer or
/// length before a run trains on them. Every shard of a directory carries the same copy.
/// </summary>
public sealed record ParquetShardMetadata
{
    /// <summary>Bump when the columns or their meaning change; readers refuse other versions.</summary>
    public const int CurrentFormatVersion = 1;

    public const string TokenizerName = "genomamba-char";

    const string Prefix = "genomamba.";
    const string FormatKey = Prefix + "format_version", VersionKey = Prefix + "version", TokenizerKey = Prefix + "tokenizer",
        VocabularyKey = Prefix + "vocabulary", LowercaseKey = Prefix + "lowercase", LengthKey = Prefix + "sequence_length", LabelsKey = Prefix + "labels",
        NextTokenKey = Prefix + "next_token_targets";

    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>Version of the genomamba build that wrote the shard (informational; the format version governs).</summary>
    public string GenomambaVersion { get; init; } = CurrentGenomambaVersion;

    public string Tokenizer { get; init; } = TokenizerName;

    /// <summary>The token names by id, space-separated: "[CLS] [SEP] … A C G T N".</summary>
    public string Vocabulary { get; init; } = CurrentVocabulary;

    public LowercasePolicy Lowercase { get; init; } = LowercasePolicy.Uppercase;

    /// <summary>Sample length L: the model's input length, whatever <see cref="NextTokenTargets"/> says.</summary>
    public int SequenceLength { get; init; }

    /// <summary>
    /// Rows hold L+1 tokens (pretraining): inputs are the first L, targets the last L, as
    /// <see cref="ParquetSample.CopyInputsTo"/> and <see cref="ParquetSample.CopyTargetsTo"/> rebuild them.
    /// False: rows hold L tokens (species shards, whose target is the label). Storing L+1 rather than
    /// inputs and targets apart costs one token per row instead of doubling the shard.
    /// </summary>
    public bool NextTokenTargets { get; init; }

    /// <summary>Tokens stored in each row: L, or L+1 under <see cref="NextTokenTargets"/>.</summary>
    public int TokensPerRow => NextTokenTargets ? SequenceLength + 1 : SequenceLength;

    /// <summary>Species names by label; empty for unlabelled shards.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>The vocabulary of this build's <see cref="DnaTokenizer"/>.</summary>
    public static string CurrentVocabulary { get; } =
        string.Join(' ', Enumerable.Range(0, DnaTokenizer.VocabSize).Select(id => DnaTokenizer.Decode([id])));

    public static string CurrentGenomambaVersion { get; } =
        typeof(ParquetShardMetadata).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Metadata for shards of <paramref name="sequenceLength"/>-token rows made with <paramref name="tokenizer"/>.</summary>
    public static ParquetShardMetadata For(DnaTokenizer tokenizer, int sequenceLength, IReadOnlyList<string>? labels = null) => new()
    {
        Lowercase = tokenizer.Lowercase,
        SequenceLength = sequenceLength,
        Labels = labels ?? [],
    };

    public void Validate()
    {
        if (SequenceLength < 1)
        {
            throw new ArgumentException($"SequenceLength must be at least 1, got {SequenceLength}", nameof(SequenceLength));
        }
        if (Labels.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("Labels must not contain empty names", nameof(Labels));
        }
    }

    public IReadOnlyDictionary<string, string> ToKeyValues() => new Dictionary<string, string>
    {
        [FormatKey] = FormatVersion.ToString(CultureInfo.InvariantCulture),
        [VersionKey] = GenomambaVersion,
        [TokenizerKey] = Tokenizer,
        [VocabularyKey] = Vocabulary,
        [LowercaseKey] = Lowercase.ToString(),
        [LengthKey] = SequenceLength.ToString(CultureInfo.InvariantCulture),
        [LabelsKey] = JsonSerializer.Serialize(Labels),
        [NextTokenKey] = NextTokenTargets ? "true" : "false",
    };

    /// <summary>Reads the metadata of the shard at <paramref name="path"/>; a missing or unreadable key is a <see cref="DataFormatException"/>.</summary>
    public static ParquetShardMetadata FromKeyValues(string path, IReadOnlyDictionary<string, string> values)
    {
        string Get(string key) => values.TryGetValue(key, out string? v)
            ? v
            : throw new DataFormatException(path, $"no '{key}' in the file metadata", "not a genomamba token shard, or written by a build before shards carried metadata");
        string format = Get(FormatKey);
        if (!int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out int version))
        {
            throw new DataFormatException(path, $"format version '{format}' is not a number");
        }
        if (version != CurrentFormatVersion)
        {
            throw new DataFormatException(path, $"shard format version {version}, this build reads version {CurrentFormatVersion}",
                $"written by genomamba {values.GetValueOrDefault(VersionKey, "unknown")}; re-export the shards with this build");
        }
        string length = Get(LengthKey);
        string lowercase = Get(LowercaseKey);
        // Optional: shards written before the key existed are all L-token rows.
        string nextToken = values.GetValueOrDefault(NextTokenKey, "false");
        string[]? labels;
        try
        {
            labels = JsonSerializer.Deserialize<string[]>(Get(LabelsKey));
        }
        catch (JsonException ex)
        {
            throw new DataFormatException(path, $"labels are not a JSON list of names: {ex.Message}", inner: ex);
        }
        return new ParquetShardMetadata
        {
            FormatVersion = version,
            GenomambaVersion = Get(VersionKey),
            Tokenizer = Get(TokenizerKey),
            Vocabulary = Get(VocabularyKey),
            Lowercase = Enum.TryParse(lowercase, out LowercasePolicy policy) && Enum.IsDefined(policy)
                ? policy
                : throw new DataFormatException(path, $"unknown lowercase policy '{lowercase}'"),
            SequenceLength = int.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out int l) && l > 0
                ? l
                : throw new DataFormatException(path, $"sequence length '{length}' is not a positive number"),
            Labels = labels ?? [],
            NextTokenTargets = nextToken switch
            {
                "true" => true,
                "false" => false,
                _ => throw new DataFormatException(path, $"'{NextTokenKey}' is '{nextToken}', not true or false"),
            },
        };
    }

    /// <summary>
    /// The first way two shard descriptions disagree, ignoring the writer version, or null when they agree.
    /// Labels are compared in order: a label id means the same species only under the same list.
    /// </summary>
    public string? Difference(ParquetShardMetadata other) =>
        Tokenizer != other.Tokenizer ? $"tokenizer '{Tokenizer}' vs '{other.Tokenizer}'"
        : Vocabulary != other.Vocabulary ? $"vocabulary '{Vocabulary}' vs '{other.Vocabulary}'"
        : Lowercase != other.Lowercase ? $"lowercase policy {Lowercase} vs {other.Lowercase}"
        : SequenceLength != other.SequenceLength ? $"sequence length {SequenceLength} vs {other.SequenceLength}"
        : NextTokenTargets != other.NextTokenTargets ? $"next-token targets {NextTokenTargets} vs {other.NextTokenTargets}"
        : !Labels.SequenceEqual(other.Labels) ? $"labels [{string.Join(", ", Labels)}] vs [{string.Join(", ", other.Labels)}]"
        : null;
}
