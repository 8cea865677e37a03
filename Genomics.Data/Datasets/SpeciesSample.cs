namespace Genomics.Data.Datasets;

/// <summary>
/// Where one species sample came from: the window [Start, Start + Length) of record <see cref="Record"/> of
/// the genome of species <see cref="Label"/> (the concatenation when records are concatenated). When
/// <see cref="ReverseComplement"/> is set the tokens are the reverse complement of that window.
/// <see cref="NCount"/> is the number of N bases in it: at most MaxNFraction · Length unless every draw
/// exceeded the limit and the least-N one was kept.
/// </summary>
public readonly record struct SpeciesSample(int Label, int Record, long Start, int Length, bool ReverseComplement, int NCount)
{
    /// <summary>Strand as written in shards: "+" or "-".</summary>
    public string Strand => ReverseComplement ? "-" : "+";
}
