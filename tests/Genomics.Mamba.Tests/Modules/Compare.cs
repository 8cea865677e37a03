using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Modules;

/// <summary>mamba_ssm's habit: log the largest difference first, then assert |a − e| ≤ atol + rtol·|e| elementwise.</summary>
public static class Compare
{
    /// <summary>
    /// Logs and returns max |a − e|; fails when any element is outside the tolerance. With <paramref name="scaled"/>
    /// the atol is taken relative to max |e|, so a tensor whose values are all ~1e-7 (dt_proj's gradient at init) is
    /// held to its own scale instead of passing any answer below an absolute 1e-5.
    /// </summary>
    public static double Close(ITestOutputHelper log, string name, Tensor actual, Tensor expected, double rtol, double atol,
        bool scaled = false)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var scope = NewDisposeScope();
        var a = actual.detach().to(float64);
        var e = expected.detach().to(float64);
        var diff = (a - e).abs();
        double maxAbs = diff.max().item<double>();
        double scale = e.abs().max().item<double>();
        atol = scaled ? atol * scale : atol;
        double excess = (diff - (atol + rtol * e.abs())).max().item<double>();
        string line = $"{name,-48} max|diff| {maxAbs:E2}  max|expected| {scale:E2}";
        log.WriteLine(line);
        Assert.False(double.IsNaN(maxAbs), $"{name}: NaN");
        Assert.True(excess <= 0, $"{name}: outside rtol {rtol:G2} / atol {atol:G2}: {line}");
        return maxAbs;
    }
}
