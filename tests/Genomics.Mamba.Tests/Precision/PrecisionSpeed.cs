using System.Diagnostics;
using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Precision;
using Genomics.Mamba.Runtime;
using Genomics.Mamba.Tests.Modules;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Genomics.Mamba.Tests.Precision;

/// <summary>A measurement, not a check: runs only with GENOMAMBA_MEASURE=1 (it takes minutes and wants a quiet machine).</summary>
public sealed class MeasureFactAttribute : FactAttribute
{
    public MeasureFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("GENOMAMBA_MEASURE") != "1")
        {
            Skip = "a measurement: set GENOMAMBA_MEASURE=1 to run it";
        }
    }
}

/// <summary>fp32 vs bf16 training-step speed of Mamba 1.4M at L = 4096 on this CPU, and where the difference comes from.</summary>
public class PrecisionSpeed(ITestOutputHelper output)
{
    /// <summary>To the test log and, when GENOMAMBA_MEASURE_LOG names a file, to it at once (xUnit shows output only at the end).</summary>
    void Log(string line)
    {
        output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("GENOMAMBA_MEASURE_LOG") is { Length: > 0 } path)
        {
            File.AppendAllText(path, line + Environment.NewLine);
        }
    }

    static double BestSeconds(int repeats, Action action)
    {
        action();   // warm-up: allocator, oneDNN kernel selection
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }

    [MeasureFact]
    public void Mamba_1_4M_training_step_fp32_vs_bf16_at_4096()
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(41);
        // One thread unless told otherwise: on a shared 2-core machine two OpenMP teams spinning against another
        // process's make libtorch's parallel kernels 10–30× slower at random, which would swamp the comparison.
        set_num_threads(int.TryParse(Environment.GetEnvironmentVariable("GENOMAMBA_MEASURE_THREADS"), out int threads) ? threads : 1);
        Log($"threads {get_num_threads()}");
        // The kernels themselves: in_proj (4096 × 128 → 512) and the depthwise conv at d_inner 256.
        using (NewDisposeScope())
        {
            var a = randn(4096, 128);
            var w = randn(512, 128);
            var c = randn(1, 256, 4096);
            var k = randn(256, 1, 4);
            foreach (var type in new[] { float32, bfloat16 })
            {
                var at = a.to(type);
                var wt = w.to(type);
                var ct = c.to(type);
                var kt = k.to(type);
                double mm = BestSeconds(20, () => { using var _ = NewDisposeScope(); F.linear(at, wt); });
                double conv = BestSeconds(20, () => { using var _ = NewDisposeScope(); F.conv1d(ct, kt, padding: 3, groups: 256); });
                double gflops = 2.0 * 4096 * 128 * 512 / mm / 1e9;
                Log($"{type,-9} in_proj matmul {mm * 1e3:F3} ms ({gflops:F0} GFLOP/s), depthwise conv {conv * 1e3:F3} ms");
            }
        }

        using var model = new MambaLM(MambaConfig.Preset("1.4M"));
        model.Backbone.Recompute = RecomputePolicy.Never;
        foreach (int batch in new[] { 1, 4 })
        {
            var ids = ModuleTestData.DnaTokens(batch, 4097, start: 1_000_000);
            var x = ids.narrow(1, 0, 4096);
            var y = ids.narrow(1, 1, 4096);
            foreach (var precision in new[] { ComputePrecision.Float32, ComputePrecision.BFloat16 })
            {
                model.Precision = precision;
                double step = BestSeconds(3, () =>
                {
                    using var scope = NewDisposeScope();
                    model.zero_grad();
                    MambaLM.Loss(model.forward(x), y).backward();
                });
                double forward = BestSeconds(3, () =>
                {
                    using var scope = NewDisposeScope();
                    using var noGrad = no_grad();
                    model.forward(x);
                });
                Log($"batch {batch,2} {precision,-9}: forward+backward {step * 1e3,7:F0} ms ({batch * 4096 / step,8:F0} tokens/s), " +
                              $"forward {forward * 1e3,6:F0} ms");
            }
        }

        // The price of casting the fp32 masters on every forward (what bf16 copies refreshed per step would save).
        var parameters = model.parameters().ToArray();
        double cast = BestSeconds(5, () =>
        {
            using var scope = NewDisposeScope();
            foreach (var p in parameters)
            {
                p.to(bfloat16);
            }
        });
        Log($"casting all {parameters.Sum(p => p.numel()):N0} parameters to bf16: {cast * 1e3:F2} ms");

    }
}
