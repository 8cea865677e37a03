namespace Genomics.Data.Datasets;

/// <summary>
/// Where one sample comes from, enough to fetch it again by hand: the window of bases read from the
/// genome (<see cref="Start"/>, <see cref="Length"/> in chromosome coordinates, 0-based), whether it was
/// reverse-complemented, and which interval of the caller's list produced it.
/// Under Mamba semantics Length is L+1 (inputs are the first L tokens, targets the last L). Under
/// HyenaDNA semantics Length ≤ L; <see cref="PadBefore"/> and <see cref="PadAfter"/> count the [PAD]
/// tokens placed around the bases, and one [SEP] follows them.
/// </summary>
public readonly record struct SampleRef(
    string Chrom,
    long Start,
    int Length,
    bool ReverseComplement,
    int Interval,
    int PadBefore = 0,
    int PadAfter = 0)
{
    public long End => Start + Length;

    public override string ToString() =>
        $"{Chrom}:{Start}-{End}{(ReverseComplement ? " (rc)" : "")} from interval {Interval}";
}
