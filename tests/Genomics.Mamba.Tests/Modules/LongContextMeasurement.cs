using System.Diagnostics;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Runtime;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Modules;

/// <summary>
/// What the gated long-context measurements (<see cref="LongContextMemory"/>, <see cref="HyenaLongContextMemory"/>)
/// share: their environment settings and one measured forward + backward. GENOMAMBA_MEASURE_LENGTHS lists the log2
/// lengths (default "17"), GENOMAMBA_MEASURE_CASE keeps the cases whose name starts with it, GENOMAMBA_MEASURE_THREADS
/// sets torch's threads, GENOMAMBA_MEASURE_LOG appends every line to a file.
/// </summary>
internal sealed class LongContextMeasurement(ITestOutputHelper output)
{
    /// <summary>A configuration of the backbone to measure.</summary>
    public sealed record Case(string Name, RecomputePolicy Recompute, SegmentPolicy Segmenting);

    public static IEnumerable<int> Log2Lengths()
    {
        TorchRuntime.EnsureLoaded();
        if (int.TryParse(Environment.GetEnvironmentVariable("GENOMAMBA_MEASURE_THREADS"), out int threads))
        {
            set_num_threads(threads);
        }
        return (Environment.GetEnvironmentVariable("GENOMAMBA_MEASURE_LENGTHS") ?? "17").Split(',').Select(int.Parse);
    }

    public static IEnumerable<Case> Selected(IEnumerable<Case> cases)
    {
        string? only = Environment.GetEnvironmentVariable("GENOMAMBA_MEASURE_CASE");
        return cases.Where(c => only is null || c.Name.StartsWith(only, StringComparison.Ordinal));
    }

    /// <summary>One forward + next-token loss + backward of <paramref name="model"/> on the first length + 1 tokens of
    /// <paramref name="ids"/>, from a settled heap: logs peak heap, peak RSS, time, loss and the squared gradient norm.</summary>
    public void Step(string label, nn.Module<Tensor, Tensor> model, Tensor ids, int length, Func<Tensor, Tensor, Tensor> lossOf)
    {
        model.zero_grad();
        double loss = 0;
        ProcessMemory.Settle();
        File.WriteAllText("/proc/self/clear_refs", "5");                    // VmHWM := VmRSS
        double rssBefore = ProcessMemory.StatusMegabytes("VmRSS");
        var clock = Stopwatch.StartNew();
        double peak = ProcessMemory.PeakDuring(() =>
        {
            using var scope = NewDisposeScope();
            var l = lossOf(model.forward(ids.narrow(1, 0, length)), ids.narrow(1, 1, length));
            l.backward();
            loss = l.item<float>();
        });
        double seconds = clock.Elapsed.TotalSeconds;
        double rssPeak = ProcessMemory.StatusMegabytes("VmHWM");
        double gradNorm;
        using (NewDisposeScope())
        {
            gradNorm = model.parameters().Sum(p => p.grad is { } g ? g.square().sum().item<float>() : 0);
        }
        Log($"{label,-30}: peak heap +{peak / 1024:F2} GB, peak RSS +{(rssPeak - rssBefore) / 1024:F2} GB " +
            $"(process {rssPeak / 1024:F2} GB), {seconds:F0} s ({length / seconds:F0} tokens/s, {get_num_threads()} threads), " +
            $"loss {loss:F4}, |grad|² {gradNorm:E3}");
    }

    void Log(string line)
    {
        output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("GENOMAMBA_MEASURE_LOG") is { Length: > 0 } path)
        {
            File.AppendAllText(path, line + Environment.NewLine);
        }
    }
}
