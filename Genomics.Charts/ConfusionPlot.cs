using Genomics.Data;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Evaluation;
using ScottPlot;

namespace Genomics.Charts;

/// <summary>
/// A species classifier's confusion matrix as a PNG: true species down (the first on top), predicted across, each cell
/// holding its count and shaded by its fraction of the row, so the diagonal reads as per-species recall.
/// </summary>
public static class ConfusionPlot
{
    static readonly Color Shade = new(31, 119, 180);

    /// <summary>Renders <paramref name="matrix"/> and writes the PNG atomically to <paramref name="path"/>.</summary>
    public static void Write(string path, ConfusionMatrix matrix, string title, int width = 560, int height = 500)
    {
        byte[] png = Render(matrix, title, width, height);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    /// <summary>The PNG bytes.</summary>
    public static byte[] Render(ConfusionMatrix matrix, string title, int width = 560, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int n = matrix.Classes.Count;
        var plot = new Plot();
        for (int i = 0; i < n; i++)
        {
            long rowTotal = Math.Max(1, Enumerable.Range(0, n).Sum(j => matrix[i, j]));
            double y = n - 1 - i;
            for (int j = 0; j < n; j++)
            {
                double fraction = (double)matrix[i, j] / rowTotal;
                var cell = plot.Add.Rectangle(j - 0.5, j + 0.5, y - 0.5, y + 0.5);
                // A faint floor so empty cells still show the grid.
                cell.FillColor = Shade.WithAlpha(0.06 + 0.94 * fraction);
                cell.LineColor = Colors.White;
                var text = plot.Add.Text(matrix[i, j].ToString(System.Globalization.CultureInfo.InvariantCulture), j, y);
                text.LabelFontSize = 16;
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontColor = fraction > 0.55 ? Colors.White : Colors.Black;
            }
        }
        var across = new ScottPlot.TickGenerators.NumericManual();
        var down = new ScottPlot.TickGenerators.NumericManual();
        for (int k = 0; k < n; k++)
        {
            across.AddMajor(k, matrix.Classes[k]);
            down.AddMajor(n - 1 - k, matrix.Classes[k]);
        }
        plot.Axes.Bottom.TickGenerator = across;
        plot.Axes.Left.TickGenerator = down;
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.XLabel("predicted");
        plot.YLabel("true");
        plot.Title(title);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
