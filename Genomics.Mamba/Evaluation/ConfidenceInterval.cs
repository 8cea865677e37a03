namespace Genomics.Mamba.Evaluation;

/// <summary>A point estimate with a two-sided confidence interval (95% unless the producer says otherwise).</summary>
public readonly record struct ConfidenceInterval(double Estimate, double Low, double High, double Level = 0.95)
{
    public override string ToString() => $"{Estimate:G5} [{Low:G5}, {High:G5}]";
}
