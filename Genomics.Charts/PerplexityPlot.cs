using Genomics.Data;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Evaluation;
using ScottPlot;

namespace Genomics.Charts;

/// <summary>
/// Perplexity against context length as a PNG: one point per length with its 95% bootstrap interval, the context axis
/// in powers of two (log scale, as the Mamba and HyenaDNA papers draw it), and the least-squares line in ln(context).
/// </summary>
public static class PerplexityPlot
{
    /// <summary>Renders <paramref name="report"/> and writes the PNG atomically to <paramref name="path"/>.</summary>
    public static void Write(string path, PerplexityReport report, string title, int width = 900, int height = 560)
    {
        byte[] png = Render(report, title, width, height);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    /// <summary>The PNG bytes.</summary>
    public static byte[] Render(PerplexityReport report, string title, int width = 900, int height = 560)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = report.Contexts.Where(r => double.IsFinite(r.Perplexity.Estimate)).ToArray();
        var plot = new Plot();
        double[] xs = [.. rows.Select(r => Math.Log2(r.Context))];
        double[] ys = [.. rows.Select(r => r.Perplexity.Estimate)];
        if (rows.Length > 0)
        {
            var bars = plot.Add.ErrorBar(xs, ys, [.. rows.Select(r => r.Perplexity.High - r.Perplexity.Estimate)]);
            bars.YErrorNegative = [.. rows.Select(r => r.Perplexity.Estimate - r.Perplexity.Low)];
            var points = plot.Add.Scatter(xs, ys);
            points.LineWidth = 0;
            points.MarkerSize = 9;
            bars.Color = points.Color;
            points.LegendText = rows[0].Tail is { } k ? $"perplexity, last {k} positions (95% CI)" : "perplexity (95% CI)";
        }
        if (report.Fit is { } fit && rows.Length >= 2)
        {
            // Straight in log2(c): ppl = a + b·ln c = a + (b·ln 2)·log2 c.
            double x0 = xs.Min(), x1 = xs.Max();
            var line = plot.Add.Line(x0, fit.Intercept + fit.PerDoubling * x0, x1, fit.Intercept + fit.PerDoubling * x1);
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = $"fit: {fit.PerDoubling:+0.0000;-0.0000} per doubling" + (double.IsNaN(fit.RSquared) ? "" : $" (R² {fit.RSquared:F3})");
        }
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (var r in rows)
        {
            ticks.AddMajor(Math.Log2(r.Context), Label(r.Context));
        }
        plot.Axes.Bottom.TickGenerator = ticks;
        if (rows.Length > 0)
        {
            // Half a doubling of room either side, so the end points and their bars are not on the frame.
            plot.Axes.SetLimitsX(xs.Min() - 0.5, xs.Max() + 0.5);
        }
        plot.XLabel("context (tokens)");
        plot.YLabel("perplexity");
        plot.Title(title);
        plot.ShowLegend(Edge.Bottom);   // outside the data area: never over a point or its interval
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    static string Label(int context) => context >= 1 << 20 && context % (1 << 20) == 0 ? $"{context >> 20}M"
        : context >= 1 << 10 && context % (1 << 10) == 0 ? $"{context >> 10}k" : context.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
