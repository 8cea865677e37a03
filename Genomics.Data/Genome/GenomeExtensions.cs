namespace Genomics.Data.Genome;

/// <summary>Chromosome-coordinate access on top of <see cref="IGenome.FetchRecord"/>.</summary>
public static class GenomeExtensions
{
    /// <summary>
    /// Copies bases [start, start + destination.Length) of <paramref name="chrom"/> (0-based; aliases and
    /// region records resolved) into the caller's buffer. Throws <see cref="ArgumentOutOfRangeException"/>
    /// naming the limit when the genome does not hold the interval.
    /// </summary>
    public static void Fetch(this IGenome genome, string chrom, long start, Span<byte> destination, bool keepSoftMask = false)
    {
        long end = start + destination.Length;
        var loc = genome.Chromosomes.Locate(chrom, start, end);
        if (loc.Status != LocateStatus.Found)
        {
            throw new ArgumentOutOfRangeException(nameof(start), Describe(genome, chrom, start, end, loc));
        }
        genome.FetchRecord(loc.Record, loc.Offset, destination, keepSoftMask);
    }

    /// <summary>Fetches into a new array (convenience for small regions).</summary>
    public static byte[] Fetch(this IGenome genome, string chrom, long start, int length, bool keepSoftMask = false)
    {
        var buffer = new byte[length];
        genome.Fetch(chrom, start, buffer, keepSoftMask);
        return buffer;
    }

    /// <summary>One sentence saying why an interval could not be placed.</summary>
    public static string Describe(IGenome genome, string chrom, long start, long end, Location loc) => loc.Status switch
    {
        LocateStatus.UnknownChromosome =>
            $"{genome.Path}: no sequence named '{chrom}' (records: {string.Join(", ", genome.Records.Take(5).Select(r => r.Name))}{(genome.Records.Count > 5 ? ", …" : "")})",
        LocateStatus.OutsideCoverage =>
            $"{genome.Path}: holds only part of '{chrom}' ({string.Join(", ", genome.Records.Where(r => ChromosomeMap.AliasKey(r.Chrom) == ChromosomeMap.AliasKey(chrom)).Select(r => r.Name))}); {chrom}:{start}-{end} (0-based) is outside it",
        LocateStatus.OutOfBounds =>
            $"{genome.Path}: {chrom}:{start}-{end} (0-based) is outside the sequence '{genome.Records[loc.Record].Name}' of length {genome.Records[loc.Record].Length}",
        _ => "found",
    };
}
