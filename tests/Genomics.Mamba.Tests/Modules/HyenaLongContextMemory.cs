using System.Diagnostics;
using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Runtime;
using Genomics.Mamba.Tests.Precision;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Modules;

/// <summary>
/// A measurement, not a check (GENOMAMBA_MEASURE=1): peak heap, peak RSS and time of one forward + backward of HyenaDNA
/// 1.4M at long lengths, batch 1, fp32 — staged recompute (<see cref="HyenaStagedCheckpoint"/>), and below 2^20 also
/// whole-block checkpointing for comparison. GENOMAMBA_MEASURE_LENGTHS lists the log2 lengths (default "17"; "20" needs
/// ≈ 7 GB free), GENOMAMBA_MEASURE_CASE keeps the cases whose name starts with it, GENOMAMBA_MEASURE_THREADS sets
/// torch's threads. Run with MALLOC_MMAP_THRESHOLD_=1048576 so that RSS follows the live heap.
/// </summary>
[Collection(ProcessMemoryCollection.Name)]
public class HyenaLongContextMemory(ITestOutputHelper output)
{
    void Log(string line)
    {
        output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("GENOMAMBA_MEASURE_LOG") is { Length: > 0 } path)
        {
            File.AppendAllText(path, line + Environment.NewLine);
        }
    }

    [MeasureFact]
    public void HyenaDNA_1_4M_forward_backward_at_long_lengths()
    {
        TorchRuntime.EnsureLoaded();
        if (int.TryParse(Environment.GetEnvironmentVariable("GENOMAMBA_MEASURE_THREADS"), out int threads))
        {
            set_num_threads(threads);
        }
        var lengths = (Environment.GetEnvironmentVariable("GENOMAMBA_MEASURE_LENGTHS") ?? "17").Split(',').Select(int.Parse);
        foreach (int log2 in lengths)
        {
            int length = 1 << log2;
            manual_seed(71);
            using var model = new HyenaLM(HyenaConfig.Preset("1.4M").ForContext(length));
            var ids = ModuleTestData.DnaTokens(1, length + 1, start: 100_000);
            var cases = log2 >= 20
                ? new (string Name, ActivationCheckpointing Checkpointing, SegmentPolicy Segmenting)[]
                {
                    ("staged 2^14 (auto)", ActivationCheckpointing.Auto, SegmentPolicy.Auto),
                }
                :
                [
                    ("staged 2^14 (auto)", ActivationCheckpointing.Always, SegmentPolicy.Every(1 << 14)),
                    ("whole blocks", ActivationCheckpointing.Always, SegmentPolicy.Off),
                ];
            string? only = Environment.GetEnvironmentVariable("GENOMAMBA_MEASURE_CASE");
            foreach (var (name, checkpointing, segmenting) in cases.Where(c => only is null || c.Name.StartsWith(only, StringComparison.Ordinal)))
            {
                model.Backbone.Checkpointing = checkpointing;
                model.Backbone.Segmenting = segmenting;
                model.zero_grad();
                double loss = 0;
                ProcessMemory.Settle();
                File.WriteAllText("/proc/self/clear_refs", "5");                    // VmHWM := VmRSS
                double rssBefore = ProcessMemory.StatusMegabytes("VmRSS");
                var clock = Stopwatch.StartNew();
                double peak = ProcessMemory.PeakDuring(() =>
                {
                    using var scope = NewDisposeScope();
                    var l = HyenaLM.Loss(model.forward(ids.narrow(1, 0, length)), ids.narrow(1, 1, length));
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
                Log($"L 2^{log2} {name,-20}: peak heap +{peak / 1024:F2} GB, peak RSS +{(rssPeak - rssBefore) / 1024:F2} GB " +
                    $"(process {rssPeak / 1024:F2} GB), {seconds:F0} s ({length / seconds:F0} tokens/s, {get_num_threads()} threads), " +
                    $"loss {loss:F4}, |grad|² {gradNorm:E3}");
            }
        }
    }
}
