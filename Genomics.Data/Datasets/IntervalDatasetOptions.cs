using Genomics.Data.Tokenization;

namespace Genomics.Data.Datasets;

/// <summary>Configuration of an <see cref="IntervalDataset"/>. Override with <c>with</c>; check with <see cref="Validate"/>.</summary>
public sealed record IntervalDatasetOptions
{
    /// <summary>The split every dataset is trained on; the only one that gets augmentation by default.</summary>
    public const string TrainSplit = "train";

    /// <summary>Sample length L (tokens per input row). 1024 is the design's default <c>--len</c>.</summary>
    public int Length { get; init; } = 1024;

    /// <summary>Which intervals to use (ordinal match on the interval's split); null takes them all.</summary>
    public string? Split { get; init; } = TrainSplit;

    public IntervalDatasetSemantics Semantics { get; init; } = IntervalDatasetSemantics.Mamba;

    /// <summary>
    /// Chance that a sample is reverse-complemented in a given epoch. Null means the usual rule: 0.5 on the
    /// train split (DNA has no preferred strand), 0 elsewhere so evaluation sees the reference strand.
    /// </summary>
    public double? ReverseComplementProbability { get; init; }

    /// <summary>Fixes the shuffle order, the augmentation draws and the validation subset.</summary>
    public long Seed { get; init; }

    /// <summary>Soft-masked bases are real bases (upper-cased) unless HyenaDNA's [UNK] mapping is asked for.</summary>
    public LowercasePolicy Lowercase { get; init; } = LowercasePolicy.Uppercase;

    /// <summary>HyenaDNA semantics only: where [PAD] goes when a chromosome end cuts a sample short.</summary>
    public IntervalDatasetPadding Padding { get; init; } = IntervalDatasetPadding.Left;

    /// <summary>HyenaDNA semantics only (its <c>replace_N_token</c>): N becomes [PAD] so a loss can ignore it.</summary>
    public bool ReplaceNWithPad { get; init; }

    /// <summary>The augmentation probability after applying the default rule.</summary>
    public double EffectiveReverseComplementProbability =>
        ReverseComplementProbability ?? (string.Equals(Split, TrainSplit, StringComparison.Ordinal) ? 0.5 : 0.0);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad field.</summary>
    public void Validate()
    {
        // L+1 tokens must fit one array.
        if (Length < 1 || Length >= Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(Length), Length, $"{nameof(Length)} must be between 1 and {Array.MaxLength - 1}");
        }
        if (ReverseComplementProbability is { } p && !(p >= 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ReverseComplementProbability), p, $"{nameof(ReverseComplementProbability)} must lie in [0, 1]");
        }
        if (!Enum.IsDefined(Semantics))
        {
            throw new ArgumentOutOfRangeException(nameof(Semantics), Semantics, $"unknown {nameof(Semantics)}");
        }
        if (!Enum.IsDefined(Padding))
        {
            throw new ArgumentOutOfRangeException(nameof(Padding), Padding, $"unknown {nameof(Padding)}");
        }
        if (!Enum.IsDefined(Lowercase))
        {
            throw new ArgumentOutOfRangeException(nameof(Lowercase), Lowercase, $"unknown {nameof(Lowercase)}");
        }
        if (Semantics == IntervalDatasetSemantics.Mamba && ReplaceNWithPad)
        {
            throw new ArgumentException($"{nameof(ReplaceNWithPad)} is a HyenaDNA compatibility option; Mamba semantics use no special tokens", nameof(ReplaceNWithPad));
        }
    }
}
