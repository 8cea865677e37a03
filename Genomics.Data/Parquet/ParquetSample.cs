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

    /// <summary>
    /// Sample length L. <see cref="Tokens"/> holds L ids, or L+1 in next-token shards
    /// (<see cref="ParquetShardMetadata.NextTokenTargets"/>): then inputs are the first L, targets the last L.
    /// </summary>
    [JsonPropertyName("length")]
    public int Length { get; set; }

    /// <summary>Token ids, one byte each.</summary>
    [JsonPropertyName("tokens")]
    public byte[] Tokens { get; set; } = [];

    /// <summary>Widens all stored ids (L, or L+1 in next-token shards) into a row.</summary>
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

    /// <summary>Widens the model inputs, the first <see cref="Length"/> ids, into a batch row.</summary>
    public void CopyInputsTo(Span<int> destination) => Widen(Tokens.AsSpan(0, CheckLength(destination)), destination);

    /// <summary>
    /// Widens the next-token targets, ids 1..L, into a batch row. Only next-token rows (L+1 ids) have them;
    /// a species row's target is its <see cref="Label"/>.
    /// </summary>
    public void CopyTargetsTo(Span<int> destination)
    {
        CheckLength(destination);
        if (Tokens.Length != Length + 1)
        {
            throw new InvalidOperationException($"{Chrom}:{Start}: the row holds {Tokens.Length} tokens for length {Length}; only rows of L+1 tokens carry next-token targets");
        }
        Widen(Tokens.AsSpan(1, Length), destination);
    }

    int CheckLength(Span<int> destination)
    {
        if (destination.Length != Length || Tokens.Length < Length)
        {
            throw new ArgumentException($"destination holds {destination.Length} tokens, the sample length is {Length} ({Tokens.Length} stored)", nameof(destination));
        }
        return Length;
    }

    static void Widen(ReadOnlySpan<byte> ids, Span<int> destination)
    {
        for (int i = 0; i < ids.Length; i++)
        {
            destination[i] = ids[i];
        }
    }
}
