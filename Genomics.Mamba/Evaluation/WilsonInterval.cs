using MathNet.Numerics.Distributions;

namespace Genomics.Mamba.Evaluation;

/// <summary>
/// The Wilson score interval for a binomial proportion (Wilson 1927): unlike the normal approximation p̂ ± z·√(p̂(1−p̂)/n)
/// it stays inside [0, 1] and keeps its coverage at small n and at accuracies near 0 or 1 — both common when a
/// classifier is evaluated on a few hundred windows.
/// </summary>
public static class WilsonInterval
{
    /// <summary><paramref name="successes"/> of <paramref name="trials"/>: the proportion and its <paramref name="level"/> interval.</summary>
    public static ConfidenceInterval Of(long successes, long trials, double level = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials);
        if (!(level > 0 && level < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "the level lies strictly between 0 and 1");
        }
        double n = trials, p = successes / n;
        double z = Normal.InvCDF(0, 1, 1 - (1 - level) / 2);
        double z2 = z * z;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = z / (1 + z2 / n) * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return new ConfidenceInterval(p, Math.Max(0, centre - half), Math.Min(1, centre + half), level);
    }
}
