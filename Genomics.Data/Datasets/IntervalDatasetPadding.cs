namespace Genomics.Data.Datasets;

/// <summary>Where HyenaDNA semantics put the [PAD] tokens of a sample cut short by a chromosome end.</summary>
public enum IntervalDatasetPadding
{
    /// <summary>All padding before the bases: HyenaDNA's default (its character tokenizer pads on the left).</summary>
    Left,

    /// <summary>
    /// On the side where the chromosome ended (HyenaDNA's <c>pad_interval=True</c>). HyenaDNA writes '.'
    /// there, which its tokenizer turns into [UNK]; we write [PAD], which is what the padding means.
    /// </summary>
    WhereMissing,
}
