namespace Genomics.Mamba.Evaluation;

/// <summary>One window's contribution to perplexity: the summed NLL (nats) over its scored targets and how many there were.</summary>
public readonly record struct WindowScore(double Nll, long Count)
{
    /// <summary>Mean NLL per scored target (NaN when none was scored).</summary>
    public double MeanNll => Count > 0 ? Nll / Count : double.NaN;

    public static WindowScore operator +(WindowScore a, WindowScore b) => new(a.Nll + b.Nll, a.Count + b.Count);

    /// <summary>exp(Σ NLL / Σ count) over windows: perplexity pools targets, so long windows weigh by their targets.</summary>
    public static double Perplexity(IEnumerable<WindowScore> windows)
    {
        double nll = 0;
        long count = 0;
        foreach (var w in windows)
        {
            nll += w.Nll;
            count += w.Count;
        }
        return count > 0 ? Math.Exp(nll / count) : double.NaN;
    }
}
