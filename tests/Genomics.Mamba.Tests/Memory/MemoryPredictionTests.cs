using Genomics.Mamba.Config;
using Genomics.Mamba.Memory;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Runtime;
using TorchSharp;
using Xunit.Abstractions;

namespace Genomics.Mamba.Tests.Memory;

/// <summary>
/// The planner against a real measurement in this process: one forward + backward, peak RSS over the RSS before it.
/// Sized so that the big activations are 32 MiB or more — glibc then maps them fresh whatever ran before in this
/// process, so the rise of RSS is the step's own; the smaller tensors reuse whatever the heap holds, which makes the
/// measurement a little low, never high. The bench checks the full-size rows (`genomamba bench model`).
/// </summary>
[Collection(nameof(MemoryMeasurementCollection))]
public class MemoryPredictionTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData(ActivationCheckpointing.Never)]
    [InlineData(ActivationCheckpointing.Always)]
    public void The_prediction_for_a_small_Mamba_is_within_15_percent_of_the_measured_rise(ActivationCheckpointing policy)
    {
        if (!ProcessMemory.ResetPeak())
        {
            log.WriteLine("no /proc/self/clear_refs here: the peak cannot be measured");
            return;
        }
        TorchRuntime.EnsureLoaded();
        const long length = 16384, batch = 8;                              // 2^17 tokens: (b, l, d 64) fp32 is 32 MiB
        var config = new MambaConfig { DModel = 64, NLayer = 2 };
        torch.manual_seed(1);
        using var model = new MambaLM(config) { Backbone = { Checkpointing = policy } };
        var measured = TrainingStepProbe.Measure(model, length, batch, repeats: 1, warmup: 0, optimizerStep: false);

        bool ckpt = policy == ActivationCheckpointing.Always;
        var estimate = MemoryPlanner.Estimate(config, length, batch, checkpointing: ckpt);
        long predicted = estimate.ActivationBytes + estimate.GradientBytes;
        double error = (double)(predicted - measured.PeakDeltaBytes) / measured.PeakDeltaBytes;
        log.WriteLine($"{policy}: measured rise {MemoryEstimate.Format(measured.PeakDeltaBytes)} " +
                      $"(peak {MemoryEstimate.Format(measured.PeakBytes)}), predicted {MemoryEstimate.Format(predicted)}: {100 * error:+0.0;-0.0}%\n{estimate}");
        Assert.InRange(error, -0.15, 0.15);
    }
}
