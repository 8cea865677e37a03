namespace Genomics.Mamba.Inference;

/// <summary>How <see cref="Sampler"/> draws the next base. Override with <c>with</c>; <see cref="Validate"/> names the bad field.</summary>
public sealed record SamplingOptions
{
    /// <summary>Softmax temperature: below 1 sharper, above 1 flatter; 0 is greedy (argmax).</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Draw only among the k most likely bases; null or 0 keeps them all. 1 is greedy.</summary>
    public int? TopK { get; init; }

    /// <summary>Seed of the draws: the same seed, model and prompt give the same sequence.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Whether N may be drawn. Off by default: the model also has logits for [PAD], [SEP] and other special tokens, which
    /// are never a base; sampling is restricted to A, C, G, T (and N when allowed) and renormalised over them.
    /// </summary>
    public bool AllowN { get; init; }

    public SamplingOptions Validate()
    {
        if (!(Temperature >= 0) || double.IsInfinity(Temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "the temperature is a finite number ≥ 0 (0 = greedy)");
        }
        if (TopK is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "top-k is ≥ 1, or 0 for no limit");
        }
        return this;
    }
}
