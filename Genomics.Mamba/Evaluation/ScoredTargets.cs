using Genomics.Data.Tokenization;

namespace Genomics.Mamba.Evaluation;

/// <summary>
/// Which target positions of a window count towards perplexity: those whose target token is a base (A, C, G or T —
/// N, padding and special tokens say nothing about how well the model knows DNA), and with <see cref="Tail"/> only the
/// last K positions of the window. Scoring only the tail is the honest measure of what long context buys: every scored
/// position of a window of c tokens then has at least c − K tokens of context, instead of the average c / 2.
/// </summary>
public sealed record ScoredTargets
{
    /// <summary>Score only the last K positions of each window; null scores them all.</summary>
    public int? Tail { get; init; }

    /// <summary>
    /// Renormalise the model's distribution over A, C, G, T before taking the NLL. Off by default: the perplexity is
    /// then exp of the training loss (over the whole padded vocabulary, as upstream) restricted to base targets. A model
    /// that has learnt anything puts almost no mass on the other tokens, so the two agree after a little training; at
    /// random initialisation the full-vocabulary perplexity is ≈ 16 and the renormalised one ≈ 4.
    /// </summary>
    public bool BasesOnly { get; init; }

    /// <summary>Whether target token <paramref name="id"/> is scored (A, C, G or T).</summary>
    public static bool IsBase(int id) => id is >= DnaTokenizer.A and <= DnaTokenizer.T;

    /// <summary>The first scored position of a window of <paramref name="length"/> targets.</summary>
    public int FirstPosition(int length) => Tail is { } k ? Math.Max(0, length - k) : 0;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public ScoredTargets Validate()
    {
        if (Tail is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Tail), Tail, "the tail must hold at least 1 position");
        }
        return this;
    }
}
