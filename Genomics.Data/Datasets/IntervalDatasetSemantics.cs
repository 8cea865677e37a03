namespace Genomics.Data.Datasets;

/// <summary>How intervals become samples.</summary>
public enum IntervalDatasetSemantics
{
    /// <summary>
    /// Mamba paper (E.3.1): an interval of n ≥ L bases gives ⌊n/L⌋ non-overlapping samples; a shorter one
    /// gives two, one starting at its start and one ending at its end, clamped inside the chromosome.
    /// Every sample reads L+1 bases and has no special tokens.
    /// </summary>
    Mamba,

    /// <summary>
    /// HyenaDNA's hg38 loader (src/dataloaders/datasets/hg38_dataset.py, add_eos=True): one sample per
    /// interval — its first L bases, or the interval widened evenly on both sides to L bases — with [PAD]
    /// where the chromosome ends and [SEP] appended, so inputs are L tokens and targets end in [SEP].
    /// This is the revision that appends [SEP] after L bases (hyena-dna e152efa). The later one (bbf903d)
    /// lets the tokenizer truncate to L−1 bases + [SEP], giving L−1 inputs; we keep L so lengths stay
    /// powers of two and both semantics fill the same batch shape.
    /// </summary>
    HyenaDna,
}
