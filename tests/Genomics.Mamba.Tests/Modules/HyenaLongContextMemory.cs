using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Tests.Precision;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Modules;

/// <summary>
/// A measurement, not a check (GENOMAMBA_MEASURE=1): peak heap, peak RSS and time of one forward + backward of HyenaDNA
/// 1.4M at long lengths, batch 1, fp32 — staged recompute (<see cref="HyenaStagedRecompute"/>), and below 2^20 also
/// whole-block checkpointing for comparison (settings: <see cref="LongContextMeasurement"/>; GENOMAMBA_MEASURE_LENGTHS=20
/// needs ≈ 7 GB free). Run with MALLOC_MMAP_THRESHOLD_=1048576 so that RSS follows the live heap.
/// </summary>
[Collection(ProcessMemoryCollection.Name)]
public class HyenaLongContextMemory(ITestOutputHelper output)
{
    [MeasureFact]
    public void HyenaDNA_1_4M_forward_backward_at_long_lengths()
    {
        var measure = new LongContextMeasurement(output);
        foreach (int log2 in LongContextMeasurement.Log2Lengths())
        {
            int length = 1 << log2;
            manual_seed(71);
            using var model = new HyenaLM(HyenaConfig.Preset("1.4M").ForContext(length));
            var ids = ModuleTestData.DnaTokens(1, length + 1, start: 100_000);
            LongContextMeasurement.Case[] cases = log2 >= 20
                ? [new("staged 2^14 (auto)", RecomputePolicy.Auto, SegmentPolicy.Auto)]
                :
                [
                    new("staged 2^14 (auto)", RecomputePolicy.Always, SegmentPolicy.Every(1 << 14)),
                    new("whole blocks", RecomputePolicy.Always, SegmentPolicy.Off),
                ];
            foreach (var c in LongContextMeasurement.Selected(cases))
            {
                model.Backbone.Recompute = c.Recompute;
                model.Backbone.Segmenting = c.Segmenting;
                measure.Step($"L 2^{log2} {c.Name}", model, ids, length, HyenaLM.Loss);
            }
        }
    }
}
