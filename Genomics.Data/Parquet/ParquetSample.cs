using System.Text.Json.Serialization;

namespace Genomics.Data.Parquet;

/// <summary>
/// One row of a token shard: where the window came from and its token ids. A mutable class with a
/// parameterless constructor because that is what Parquet.Net's serializer fills.
/// Tokens are one byte per id (the vocabulary has 12 ids): a single BYTE_ARRAY value per row, which
/// Zstd then squeezes to ~2 bits a base. A repeated int32 column would cost 4 bytes plus repetition levels
/// per token before compression and is slow to assemble; 2-bit packing could not hold N or special ids.
/// </summary>
public sealed class ParquetSample
{
    /// <summary>File name of the genome the bases were read from (no folders: shards move between machines).</summary>
    [JsonPropertyName("source")]
    public string Source { get; set; } = "";

    /// <summary>Species name, or null for unlabelled (pretraining) rows.</summary>
    [JsonPropertyName("species")]
    public string? Species { get; set; }

    /// <summary>Class id of <see cref="Species"/> (index in the shard metadata's label list), or null.</summary>
    [JsonPropertyName("label")]
    public int? Label { get; set; }

    [JsonPropertyName("chrom")]
    public string Chrom { get; set; } = "";

    /// <summary>0-based start of the window on <see cref="Chrom"/>.</summary>
    [JsonPropertyName("start")]
    public long Start { get; set; }

    /// <summary>"+" or "-" (tokens reverse-complemented).</summary>
    [JsonPropertyName("strand")]
    public string Strand { get; set; } = "+";

    /// <summary>Tokens in the row (L).</summary>
    [JsonPropertyName("length")]
    public int Length { get; set; }

    /// <summary>Token ids, one byte each.</summary>
    [JsonPropertyName("tokens")]
    public byte[] Tokens { get; set; } = [];

    /// <summary>Widens the ids into a batch row.</summary>
    public void CopyTokensTo(Span<int> destination)
    {
        if (destination.Length != Tokens.Length)
        {
            throw new ArgumentException($"destination holds {destination.Length} tokens, the sample has {Tokens.Length}", nameof(destination));
        }
        for (int i = 0; i < Tokens.Length; i++)
        {
            destination[i] = Tokens[i];
        }
    }
}
