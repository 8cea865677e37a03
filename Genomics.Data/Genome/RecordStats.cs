namespace Genomics.Data.Genome;

/// <summary>
/// Base composition of one record. A C G T N count both cases; <see cref="N"/> is N alone and
/// <see cref="OtherIupac"/> the other ambiguity codes (served as N), so A+C+G+T+N+OtherIupac = Length.
/// <see cref="SoftMasked"/> counts lower-case bases of any letter.
/// </summary>
public sealed record RecordStats(string Name, long Length, long A, long C, long G, long T, long N, long OtherIupac, long SoftMasked)
{
    /// <summary>(G + C) / (A + C + G + T); NaN when the record has no A, C, G or T (undefined, not zero).</summary>
    public double GcFraction => A + C + G + T == 0 ? double.NaN : (double)(G + C) / (A + C + G + T);

    /// <summary>Share of the record that is N.</summary>
    public double NFraction => Length == 0 ? 0 : (double)N / Length;

    /// <summary>Share of the record in lower case (soft-masked repeats).</summary>
    public double SoftMaskedFraction => Length == 0 ? 0 : (double)SoftMasked / Length;
}
