namespace Genomics.Data.Genome;

/// <summary>
/// One sequence as stored in a genome file. A record named like <c>samtools faidx</c> output
/// (<c>chr2:1-2333275</c>, 1-based inclusive) or UCSC output (<c>chr13:75549820-75605809</c>, 0-based
/// half-open) whose length matches the range stands for that region of
/// <see cref="Chrom"/>: coordinates on chr2 inside it are served from it. Otherwise Chrom == Name and
/// ChromStart == 0.
/// </summary>
public sealed record SequenceRecord(string Name, long Length)
{
    /// <summary>The chromosome this record lies on (the name itself for a whole-chromosome record).</summary>
    public string Chrom { get; init; } = Name;

    /// <summary>0-based start of this record on <see cref="Chrom"/>.</summary>
    public long ChromStart { get; init; }

    /// <summary>True when the record is a region of a chromosome rather than the whole of it.</summary>
    public bool IsRegion => !ReferenceEquals(Chrom, Name) && Chrom != Name;

    /// <summary>Parses a samtools-style region name; a record whose range length disagrees stays whole.</summary>
    public static SequenceRecord FromName(string name, long length)
    {
        int colon = name.LastIndexOf(':');
        if (colon > 0)
        {
            ReadOnlySpan<char> range = name.AsSpan(colon + 1);
            int dash = range.IndexOf('-');
            if (dash > 0
                && long.TryParse(range[..dash], System.Globalization.NumberStyles.None, null, out long first)
                && long.TryParse(range[(dash + 1)..], System.Globalization.NumberStyles.None, null, out long last)
                && first >= 0 && last >= first)
            {
                if (first >= 1 && last - first + 1 == length)
                {
                    return new SequenceRecord(name, length) { Chrom = name[..colon], ChromStart = first - 1 };
                }
                // UCSC tools (twoBitToFa seq:start-end, Biopython's BLAT examples) write 0-based half-open names.
                if (last - first == length)
                {
                    return new SequenceRecord(name, length) { Chrom = name[..colon], ChromStart = first };
                }
            }
        }
        return new SequenceRecord(name, length);
    }
}
