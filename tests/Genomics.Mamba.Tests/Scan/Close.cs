using static TorchSharp.torch;
using Xunit.Abstractions;

namespace Genomics.Mamba.Tests.Scan;

/// <summary>mamba_ssm's comparison habit: log the largest difference first, then assert |a − e| ≤ atol + rtol·|e|.</summary>
public static class Close
{
    public const double Rtol32 = 6e-4, Atol32 = 2e-3;

    /// <summary>Compares every named tensor of two results; returns the largest absolute difference seen.</summary>
    public static double Results(ITestOutputHelper log, string label, ScanResult actual, ScanResult expected,
        double rtol = Rtol32, double atol = Atol32)
    {
        Assert.Equal(expected.Values.Keys.Order(), actual.Values.Keys.Order());
        double worst = 0;
        var failures = new List<string>();
        foreach (var name in expected.Values.Keys.Order())
        {
            var (maxAbs, excess, line) = Measure(name, actual.Values[name], expected.Values[name], rtol, atol);
            log.WriteLine($"{label} {line}");
            worst = Math.Max(worst, maxAbs);
            if (excess > 0)
            {
                failures.Add(line);
            }
        }
        Assert.True(failures.Count == 0, $"{label}: outside rtol {rtol:G2} / atol {atol:G2}:\n" + string.Join("\n", failures));
        return worst;
    }

    /// <summary>One tensor pair: logs, then asserts.</summary>
    public static void Tensors(ITestOutputHelper log, string name, Tensor actual, Tensor expected, double rtol = Rtol32, double atol = Atol32)
    {
        var (_, excess, line) = Measure(name, actual, expected, rtol, atol);
        log.WriteLine(line);
        Assert.True(excess <= 0, $"outside rtol {rtol:G2} / atol {atol:G2}: {line}");
    }

    /// <summary>Bit-for-bit equality of two float tensors (same shape, same bits).</summary>
    public static void Identical(string name, Tensor a, Tensor b)
    {
        Assert.Equal(a.shape, b.shape);
        var x = a.contiguous().to(float32).data<float>().ToArray();
        var y = b.contiguous().to(float32).data<float>().ToArray();
        for (int i = 0; i < x.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(x[i]) != BitConverter.SingleToInt32Bits(y[i]))
            {
                Assert.Fail($"{name}: element {i} differs: {x[i]:R} vs {y[i]:R}");
            }
        }
    }

    static (double MaxAbs, double Excess, string Line) Measure(string name, Tensor actual, Tensor expected, double rtol, double atol)
    {
        Assert.Equal(expected.shape, actual.shape);
        var a = actual.to(float64);
        var e = expected.to(float64);
        var diff = (a - e).abs();
        double maxAbs = diff.max().item<double>();
        double scale = e.abs().max().item<double>();
        double excess = (diff - (atol + rtol * e.abs())).max().item<double>();
        if (double.IsNaN(maxAbs))
        {
            excess = double.PositiveInfinity;
        }
        return (maxAbs, excess, $"{name,-11} max|diff| {maxAbs:E2}  (max|expected| {scale:E2}, rel {maxAbs / Math.Max(scale, 1e-300):E2})");
    }
}
