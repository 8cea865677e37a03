using Genomics.Data;
using Genomics.Mamba.Checkpoints;
using Parquet;
using Parquet.Serialization;

namespace Genomics.Mamba.Inference;

/// <summary>
/// Writes and reads embeddings Parquet files (<see cref="EmbeddingRow"/>): Zstd-compressed, with key-value metadata
/// saying which model and pooling made them. Written whole or not at all (<see cref="AtomicFile"/>).
/// </summary>
public static class EmbeddingFile
{
    /// <summary>Writes <paramref name="rows"/> to <paramref name="path"/> atomically with <paramref name="metadata"/> as file key-values.</summary>
    public static void Write(string path, IReadOnlyList<EmbeddingRow> rows, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(metadata);
        using var buffer = new MemoryStream();
        var options = new ParquetOptions { CompressionMethod = CompressionMethod.Zstd };
        // Built in memory, then copied out atomically: embeddings are d floats per window, small next to the genome.
        ParquetSerializer.SerializeAsync(rows, buffer, options, metadata.ToDictionary(p => p.Key, p => p.Value)).GetAwaiter().GetResult();
        AtomicFile.Write(path, stream =>
        {
            buffer.Position = 0;
            buffer.CopyTo(stream);
        });
    }

    /// <summary>Reads every row back (for tests and small files).</summary>
    public static async Task<IList<EmbeddingRow>> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = File.OpenRead(path);
        var result = await ParquetSerializer.DeserializeAsync<EmbeddingRow>(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        return result.Data;
    }
}
