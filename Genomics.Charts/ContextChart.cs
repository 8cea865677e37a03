using System.Globalization;
using Genomics.Data;
using Genomics.Mamba.Checkpoints;
using ScottPlot;

namespace Genomics.Charts;

/// <summary>
/// Several runs on one chart against context length, as the notebooks compare them: the context axis in powers of two
/// (log scale), each series a connected line of points with its 95% interval as error bars, optional dashed
/// horizontal reference lines (chance), the legend below the data area.
/// </summary>
public static class ContextChart
{
    /// <summary>What the chart says besides its series.</summary>
    public sealed record Labels(string Title, string YLabel);

    /// <summary>A dashed horizontal line with its legend text, such as the chance level of a classifier.</summary>
    public sealed record Reference(double Value, string Label);

    /// <summary>Renders the chart and writes the PNG atomically to <paramref name="path"/>.</summary>
    public static void Write(string path, IReadOnlyList<ContextSeries> series, Labels labels, IReadOnlyList<Reference>? references = null,
        (double Low, double High)? yRange = null, int width = 900, int height = 600)
    {
        byte[] png = Render(series, labels, references, yRange, width, height);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    /// <summary>The PNG bytes.</summary>
    public static byte[] Render(IReadOnlyList<ContextSeries> series, Labels labels, IReadOnlyList<Reference>? references = null,
        (double Low, double High)? yRange = null, int width = 900, int height = 600)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(labels);
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var groups = series.Select((s, i) => s.Group ?? $"\0{i}").Distinct().ToList();
        foreach (var (s, i) in series.Select((s, i) => (s, i)).Where(x => x.s.Points.Count > 0))
        {
            var color = palette.GetColor(groups.IndexOf(s.Group ?? $"\0{i}"));
            var points = s.Points.OrderBy(p => p.Context).ToArray();
            double[] xs = [.. points.Select(p => Math.Log2(p.Context))];
            double[] ys = [.. points.Select(p => p.Value)];
            var bars = plot.Add.ErrorBar(xs, ys, [.. points.Select(p => p.High - p.Value)]);
            bars.YErrorNegative = [.. points.Select(p => p.Value - p.Low)];
            var line = plot.Add.Scatter(xs, ys, color);
            line.MarkerSize = 8;
            line.LinePattern = s.Dashed ? LinePattern.Dashed : LinePattern.Solid;
            bars.Color = color;
            line.LegendText = s.Label;
        }
        foreach (var r in references ?? [])
        {
            var line = plot.Add.HorizontalLine(r.Value);
            line.LinePattern = LinePattern.Dashed;
            line.Color = Colors.Gray;
            line.LegendText = r.Label;
        }
        int[] contexts = [.. series.SelectMany(s => s.Points).Select(p => p.Context).Distinct().Order()];
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (int c in contexts)
        {
            ticks.AddMajor(Math.Log2(c), ContextLabel(c));
        }
        plot.Axes.Bottom.TickGenerator = ticks;
        if (contexts.Length > 0)
        {
            // Half a doubling of room either side, so the end points and their bars are not on the frame.
            plot.Axes.SetLimitsX(Math.Log2(contexts[0]) - 0.5, Math.Log2(contexts[^1]) + 0.5);
        }
        if (yRange is var (low, high))
        {
            plot.Axes.SetLimitsY(low, high);
        }
        plot.XLabel("context (tokens)");
        plot.YLabel(labels.YLabel);
        plot.Title(labels.Title);
        plot.ShowLegend(Edge.Bottom);   // outside the data area: never over a point or its interval
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>A context length as the papers write it: 1k, 32k, 1M.</summary>
    public static string ContextLabel(int context) => context >= 1 << 20 && context % (1 << 20) == 0 ? $"{context >> 20}M"
        : context >= 1 << 10 && context % (1 << 10) == 0 ? $"{context >> 10}k" : context.ToString(CultureInfo.InvariantCulture);
}
