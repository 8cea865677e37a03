using Genomics.Data.Genome;
using Genomics.Data.Tokenization;

namespace Genomics.Data.Datasets;

/// <summary>
/// Species classification data (Mamba paper E.3.4, HyenaDNA): each sample is a window of
/// <see cref="SequenceLength"/> bases drawn with species uniform, chromosome uniform, start uniform,
/// labelled with its species. Defaults follow the paper where it speaks.
/// </summary>
public sealed record SpeciesDatasetOptions
{
    /// <summary>
    /// Tokens per sample (L). The sample is exactly L bases → L tokens, no special tokens: the causal model
    /// classifies from the last position, so nothing is gained by an extra base or [SEP]. This is the target
    /// length checked up front; <see cref="SpeciesDataset.Read"/> also serves shorter warmup lengths.
    /// </summary>
    public int SequenceLength { get; init; } = 1024;

    /// <summary>Join each species' records into one sequence (the ape chr22 blocks); needs <see cref="SpeciesSplitMode.HeldOutRegions"/>.</summary>
    public bool ConcatenateRecords { get; init; }

    /// <summary>Name of the concatenated sequence (shows in sample metadata, e.g. "chr22").</summary>
    public string ConcatenatedName { get; init; } = "concatenated";

    public SpeciesSplitMode SplitMode { get; init; } = SpeciesSplitMode.HeldOutChromosomes;

    /// <summary>HyenaDNA's validation chromosomes; matched by alias (chr1 ↔ 1).</summary>
    public IReadOnlyList<string> ValidChromosomes { get; init; } = ["1", "3", "12", "13"];

    /// <summary>HyenaDNA's test chromosomes; matched by alias.</summary>
    public IReadOnlyList<string> TestChromosomes { get; init; } = ["5", "7", "9", "10", "11"];

    /// <summary>
    /// Train chromosomes; null means every record not held out. Set it for assemblies with many unplaced
    /// contigs: chromosome-uniform sampling would otherwise spend most draws on them.
    /// </summary>
    public IReadOnlyList<string>? TrainChromosomes { get; init; }

    /// <summary>Fraction of each chromosome held out for validation (region mode); 0.1 leaves 1.5 Mb of ape chr22, room for 2^20 windows.</summary>
    public double ValidFraction { get; init; } = 0.1;

    /// <summary>Fraction of each chromosome held out for test (region mode).</summary>
    public double TestFraction { get; init; } = 0.1;

    /// <summary>
    /// Region mode with concatenated records: move region boundaries onto record junctions, at the same
    /// record index in every species when they have equally many records, so a held-out region is the same
    /// loci (block=K) in every species and no locus is train in one species and held out in another.
    /// </summary>
    public bool AlignRegionsToRecords { get; init; } = true;

    /// <summary>Seed of every draw: train samples, the fixed valid/test sets and reverse-complement choices.</summary>
    public ulong Seed { get; init; }

    /// <summary>Train samples per epoch: the paper's 1,024 steps × batch 64.</summary>
    public long TrainSamplesPerEpoch { get; init; } = 1024 * 64;

    /// <summary>Size of the fixed validation set (16 batches of 64; at 2^20 that is already 2^30 tokens per evaluation).</summary>
    public long ValidSamples { get; init; } = 1024;

    /// <summary>Size of the fixed test set.</summary>
    public long TestSamples { get; init; } = 1024;

    /// <summary>
    /// A window with a larger fraction of N is redrawn (chromosome and start; the species stays, so labels
    /// stay uniform). Assembly gaps carry no species signal. 1 disables the check.
    /// </summary>
    public double MaxNFraction { get; init; } = 0.5;

    /// <summary>Draws per sample before giving up on the N limit; then the draw with the fewest N is kept, so a read never fails.</summary>
    public int MaxDraws { get; init; } = 8;

    /// <summary>Reverse-complement half of the train samples (HyenaDNA's rc_aug; off there by default too). Valid/test stay forward.</summary>
    public bool ReverseComplementTrain { get; init; }

    /// <summary>Soft-masked bases are real bases by default; <see cref="LowercasePolicy.Unknown"/> is HyenaDNA's hg38 compatibility.</summary>
    public LowercasePolicy Lowercase { get; init; } = LowercasePolicy.Uppercase;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad field.</summary>
    public void Validate()
    {
        if (SequenceLength < 1)
        {
            throw new ArgumentException($"SequenceLength must be at least 1, got {SequenceLength}", nameof(SequenceLength));
        }
        if (string.IsNullOrWhiteSpace(ConcatenatedName))
        {
            throw new ArgumentException("ConcatenatedName must not be empty", nameof(ConcatenatedName));
        }
        if (ConcatenateRecords && SplitMode == SpeciesSplitMode.HeldOutChromosomes)
        {
            throw new ArgumentException(
                "ConcatenateRecords leaves one sequence per species, so held-out chromosomes would leave valid/test empty; use SplitMode = HeldOutRegions",
                nameof(SplitMode));
        }
        if (ValidChromosomes is null || ValidChromosomes.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("ValidChromosomes must be a list of non-empty names", nameof(ValidChromosomes));
        }
        if (TestChromosomes is null || TestChromosomes.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("TestChromosomes must be a list of non-empty names", nameof(TestChromosomes));
        }
        if (TrainChromosomes is not null && TrainChromosomes.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("TrainChromosomes must not contain empty names", nameof(TrainChromosomes));
        }
        string? both = ValidChromosomes.Select(ChromosomeMap.AliasKey)
            .Intersect(TestChromosomes.Select(ChromosomeMap.AliasKey), StringComparer.OrdinalIgnoreCase).FirstOrDefault();
        if (both is not null)
        {
            throw new ArgumentException($"chromosome '{both}' is in both ValidChromosomes and TestChromosomes", nameof(TestChromosomes));
        }
        if (!(ValidFraction >= 0 && ValidFraction < 1))
        {
            throw new ArgumentException($"ValidFraction must be in [0, 1), got {ValidFraction}", nameof(ValidFraction));
        }
        if (!(TestFraction >= 0 && TestFraction < 1))
        {
            throw new ArgumentException($"TestFraction must be in [0, 1), got {TestFraction}", nameof(TestFraction));
        }
        if (ValidFraction + TestFraction >= 1)
        {
            throw new ArgumentException($"ValidFraction + TestFraction must leave room for train, got {ValidFraction} + {TestFraction}", nameof(TestFraction));
        }
        if (TrainSamplesPerEpoch < 1)
        {
            throw new ArgumentException($"TrainSamplesPerEpoch must be at least 1, got {TrainSamplesPerEpoch}", nameof(TrainSamplesPerEpoch));
        }
        if (ValidSamples < 0)
        {
            throw new ArgumentException($"ValidSamples must not be negative, got {ValidSamples}", nameof(ValidSamples));
        }
        if (TestSamples < 0)
        {
            throw new ArgumentException($"TestSamples must not be negative, got {TestSamples}", nameof(TestSamples));
        }
        if (!(MaxNFraction >= 0 && MaxNFraction <= 1))
        {
            throw new ArgumentException($"MaxNFraction must be in [0, 1], got {MaxNFraction}", nameof(MaxNFraction));
        }
        if (MaxDraws < 1)
        {
            throw new ArgumentException($"MaxDraws must be at least 1, got {MaxDraws}", nameof(MaxDraws));
        }
        if (!Enum.IsDefined(SplitMode))
        {
            throw new ArgumentException($"SplitMode {SplitMode} is not a known mode", nameof(SplitMode));
        }
        if (!Enum.IsDefined(Lowercase))
        {
            throw new ArgumentException($"Lowercase {Lowercase} is not a known policy", nameof(Lowercase));
        }
    }
}
