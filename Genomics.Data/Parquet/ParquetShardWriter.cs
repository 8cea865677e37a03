using Genomics.Data.Tokenization;
using Parquet;
using Parquet.Serialization;

namespace Genomics.Data.Parquet;

/// <summary>
/// Writes token samples into shard-00000.parquet, shard-00001.parquet, … of <see cref="SamplesPerShard"/>
/// rows each. A shard appears only whole: it is written to a temporary name, flushed to disk, then renamed,
/// so a crash never leaves a truncated shard-*.parquet behind. Call <see cref="CompleteAsync"/> to write the
/// last, partial shard; disposing without it drops that partial shard, so a failed export is not mistaken
/// for a finished one.
/// </summary>
public sealed class ParquetShardWriter : IAsyncDisposable
{
    // Rows per row group: about 64 Mi tokens, so a reader holds one group of a 2^20-token shard, not all of it.
    const int TokensPerRowGroup = 1 << 26;

    readonly List<ParquetSample> _pending = [];
    readonly List<string> _written = [];
    readonly IReadOnlyDictionary<string, string> _keyValues;
    bool _completed;

    /// <param name="directory">Created when missing; must not already hold shards (runs would mix).</param>
    public ParquetShardWriter(string directory, ParquetShardMetadata metadata, int samplesPerShard = 1024)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(metadata);
        metadata.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerShard, 1);
        Directory.CreateDirectory(directory);
        var existing = ParquetShardFiles.List(directory);
        if (existing.Count > 0)
        {
            throw new IOException($"{directory}: already holds shards ({Path.GetFileName(existing[0].Path)}, …); export into an empty directory");
        }
        DirectoryPath = directory;
        Metadata = metadata;
        SamplesPerShard = samplesPerShard;
        _keyValues = metadata.ToKeyValues();
    }

    public string DirectoryPath { get; }

    public ParquetShardMetadata Metadata { get; }

    public int SamplesPerShard { get; }

    /// <summary>Shards renamed into place so far.</summary>
    public IReadOnlyList<string> ShardPaths => _written;

    /// <summary>Rows per Parquet row group; null picks about 64 Mi tokens per group. Tests set it to get several groups from small shards.</summary>
    internal int? RowGroupRows { get; init; }

    /// <summary>Samples accepted so far (written or pending).</summary>
    public long SamplesWritten { get; private set; }

    /// <summary>Adds one sample; writes a shard when <see cref="SamplesPerShard"/> are pending. The writer keeps the sample object.</summary>
    public async ValueTask WriteAsync(ParquetSample sample, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (_completed)
        {
            throw new InvalidOperationException($"{DirectoryPath}: the shard writer is complete or disposed; it takes no more samples");
        }
        Check(sample);
        _pending.Add(sample);
        SamplesWritten++;
        if (_pending.Count == SamplesPerShard)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the last partial shard; afterwards the writer accepts nothing more.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (_completed)
        {
            return;
        }
        if (_pending.Count > 0)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        _completed = true;
    }

    /// <summary>Drops samples not yet written unless <see cref="CompleteAsync"/> ran.</summary>
    public ValueTask DisposeAsync()
    {
        _pending.Clear();
        _completed = true;
        return ValueTask.CompletedTask;
    }

    void Check(ParquetSample sample)
    {
        string where = $"sample {SamplesWritten} ({sample.Chrom}:{sample.Start})";
        if (sample.Tokens.Length != Metadata.TokensPerRow || sample.Length != Metadata.SequenceLength)
        {
            throw new ArgumentException(
                $"{where} has {sample.Tokens.Length} tokens and length {sample.Length}; the shards hold {Metadata.TokensPerRow} tokens of length {Metadata.SequenceLength}", nameof(sample));
        }
        if (sample.Tokens.AsSpan().IndexOfAnyInRange((byte)DnaTokenizer.VocabSize, byte.MaxValue) is int bad and >= 0)
        {
            throw new ArgumentException($"{where}: token {bad} is id {sample.Tokens[bad]}, outside the vocabulary of {DnaTokenizer.VocabSize}", nameof(sample));
        }
        if (sample.Strand is not ("+" or "-"))
        {
            throw new ArgumentException($"{where}: strand must be \"+\" or \"-\", got \"{sample.Strand}\"", nameof(sample));
        }
        if (sample.Label is { } label && (label < 0 || label >= Metadata.Labels.Count || Metadata.Labels[label] != sample.Species))
        {
            throw new ArgumentException($"{where}: label {label} does not name species '{sample.Species}' in [{string.Join(", ", Metadata.Labels)}]", nameof(sample));
        }
    }

    async Task FlushAsync(CancellationToken cancellationToken)
    {
        string final = Path.Combine(DirectoryPath, ParquetShardFiles.Name(_written.Count));
        // A dot-name the reader never lists, unique so two writers cannot clobber each other's half-written file.
        string temporary = Path.Combine(DirectoryPath, $".{Path.GetFileName(final)}.{Guid.NewGuid():N}.tmp");
        var options = new ParquetOptions
        {
            CompressionMethod = CompressionMethod.Zstd,
            // Parquet.Net defaults to SmallestSize (zstd's top levels): several times slower for a few % on DNA.
            CompressionLevel = System.IO.Compression.CompressionLevel.Optimal,
            RowGroupSize = RowGroupRows ?? Math.Clamp(TokensPerRowGroup / Metadata.SequenceLength, 1, SamplesPerShard),
        };
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
            {
                await ParquetSerializer.SerializeAsync(_pending, stream, options, _keyValues, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, final, overwrite: false);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        _written.Add(final);
        _pending.Clear();
    }
}
