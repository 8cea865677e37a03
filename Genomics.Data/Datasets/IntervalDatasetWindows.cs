namespace Genomics.Data.Datasets;

/// <summary>
/// The geometry of both interval semantics as pure functions of coordinates, kept apart from I/O so the
/// rules can be read (and tested) in one place. "Held" is the stretch of the chromosome the genome holds:
/// the whole chromosome, or the region a partial genome (e.g. <c>chr2:1-2333275</c>) covers. Clamping
/// and padding treat the held edges as chromosome ends, since nothing beyond them can be read.
/// </summary>
internal static class IntervalDatasetWindows
{
    /// <summary>Mamba: ⌊n/L⌋ samples for an interval of n ≥ L bases (the tail beyond is unused), else 2.</summary>
    public static int MambaSampleCount(long intervalLength, int length) =>
        intervalLength >= length ? checked((int)(intervalLength / length)) : 2;

    /// <summary>
    /// Mamba: start of the L+1-base window of sample <paramref name="j"/> of an interval.
    /// The extra base is the target of the last input position, so it lies just past the sample's L bases:
    /// for the last sample of an interval that is one base past the interval end, read from the genome
    /// when it holds that base. Where it does not (the interval touches the chromosome end), the window
    /// shifts back by one, overlapping the previous sample by one base: shifting keeps every target a real
    /// base, which padding would not. The same clamp places the two samples of a short interval — one
    /// starting at its start, one whose window ends at its end — inside [heldStart, heldEnd).
    /// </summary>
    public static long MambaWindowStart(long start, long end, int length, int j, long heldStart, long heldEnd)
    {
        long window = length + 1L;
        long s = end - start >= length
            ? start + (long)j * length
            : j == 0 ? start : end - window;
        return Math.Max(heldStart, Math.Min(s, heldEnd - window));
    }

    /// <summary>
    /// HyenaDNA (FastaInterval.__call__): an interval shorter than L is widened by ⌊(L−n)/2⌋ on the left and
    /// the rest on the right; a longer one is cut to its first L bases. The part of the widened window past
    /// a chromosome end is not read and becomes padding.
    /// </summary>
    public static (long Start, int Length, int MissingBefore, int MissingAfter) HyenaWindow(
        long start, long end, int length, long heldStart, long heldEnd)
    {
        long n = end - start;
        long s = start, e = end;
        if (n < length)
        {
            long extra = length - n;
            s -= extra / 2;
            e += extra - extra / 2;
        }
        long before = Math.Max(0, heldStart - s);
        long after = Math.Max(0, e - heldEnd);
        s = Math.Max(s, heldStart);
        e = Math.Min(e, heldEnd);
        if (n > length)
        {
            e = s + length;
        }
        return (s, checked((int)(e - s)), (int)before, (int)after);
    }
}
