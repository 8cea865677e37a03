namespace Genomics.Data.Bed;

/// <summary>The split names of the Enformer/Basenji BED and the tiler, and a filter on them.</summary>
public static class BedSplit
{
    public const string Train = "train";
    public const string Valid = "valid";
    public const string Test = "test";

    /// <summary>Intervals whose split (4th column) equals <paramref name="split"/>, ordinal ignoring case, in order.</summary>
    public static IReadOnlyList<BedInterval> Filter(IEnumerable<BedInterval> intervals, string split)
    {
        ArgumentNullException.ThrowIfNull(intervals);
        ArgumentException.ThrowIfNullOrEmpty(split);
        return intervals.Where(i => string.Equals(i.Split, split, StringComparison.OrdinalIgnoreCase)).ToArray();
    }
}
