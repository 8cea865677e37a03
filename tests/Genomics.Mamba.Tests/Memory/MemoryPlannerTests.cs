using Genomics.Mamba.Config;
using Genomics.Mamba.Memory;
using Genomics.Mamba.Modules;
using Xunit.Abstractions;

namespace Genomics.Mamba.Tests.Memory;

/// <summary>The planner's arithmetic and choices; no tensors are built here (the measured check is MemoryPredictionTests).</summary>
public class MemoryPlannerTests(ITestOutputHelper log)
{
    const long GiB = 1L << 30;
    static readonly MambaConfig Mamba14M = MambaConfig.Preset("1.4M");
    static readonly HyenaConfig Hyena14M = HyenaConfig.Preset("1.4M");

    static MemoryPlan PlanFor(string family, long length, long batch, long budget, RecomputePolicy policy = RecomputePolicy.Auto) =>
        family == "mamba"
            ? MemoryPlanner.Plan(Mamba14M, length, batch, budget, policy: policy)
            : MemoryPlanner.Plan(Hyena14M.ForContext((int)length), length, batch, budget, policy: policy);

    [Theory]
    [InlineData("mamba", RecomputePolicy.Never)]
    [InlineData("mamba", RecomputePolicy.Always)]
    [InlineData("mamba", RecomputePolicy.Auto)]
    [InlineData("hyena", RecomputePolicy.Never)]
    [InlineData("hyena", RecomputePolicy.Always)]
    [InlineData("hyena", RecomputePolicy.Auto)]
    public void Longer_sequences_never_get_a_larger_micro_batch(string family, RecomputePolicy policy)
    {
        long previous = long.MaxValue;
        foreach (long length in new long[] { 256, 1024, 4096, 16384, 65536 })
        {
            var plan = PlanFor(family, length, batch: 64, budget: 4 * GiB, policy);
            log.WriteLine($"L {length,6}: micro-batch {plan.MicroBatch,2} × {plan.GradientAccumulation,2}, checkpointing {plan.Recompute}, " +
                          $"{MemoryEstimate.Format(plan.PredictedPeakBytes)}{(plan.Fits ? "" : " (does not fit)")}");
            Assert.True(plan.MicroBatch <= previous, $"L {length}: micro-batch {plan.MicroBatch} after {previous}");
            Assert.Equal(64, plan.MicroBatch * plan.GradientAccumulation);
            previous = plan.MicroBatch;
        }
        Assert.True(previous < 64, "the budget should have forced a smaller micro-batch somewhere");
    }

    [Theory]
    [InlineData("mamba")]
    [InlineData("hyena")]
    public void A_larger_budget_never_gets_a_smaller_micro_batch(string family)
    {
        foreach (var policy in new[] { RecomputePolicy.Never, RecomputePolicy.Always })
        {
            long previous = 0;
            foreach (long budget in new[] { 1 * GiB, 2 * GiB, 4 * GiB, 8 * GiB, 16 * GiB, 64 * GiB })
            {
                var plan = PlanFor(family, 4096, 32, budget, policy);
                Assert.True(plan.MicroBatch >= previous, $"{policy}, budget {MemoryEstimate.Format(budget)}: micro-batch {plan.MicroBatch} after {previous}");
                previous = plan.MicroBatch;
            }
            Assert.Equal(32, previous);
        }
    }

    [Theory]
    [InlineData("mamba")]
    [InlineData("hyena")]
    public void A_tight_budget_turns_checkpointing_on_and_a_loose_one_leaves_it_off(string family)
    {
        const long length = 16384;
        // Between what one checkpointed sequence needs and what one plain sequence needs.
        var plain = family == "mamba" ? MemoryPlanner.Estimate(Mamba14M, length, 1) : MemoryPlanner.Estimate(Hyena14M.ForContext((int)length), length, 1);
        var recomputed = family == "mamba"
            ? MemoryPlanner.Estimate(Mamba14M, length, 1, checkpointing: true)
            : MemoryPlanner.Estimate(Hyena14M.ForContext((int)length), length, 1, checkpointing: true);
        Assert.True(recomputed.TotalBytes < plain.TotalBytes);
        long tight = (plain.TotalBytes + recomputed.TotalBytes) / 2;

        var squeezed = PlanFor(family, length, 4, tight);
        log.WriteLine(squeezed.ToString());
        Assert.True(squeezed.Recompute);
        Assert.True(squeezed.Fits);

        var roomy = PlanFor(family, length, 4, 64 * GiB);
        log.WriteLine(roomy.ToString());
        Assert.False(roomy.Recompute);
        Assert.Equal((4L, 1L), (roomy.MicroBatch, roomy.GradientAccumulation));
    }

    [Fact]
    public void Activations_scale_with_tokens_and_checkpointing_scales_with_depth_not_activations()
    {
        var one = MemoryPlanner.Estimate(Mamba14M, 4096, 1);
        var four = MemoryPlanner.Estimate(Mamba14M, 4096, 4);
        var longer = MemoryPlanner.Estimate(Mamba14M, 16384, 1);
        // Everything but the chunk-size rounding is linear in batch × length; the model state does not move.
        Assert.Equal(4.0, (double)four.ActivationBytes / one.ActivationBytes, 3);
        Assert.Equal(4.0, (double)longer.ActivationBytes / one.ActivationBytes, 3);
        Assert.Equal(one.ModelStateBytes, four.ModelStateBytes);
        Assert.Equal(16L * Mamba14M.ParameterCount, one.ModelStateBytes);

        var two = MemoryPlanner.Estimate(Mamba14M with { NLayer = 2 }, 4096, 1, checkpointing: true);
        var fourBlocks = MemoryPlanner.Estimate(Mamba14M with { NLayer = 4 }, 4096, 1, checkpointing: true);
        var twelve = MemoryPlanner.Estimate(Mamba14M with { NLayer = 12 }, 4096, 1, checkpointing: true);
        // Checkpointed, more blocks add only what each keeps for its backward (its input, d fp32 per token, measured,
        // times the allocator's factor); the block being recomputed is the same whatever the depth.
        Assert.Equal(5.0 * (fourBlocks.SavedActivationBytes - two.SavedActivationBytes), twelve.SavedActivationBytes - two.SavedActivationBytes, 64.0);
        Assert.True(twelve.SavedActivationBytes - two.SavedActivationBytes >= 10L * 128 * 4 * 4096);
        Assert.Equal(two.BlockWorkingSetBytes, twelve.BlockWorkingSetBytes);
    }

    [Fact]
    public void Segments_bound_the_working_set_of_a_long_Mamba_sequence()
    {
        const long length = 1 << 20;
        var whole = MemoryPlanner.Estimate(Mamba14M, length, 1, checkpointing: true);
        var segmented = MemoryPlanner.Estimate(Mamba14M, length, 1, checkpointing: true, segmentLength: 1 << 14);
        log.WriteLine($"whole:\n{whole}\nsegments of 16,384:\n{segmented}");
        Assert.True(segmented.BlockWorkingSetBytes < whole.BlockWorkingSetBytes / 2);
        Assert.Equal(whole.SavedActivationBytes, segmented.SavedActivationBytes);
        Assert.Throws<ArgumentException>(() => MemoryPlanner.Estimate(Mamba14M, length, 1, checkpointing: false, segmentLength: 1 << 14));
    }

    [Fact]
    public void The_planner_segments_only_when_a_checkpointed_sequence_does_not_fit()
    {
        const long length = 1 << 20;
        var whole = MemoryPlanner.Estimate(Mamba14M, length, 1, checkpointing: true);
        var plan = MemoryPlanner.Plan(Mamba14M, length, 1, whole.TotalBytes - (256L << 20));
        log.WriteLine(plan.ToString());
        Assert.True(plan.Recompute);
        Assert.NotNull(plan.SegmentLength);
        Assert.True(plan.Fits);
        Assert.True(length % plan.SegmentLength!.Value == 0);

        var roomy = MemoryPlanner.Plan(Mamba14M, length, 1, whole.TotalBytes + (256L << 20), policy: RecomputePolicy.Always);
        Assert.Null(roomy.SegmentLength);
    }

    [Fact]
    public void Hyena_at_2_to_the_20_is_staged_under_12_GiB_and_its_filter_must_cover_the_length()
    {
        const long length = 1 << 20;
        var config = Hyena14M.ForContext((int)length);
        var plan = MemoryPlanner.Plan(config, length, 1, 12 * GiB);
        log.WriteLine(plan.ToString());
        // Whole-block checkpointing cannot fit one 2^20 sequence (a block's recompute alone is ~13 GB); stages can.
        Assert.True(plan.Fits);
        Assert.True(plan.Recompute);
        Assert.NotNull(plan.SegmentLength);
        Assert.False(MemoryPlanner.Plan(config, length, 1, 12 * GiB, policy: RecomputePolicy.Never).Fits);
        // The measured staged step (HyenaLongContextMemory: 6.66 GB of heap over start at 2^14 chunks) within ±15%.
        var staged = MemoryPlanner.Estimate(config, length, 1, checkpointing: true, segmentLength: 1 << 14);
        Assert.InRange(staged.ActivationBytes + staged.GradientBytes, 0.85 * 6.66 * GiB, 1.15 * 6.66 * GiB);
        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryPlanner.Plan(Hyena14M, length, 1, 8 * GiB));
    }

    [Fact]
    public void A_plan_that_cannot_fit_says_so_and_is_the_smallest_found()
    {
        var plan = MemoryPlanner.Plan(Mamba14M, 1 << 16, 8, 64L << 20);
        log.WriteLine(plan.ToString());
        Assert.False(plan.Fits);
        Assert.Equal(1, plan.MicroBatch);
        Assert.True(plan.Recompute);
        Assert.Contains("DOES NOT FIT", plan.ToString());
    }

    [Fact]
    public void A_plan_prints_its_choices_and_the_parts_of_the_peak()
    {
        var plan = MemoryPlanner.Plan(Mamba14M, 131072, 4, 12 * GiB);
        string text = plan.ToString();
        log.WriteLine(text);
        foreach (var expected in new[] { "memory plan: Mamba", "micro-batch", "recompute", "saved activations", "predicted peak", "of budget" })
        {
            Assert.Contains(expected, text);
        }
        Assert.Equal(plan.Recompute ? RecomputePolicy.Always : RecomputePolicy.Never, plan.RecomputePolicy);
        Assert.Equal(plan.Estimate.Rows().Sum(r => r.Bytes), plan.PredictedPeakBytes);
    }

    [Fact]
    public void Bf16_activations_cost_less_than_fp32_but_keep_the_fp32_residual_scan_and_fft()
    {
        var fp32 = MemoryPlanner.Estimate(Mamba14M, 16384, 1);
        var bf16 = MemoryPlanner.Estimate(Mamba14M, 16384, 1, TrainingPrecision.BFloat16);
        Assert.True(bf16.SavedActivationBytes < fp32.SavedActivationBytes);
        Assert.True(bf16.SavedActivationBytes > fp32.SavedActivationBytes / 2);
        Assert.Equal(fp32.ScanChunkStateBytes, bf16.ScanChunkStateBytes);
        var h32 = MemoryPlanner.Estimate(Hyena14M.ForContext(16384), 16384, 1);
        var h16 = MemoryPlanner.Estimate(Hyena14M.ForContext(16384), 16384, 1, TrainingPrecision.BFloat16);
        Assert.Equal(h32.FftBufferBytes, h16.FftBufferBytes);
    }

    [Fact]
    public void Bad_requests_name_what_is_wrong()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryPlanner.Plan(Mamba14M, 0, 1, GiB));
        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryPlanner.Plan(Mamba14M, 1024, 0, GiB));
        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryPlanner.Plan(Mamba14M, 1024, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryPlanner.Plan(Mamba14M with { DModel = 0 }, 1024, 1, GiB));
    }
}
