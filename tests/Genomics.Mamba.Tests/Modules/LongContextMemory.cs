using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Tests.Precision;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Modules;

/// <summary>
/// A measurement, not a check (GENOMAMBA_MEASURE=1): peak heap and time of one forward + backward of Mamba 1.4M at long
/// lengths, whole-block checkpointing against segmented recompute (settings: <see cref="LongContextMeasurement"/>;
/// GENOMAMBA_MEASURE_LENGTHS=17,20 adds the 2^20 run, which needs ≈ 10 GB free).
/// </summary>
[Collection(ProcessMemoryCollection.Name)]
public class LongContextMemory(ITestOutputHelper output)
{
    [MeasureFact]
    public void Mamba_1_4M_forward_backward_at_long_lengths()
    {
        var measure = new LongContextMeasurement(output);
        var lengths = LongContextMeasurement.Log2Lengths();
        manual_seed(51);
        using var model = new MambaLM(MambaConfig.Preset("1.4M"));
        foreach (int log2 in lengths)
        {
            int length = 1 << log2;
            var ids = ModuleTestData.DnaTokens(1, length + 1, start: 100_000);
            LongContextMeasurement.Case[] cases = log2 >= 20
                ? [new("segments 2^14 (auto)", RecomputePolicy.Auto, SegmentPolicy.Auto)]
                :
                [
                    new("whole blocks", RecomputePolicy.Always, SegmentPolicy.Off),
                    new("segments 2^14 (auto)", RecomputePolicy.Always, SegmentPolicy.Every(1 << 14)),
                    new("segments 2^12", RecomputePolicy.Always, SegmentPolicy.Every(1 << 12)),
                ];
            foreach (var c in LongContextMeasurement.Selected(cases))
            {
                model.Backbone.Recompute = c.Recompute;
                model.Backbone.Segmenting = c.Segmenting;
                measure.Step($"L 2^{log2} {c.Name}", model, ids, length, MambaLM.Loss);
            }
        }
    }
}
