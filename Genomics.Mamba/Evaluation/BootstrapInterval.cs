using MathNet.Numerics.Random;
using MathNet.Numerics.Statistics;

namespace Genomics.Mamba.Evaluation;

/// <summary>
/// Percentile bootstrap over windows for perplexity. Windows, not tokens, are resampled: neighbouring tokens of one
/// window share their context and their region of the genome, so treating them as independent would make the interval
/// far too narrow. Each resample pools its windows' NLL and target counts (a ratio estimate, as the point estimate
/// does). Seeded: the same windows and seed give the same interval.
/// </summary>
public static class BootstrapInterval
{
    /// <summary>Perplexity of <paramref name="windows"/> with its percentile interval from <paramref name="resamples"/> resamples.</summary>
    public static ConfidenceInterval Perplexity(IReadOnlyList<WindowScore> windows, int resamples = 1000, int seed = 0, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        if (!(level > 0 && level < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "the level lies strictly between 0 and 1");
        }
        double estimate = WindowScore.Perplexity(windows);
        int n = windows.Count;
        if (n == 0 || double.IsNaN(estimate))
        {
            return new ConfidenceInterval(double.NaN, double.NaN, double.NaN, level);
        }
        var random = new Xoshiro256StarStar(seed, threadSafe: false);
        var values = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double nll = 0;
            long count = 0;
            for (int i = 0; i < n; i++)
            {
                var w = windows[random.Next(n)];
                nll += w.Nll;
                count += w.Count;
            }
            // A resample of windows that all lack scored targets carries no information; count it at the estimate.
            values[r] = count > 0 ? Math.Exp(nll / count) : estimate;
        }
        double tail = (1 - level) / 2;
        return new ConfidenceInterval(estimate, values.Quantile(tail), values.Quantile(1 - tail), level);
    }
}
