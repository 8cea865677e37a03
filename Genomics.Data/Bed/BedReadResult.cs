namespace Genomics.Data.Bed;

/// <summary>Rows kept by <see cref="BedReader.Read"/>, and what <see cref="BedReadOptions.SkipMissing"/> dropped.</summary>
public sealed record BedReadResult(
    string Path,
    IReadOnlyList<BedInterval> Intervals,
    int Skipped,
    IReadOnlyDictionary<string, int> SkippedByChromosome)
{
    /// <summary>
    /// Rows whose 4th column equals <paramref name="split"/> (ordinal, ignoring case). Every row must have a
    /// 4th column: a file without splits is an error here rather than an empty split.
    /// </summary>
    public IReadOnlyList<BedInterval> InSplit(string split)
    {
        ArgumentException.ThrowIfNullOrEmpty(split);
        if (Intervals.FirstOrDefault(i => i.Split is null) is { } bare)
        {
            throw new DataFormatException(Path, bare.Line, $"no split column: asked for split '{split}' but the row has only 3 columns",
                "use a BED with a 4th column train/valid/test, e.g. from 'genomamba data tile'");
        }
        return BedSplit.Filter(Intervals, split);
    }

    /// <summary>Row count per value of the 4th column (rows without one are counted under "").</summary>
    public IReadOnlyDictionary<string, int> CountBySplit() =>
        Intervals.GroupBy(i => i.Split ?? "", StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
}
