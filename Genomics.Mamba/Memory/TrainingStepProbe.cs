using System.Diagnostics;
using Genomics.Mamba.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Memory;

/// <summary>
/// Runs real training steps of a language model on random DNA tokens and measures them: the calibration source of
/// <see cref="MemoryPlanner"/> and the core of `genomamba bench model`. A step is forward → next-token loss →
/// backward → AdamW step → zero_grad, all inside one dispose scope so nothing outlives the step.
/// Peak RSS is process-wide: run one configuration per process for figures that do not depend on what ran before.
/// </summary>
public static class TrainingStepProbe
{
    /// <summary>
    /// <paramref name="model"/> (ids (b, l) → logits (b, l, v)) trained for <paramref name="warmup"/> untimed and
    /// <paramref name="repeats"/> timed steps at batch × length. With <paramref name="optimizerStep"/> false the
    /// steps are forward + backward only (no optimizer state is created).
    /// </summary>
    public static StepMeasurement Measure(nn.Module<Tensor, Tensor> model, long length, long batch, int repeats,
        int warmup = 1, bool optimizerStep = true, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        model.train();
        manual_seed(seed);
        // Token ids 7..11 are A C G T N in the DNA vocabulary; the l + 1 window gives inputs and shifted targets.
        using var ids = randint(7, 12, [batch, length + 1], dtype: int64);
        using var x = ids.narrow(1, 0, length);
        using var y = ids.narrow(1, 1, length);
        using var optimizer = optimizerStep
            ? optim.AdamW(ParameterGroups.Of(model).ForAdamW(lr: 1e-3, weightDecay: 0.1), lr: 1e-3)
            : null;

        void Step()
        {
            using var scope = NewDisposeScope();
            var logits = model.forward(x);                                 // (b, l, v)
            var loss = MambaLM.Loss(logits, y);
            loss.backward();
            optimizer?.step();
            // Grads stay allocated (zeroed, not freed) so every step sees the same resident state.
            model.zero_grad(set_to_none: false);
            // Some tensor handles are owned by no dispose scope (TorchSharp's autograd glue makes them on the engine's
            // side); their storage stays resident until the GC finalizes them. Without this collection the peak grew
            // step after step (Mamba 1.4M, 1 × 4096: 893 → 1,129 MiB over 5 steps) and freed memory was re-faulted
            // (45k page faults per step); with it the peak is flat (902–909 MiB) and faults drop to 1.6k per step.
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        // The baseline is taken before the first step: glibc keeps much of a step's freed memory resident, so RSS
        // after a step is no floor to measure the next one from. Gradients and AdamW moments are part of the rise.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long baseline = ProcessMemory.CurrentBytes;
        long overall = baseline;
        // Reads the high-water mark since the last call and starts a new one, so each step's own peak is known too.
        long Mark()
        {
            long p = ProcessMemory.PeakBytes;
            overall = Math.Max(overall, p);
            ProcessMemory.ResetPeak();
            return p;
        }
        ProcessMemory.ResetPeak();
        for (int i = 0; i < warmup; i++)
        {
            Step();
        }
        Mark();
        var stepPeaks = new long[repeats];
        var seconds = new double[repeats];
        using var self = Process.GetCurrentProcess();
        long faults0 = ProcessMemory.MinorFaults;
        var system0 = self.PrivilegedProcessorTime;
        for (int i = 0; i < repeats; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            Step();
            seconds[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            stepPeaks[i] = Mark();
        }
        self.Refresh();
        double faults = (ProcessMemory.MinorFaults - faults0) / (double)repeats;
        double system = (self.PrivilegedProcessorTime - system0).TotalSeconds / repeats;
        return new StepMeasurement(seconds, baseline, overall, batch * length, faults, system, stepPeaks);
    }
}
