using Genomics.Mamba.Evaluation;
using Xunit.Abstractions;

namespace Genomics.Mamba.Tests.Evaluation;

public class StatisticsTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData(81, 263)]
    [InlineData(0, 10)]
    [InlineData(10, 10)]
    [InlineData(37, 50)]
    public void Wilson_interval_matches_the_textbook_formula(long k, long n)
    {
        // Wilson (1927): (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n), z = Φ⁻¹(0.975).
        const double z = 1.959963984540054;
        double p = (double)k / n;
        double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
        double half = z * Math.Sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / (1 + z * z / n);
        var ci = WilsonInterval.Of(k, n);
        log.WriteLine($"{k}/{n}: {ci} by hand [{centre - half:G5}, {centre + half:G5}]");
        Assert.Equal(p, ci.Estimate, 1e-12);
        Assert.Equal(Math.Max(0, centre - half), ci.Low, 1e-9);
        Assert.Equal(Math.Min(1, centre + half), ci.High, 1e-9);
    }

    [Fact]
    public void Wilson_interval_of_none_in_ten_is_the_published_one()
    {
        // Brown, Cai & DasGupta (2001) and every table since: 0 of 10 → [0, 0.2775].
        var ci = WilsonInterval.Of(0, 10);
        Assert.Equal(0, ci.Low, 1e-12);
        Assert.Equal(0.2775, ci.High, 1e-4);
    }

    static WindowScore[] Scores(int n, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => new WindowScore(1000 * (1.2 + 0.3 * random.NextDouble()), 1000))];
    }

    [Fact]
    public void Bootstrap_interval_contains_the_estimate_and_is_reproducible()
    {
        var scores = Scores(40, 1);
        var a = BootstrapInterval.Perplexity(scores, 500, seed: 7);
        var b = BootstrapInterval.Perplexity(scores, 500, seed: 7);
        var c = BootstrapInterval.Perplexity(scores, 500, seed: 8);
        log.WriteLine($"seed 7 {a}, again {b}, seed 8 {c}");
        Assert.Equal(WindowScore.Perplexity(scores), a.Estimate, 1e-12);
        Assert.InRange(a.Estimate, a.Low, a.High);
        Assert.True(a.Low < a.High);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        // Resampling windows: the interval's half-width is about 1.96 standard errors of the per-window mean NLL, times ppl.
        double[] nll = [.. scores.Select(s => s.MeanNll)];
        double mean = nll.Average();
        double se = Math.Sqrt(nll.Sum(x => (x - mean) * (x - mean)) / (nll.Length - 1) / nll.Length);
        Assert.InRange((a.High - a.Low) / 2, 0.7 * 1.96 * se * a.Estimate, 1.3 * 1.96 * se * a.Estimate);
    }

    [Fact]
    public void Log_context_fit_recovers_a_line_in_ln_context()
    {
        var points = new[] { 1024, 4096, 16384, 65536 }.Select(c => ((double)c, 3.9 - 0.05 * Math.Log(c))).ToArray();
        var fit = LogContextFit.Of(points)!;
        Assert.Equal(3.9, fit.Intercept, 1e-9);
        Assert.Equal(-0.05, fit.Slope, 1e-9);
        Assert.Equal(-0.05 * Math.Log(2), fit.PerDoubling, 1e-9);
        Assert.Equal(1, fit.RSquared, 1e-9);
        Assert.Null(LogContextFit.Of([(1024.0, 3.9)]));
    }

    [Fact]
    public void Confusion_matrix_counts_accuracy_and_recall()
    {
        var m = new ConfusionMatrix(["human", "chimpanzee", "gorilla"]);
        (int, int)[] pairs = [(0, 0), (0, 1), (1, 1), (1, 1), (2, 0), (2, 2)];
        foreach (var (t, p) in pairs)
        {
            m.Add(t, p);
        }
        Assert.Equal(6, m.Total);
        Assert.Equal(4, m.Correct);
        Assert.Equal(WilsonInterval.Of(4, 6), m.Accuracy());
        Assert.Equal(0.5, m.Recall(0));
        Assert.Equal(1.0, m.Recall(1));
        Assert.Equal(2, m[1, 1]);
        Assert.Equal(2.0 / 6, m.MajorityBaseline, 1e-12);
    }
}
