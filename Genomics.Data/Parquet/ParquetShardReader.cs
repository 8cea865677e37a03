using System.Runtime.CompilerServices;
using Genomics.Data.Tokenization;
using Parquet;
using Parquet.Serialization;

namespace Genomics.Data.Parquet;

/// <summary>
/// Reads the samples of a directory of token shards, in shard order, one row group at a time, so training
/// can run from shards without the genome. Opening checks every shard's footer: numbering without gaps,
/// this build's format version and vocabulary, the same metadata in all shards, and the caller's expected
/// length and lowercase policy. Anything unreadable is a <see cref="DataFormatException"/> naming the file.
/// </summary>
public sealed class ParquetShardReader
{
    readonly IReadOnlyList<(string Path, int RowGroups, long Rows)> _shards;

    ParquetShardReader(string directory, ParquetShardMetadata metadata, IReadOnlyList<(string, int, long)> shards)
    {
        DirectoryPath = directory;
        Metadata = metadata;
        _shards = shards;
    }

    public string DirectoryPath { get; }

    /// <summary>The metadata all shards share (the first shard's writer version).</summary>
    public ParquetShardMetadata Metadata { get; }

    public IReadOnlyList<string> ShardPaths => _shards.Select(s => s.Path).ToList();

    /// <summary>Samples in all shards, from the footers.</summary>
    public long Count => _shards.Sum(s => s.Rows);

    /// <param name="sequenceLength">When given, shards of any other length are refused.</param>
    /// <param name="lowercase">When given, shards tokenized under another lower-case policy are refused.</param>
    public static async Task<ParquetShardReader> OpenAsync(string directory, int? sequenceLength = null, LowercasePolicy? lowercase = null,
        CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"{directory}: shard directory not found");
        }
        var files = ParquetShardFiles.List(directory);
        if (files.Count == 0)
        {
            throw new DataFormatException(directory, "no shard-NNNNN.parquet files");
        }
        for (int i = 0; i < files.Count; i++)
        {
            if (files[i].Index != i)
            {
                throw new DataFormatException(directory, $"{ParquetShardFiles.Name(i)} is missing ({files.Count} shards found, up to {Path.GetFileName(files[^1].Path)})",
                    "the shards were copied only in part");
            }
        }
        ParquetShardMetadata? first = null;
        var shards = new List<(string, int, long)>();
        foreach (var (_, path) in files)
        {
            var (metadata, rowGroups, rows) = await Guard(path, () => ReadFooterAsync(path, cancellationToken)).ConfigureAwait(false);
            if (metadata.Vocabulary != ParquetShardMetadata.CurrentVocabulary || metadata.Tokenizer != ParquetShardMetadata.TokenizerName)
            {
                throw new DataFormatException(path, $"tokenizer {metadata.Tokenizer} with vocabulary '{metadata.Vocabulary}' is not this build's {ParquetShardMetadata.TokenizerName} '{ParquetShardMetadata.CurrentVocabulary}'",
                    "re-export the shards with this build");
            }
            if (sequenceLength is { } l && metadata.SequenceLength != l)
            {
                throw new DataFormatException(path, $"rows hold {metadata.SequenceLength} tokens, {l} were asked for", "export shards at the training length");
            }
            if (lowercase is { } policy && metadata.Lowercase != policy)
            {
                throw new DataFormatException(path, $"tokenized with lowercase policy {metadata.Lowercase}, {policy} was asked for");
            }
            if (first is not null && first.Difference(metadata) is { } difference)
            {
                throw new DataFormatException(path, $"metadata differs from {Path.GetFileName(files[0].Path)}: {difference}", "shards of one directory must come from one export");
            }
            first ??= metadata;
            shards.Add((path, rowGroups, rows));
        }
        return new ParquetShardReader(directory, first!, shards);
    }

    /// <summary>All samples, shard by shard, row group by row group; each row is checked against the metadata.</summary>
    public async IAsyncEnumerable<ParquetSample> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var (path, rowGroups, _) in _shards)
        {
            long row = 0;
            for (int group = 0; group < rowGroups; group++)
            {
                var samples = await Guard(path, async () =>
                {
                    await using var stream = File.OpenRead(path);
                    var result = await ParquetSerializer.DeserializeAsync<ParquetSample>(stream, new ParquetOptions(), group, cancellationToken).ConfigureAwait(false);
                    return result.Data;
                }).ConfigureAwait(false);
                foreach (var sample in samples)
                {
                    Check(path, row++, sample);
                    yield return sample;
                }
            }
        }
    }

    static async Task<(ParquetShardMetadata, int, long)> ReadFooterAsync(string path, CancellationToken cancellationToken)
    {
        await using var reader = await ParquetReader.CreateAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        var metadata = ParquetShardMetadata.FromKeyValues(path, reader.CustomMetadata);
        long rows = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            rows += group.RowCount;
        }
        return (metadata, reader.RowGroupCount, rows);
    }

    void Check(string path, long row, ParquetSample sample)
    {
        string? problem =
            sample.Tokens is null || sample.Tokens.Length != Metadata.TokensPerRow ? $"holds {sample.Tokens?.Length ?? 0} tokens, the shard metadata says {Metadata.TokensPerRow}"
            : sample.Length != Metadata.SequenceLength ? $"length column says {sample.Length}, the shard metadata says {Metadata.SequenceLength}"
            : sample.Tokens.AsSpan().IndexOfAnyInRange((byte)DnaTokenizer.VocabSize, byte.MaxValue) is int bad and >= 0 ? $"token {bad} is id {sample.Tokens[bad]}, outside the vocabulary"
            : sample.Label is { } label && (label < 0 || label >= Metadata.Labels.Count) ? $"label {label} is not one of the {Metadata.Labels.Count} labels"
            : null;
        if (problem is not null)
        {
            throw new DataFormatException(path, $"row {row}: {problem}", "the shard is damaged; re-export it");
        }
    }

    // Parquet.Net reports damage with assorted exception types; turn each into one line naming the shard.
    static async Task<T> Guard<T>(string path, Func<Task<T>> read)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or DataFormatException))
        {
            throw new DataFormatException(path, $"not a readable Parquet shard: {ex.Message}",
                "shards are renamed into place only when whole, so this one was damaged or cut short after writing; re-export it", ex);
        }
    }
}
