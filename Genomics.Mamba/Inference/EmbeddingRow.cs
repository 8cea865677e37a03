namespace Genomics.Mamba.Inference;

/// <summary>
/// One row of an embeddings Parquet file: the window [Start, End) of <see cref="Chrom"/> (0-based, half-open, as BED),
/// the BED name or split when the windows came from a BED (else null), and the embedding as a list column of floats
/// (pandas reads it as an array per row).
/// </summary>
public sealed class EmbeddingRow
{
    public string Chrom { get; set; } = "";

    public long Start { get; set; }

    public long End { get; set; }

    public string? Name { get; set; }

    public float[] Embedding { get; set; } = [];
}
