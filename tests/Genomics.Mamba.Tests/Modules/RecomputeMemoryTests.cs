using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Runtime;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Modules;

/// <summary>Runs its members alone, after the parallel tests: they measure the whole process's memory.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMemoryCollection
{
    public const string Name = "process memory";
}

/// <summary>
/// What checkpointing is for: memory held between forward and backward (<see cref="BlockRecompute"/>), and the peak of
/// a segmented backward (<see cref="SegmentedRecompute"/>). Measured on the process (heap in use, resident set), so
/// these never run beside other tests.
/// </summary>
[Collection(ProcessMemoryCollection.Name)]
public class RecomputeMemoryTests(ITestOutputHelper log)
{
    [Fact]
    public void Checkpointing_keeps_far_less_memory_alive_between_forward_and_backward()
    {
        // Heap bytes in use (glibc mallinfo2: what libtorch's CPU allocator holds, not RSS, which keeps freed pages)
        // while the autograd graph is alive, after forward and before backward. Plain keeps every block's activations
        // (in_proj out, conv, x_proj, the scan's saved tensors, …); checkpointed keeps each block's (b, l, d) inputs.
        TorchRuntime.EnsureLoaded();
        manual_seed(6);
        using var model = new MambaLM(new MambaConfig { DModel = 64, NLayer = 6 });
        var ids = ModuleTestData.DnaTokens(1, 8_193, start: 300_000);
        double plain = HeldAfterForward(model, ids, RecomputePolicy.Never);
        double checkpointed = HeldAfterForward(model, ids, RecomputePolicy.Always);
        // The inputs every block must keep either way: hidden and residual, (1, 8192, 64) float32 each, 6 blocks.
        double inputs = 6 * 2 * 8192 * 64 * 4 / 1048576.0;
        log.WriteLine($"heap held after forward: plain {plain:F1} MB, checkpointed {checkpointed:F1} MB (block inputs {inputs:F1} MB)");
        Assert.True(checkpointed < plain / 4, $"checkpointed {checkpointed:F1} MB vs plain {plain:F1} MB");
    }

    [Fact]
    public void A_checkpointed_block_keeps_one_tensor_the_size_of_its_input()
    {
        // Heap a checkpointed forward leaves in use per block, from the difference between a 2- and a 6-block model so the model's own outputs cancel: each block keeps
        // residual + hidden, one (b, l, d) fp32 tensor — half of keeping both inputs.
        TorchRuntime.EnsureLoaded();
        const int length = 1 << 15, width = 64;
        var ids = ModuleTestData.DnaTokens(1, length, start: 200_000);
        double HeldBy(int layers)
        {
            manual_seed(8);
            using var model = new MambaLM(new MambaConfig { DModel = width, NLayer = layers });
            model.Backbone.Recompute = RecomputePolicy.Always;
            model.Backbone.Segmenting = SegmentPolicy.Off;
            using var scope = NewDisposeScope();
            ProcessMemory.Settle();
            double before = ProcessMemory.HeapInUseMegabytes();
            var logits = model.forward(ids);
            double held = ProcessMemory.HeapInUseMegabytes() - before;
            logits.sum().backward();
            return held;
        }
        HeldBy(2);   // warm-up: first-use allocations of libtorch and the allocator's arenas
        double two = HeldBy(2), six = HeldBy(6);
        double tensor = (double)length * width * 4 / 1048576;
        double perBlock = (six - two) / 4;
        log.WriteLine($"held after a checkpointed forward: 2 blocks {two:F1} MB, 6 blocks {six:F1} MB → {perBlock:F1} MB per block " +
                      $"(one (1, {length}, {width}) fp32 tensor is {tensor:F1} MB)");
        Assert.True(perBlock < 1.25 * tensor, $"{perBlock:F1} MB per block, one input is {tensor:F1} MB");
    }

    static double HeldAfterForward(MambaLM model, Tensor ids, RecomputePolicy policy)
    {
        model.Backbone.Recompute = policy;
        model.zero_grad();
        ProcessMemory.Settle();
        double before = ProcessMemory.HeapInUseMegabytes();
        double held;
        using (var scope = NewDisposeScope())
        {
            long l = ids.shape[1] - 1;
            var loss = MambaLM.Loss(model.forward(ids.narrow(1, 0, l)), ids.narrow(1, 1, l));
            held = ProcessMemory.HeapInUseMegabytes() - before;
            loss.backward();
        }
        return held;
    }

    [Fact]
    public void Backward_peak_memory_shrinks_with_the_segment()
    {
        // Peak heap in use during one block's backward. What every segment length keeps: the block input and four (b, l, d)
        // gradients; what shrinks: the recomputed in_proj/conv/projections/scan working set.
        TorchRuntime.EnsureLoaded();
        manual_seed(17);
        const int length = 1 << 15;
        using var block = new MambaBlock(new MambaConfig { DModel = 64, NLayer = 2 });
        var peaks = new List<(long Segment, double Megabytes)>();
        foreach (long segment in new long[] { length, length / 4, length / 16, length / 64 })
        {
            using var scope = NewDisposeScope();
            var hidden = randn(1, length, 64).requires_grad_(true);
            var residual = randn(1, length, 64).requires_grad_(true);
            var (h, r) = SegmentedRecompute.Forward(block, hidden, residual, segment);
            var loss = h.sum() + r.sum();
            double peak = ProcessMemory.PeakDuring(() => loss.backward());
            peaks.Add((segment, peak));
            log.WriteLine($"S {segment,6}: backward peak +{peak:F1} MB");
        }
        double blockInput = length * 64 * 4 / 1048576.0;
        log.WriteLine($"(one (1, {length}, 64) fp32 tensor is {blockInput:F1} MB)");
        Assert.True(peaks[2].Megabytes < peaks[0].Megabytes / 3,
            $"S {peaks[2].Segment} peaks at {peaks[2].Megabytes:F1} MB, S {peaks[0].Segment} at {peaks[0].Megabytes:F1} MB");
        Assert.True(peaks[3].Megabytes <= peaks[2].Megabytes * 1.1, "a shorter segment must not need more");
    }
}
