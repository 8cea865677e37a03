using MathNet.Numerics;

namespace Genomics.Mamba.Evaluation;

/// <summary>
/// Least-squares line perplexity = <see cref="Intercept"/> + <see cref="Slope"/> · ln(context): how much each
/// doubling of the context buys (<see cref="PerDoubling"/>, negative when longer context helps). The Mamba and HyenaDNA
/// papers plot perplexity against context on a log axis; this is the number behind such a plot.
/// </summary>
/// <param name="RSquared">Coefficient of determination; NaN with only two points.</param>
public sealed record LogContextFit(double Intercept, double Slope, double RSquared, int Points)
{
    /// <summary>Change in perplexity per doubling of the context: Slope · ln 2.</summary>
    public double PerDoubling => Slope * Math.Log(2);

    /// <summary>The fitted perplexity at <paramref name="context"/>.</summary>
    public double At(double context) => Intercept + Slope * Math.Log(context);

    /// <summary>Fits (context, perplexity) pairs; null with fewer than two distinct contexts.</summary>
    public static LogContextFit? Of(IReadOnlyList<(double Context, double Perplexity)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var usable = points.Where(p => p.Context > 0 && double.IsFinite(p.Perplexity)).ToArray();
        if (usable.Select(p => p.Context).Distinct().Count() < 2)
        {
            return null;
        }
        double[] x = [.. usable.Select(p => Math.Log(p.Context))];
        double[] y = [.. usable.Select(p => p.Perplexity)];
        var (a, b) = Fit.Line(x, y);
        // Two points always lie on a line: R² says nothing then.
        double r2 = usable.Length > 2 ? GoodnessOfFit.RSquared(x.Select(v => a + b * v), y) : double.NaN;
        return new LogContextFit(a, b, r2, usable.Length);
    }
}
