using Genomics.Data.Schedules;

namespace Genomics.Data.Tests.Schedules;

public sealed class PretrainingWarmupTests
{
    [Fact]
    public void The_paper_plan_to_2_to_the_20_has_11_stages_of_2_epochs_at_constant_tokens_per_step()
    {
        var plan = new PretrainingWarmup { TargetLength = 1 << 20, TokensPerStep = 1L << 24 }.ToPlan();

        Assert.Equal(11, plan.Stages.Count);
        Assert.Equal(22, plan.TotalEpochs);
        Assert.Equal(Enumerable.Range(10, 11).Select(p => 1 << p), plan.Stages.Select(s => s.Length));
        Assert.All(plan.Stages, s => Assert.Equal(2, s.Epochs));
        Assert.All(plan.Stages, s => Assert.Equal(1L << 24, s.TokensPerStep));
        Assert.Equal(16384, plan.Stages[0].Batch);
        Assert.Equal(16, plan.Target.Batch);
        // The batch halves exactly as L doubles.
        Assert.All(plan.Stages.Zip(plan.Stages.Skip(1)), pair => Assert.Equal(pair.First.Batch, 2 * pair.Second.Batch));
        Assert.All(plan.Stages, s => Assert.Equal((s.Batch, 1), (s.MicroBatch, s.Accumulation)));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(48)]
    [InlineData(7)]
    [InlineData(1)]
    public void A_micro_batch_cap_accumulates_gradients_without_changing_tokens_per_step(int cap)
    {
        var plan = new PretrainingWarmup { TargetLength = 1 << 20, MicroBatchCap = cap }.ToPlan();

        foreach (var s in plan.Stages)
        {
            Assert.Equal(s.Batch, s.MicroBatch * s.Accumulation);
            Assert.InRange(s.MicroBatch, 1, cap);
            // The largest micro-batch that fits and divides the batch: nothing between it and the cap divides.
            Assert.DoesNotContain(Enumerable.Range(s.MicroBatch + 1, Math.Max(0, Math.Min(cap, s.Batch) - s.MicroBatch)), m => s.Batch % m == 0);
            Assert.Equal(1L << 24, s.TokensPerStep);
        }
    }

    [Fact]
    public void A_cap_of_48_runs_micro_batches_of_32()
    {
        var stage = new PretrainingWarmup { TargetLength = 1 << 10, MicroBatchCap = 48 }.ToPlan().Target;

        Assert.Equal((16384, 32, 512), (stage.Batch, stage.MicroBatch, stage.Accumulation));
    }

    [Fact]
    public void Disabled_warmup_trains_only_at_the_target()
    {
        var plan = new PretrainingWarmup { TargetLength = 1 << 16, Enabled = false }.ToPlan();

        var stage = Assert.Single(plan.Stages);
        Assert.Equal((2, 1 << 16, 256), (stage.Epochs, stage.Length, stage.Batch));
    }

    [Fact]
    public void The_default_target_of_1024_is_a_single_stage()
    {
        var plan = new PretrainingWarmup().ToPlan();

        Assert.Equal(new WarmupStage(2, 1024, 16384, 16384, 1), Assert.Single(plan.Stages));
    }

    [Theory]
    [InlineData(3000)]
    [InlineData(512)]
    [InlineData(0)]
    public void A_target_that_is_not_a_power_of_two_of_at_least_1024_is_refused_by_name(int target)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PretrainingWarmup { TargetLength = target }.ToPlan());

        Assert.Equal(nameof(PretrainingWarmup.TargetLength), error.ParamName);
        Assert.Contains("power of two ≥ 2^10", error.Message);
    }

    [Theory]
    [InlineData(1L << 19)]
    [InlineData((1L << 20) + 1)]
    public void Tokens_per_step_below_or_not_a_multiple_of_the_target_are_refused(long tokens)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PretrainingWarmup { TargetLength = 1 << 20, TokensPerStep = tokens }.ToPlan());

        Assert.Equal(nameof(PretrainingWarmup.TokensPerStep), error.ParamName);
    }

    [Fact]
    public void Other_bad_fields_are_named()
    {
        Assert.Equal("StartLength", Assert.Throws<ArgumentOutOfRangeException>(() => new PretrainingWarmup { StartLength = 2048 }.Validate()).ParamName);
        Assert.Equal("EpochsPerStage", Assert.Throws<ArgumentOutOfRangeException>(() => new PretrainingWarmup { EpochsPerStage = 0 }.Validate()).ParamName);
        Assert.Equal("MicroBatchCap", Assert.Throws<ArgumentOutOfRangeException>(() => new PretrainingWarmup { MicroBatchCap = 0 }.Validate()).ParamName);
    }
}
