using Genomics.Data.Schedules;

namespace Genomics.Data.Tests.Schedules;

public sealed class SpeciesWarmupTests
{
    [Fact]
    public void At_2_to_the_20_one_epoch_at_each_length_from_2_to_the_14_then_the_rest_at_the_target()
    {
        var plan = new SpeciesWarmup { TargetLength = 1 << 20 }.ToPlan();

        Assert.Equal(Enumerable.Range(14, 7).Select(p => 1 << p), plan.Stages.Select(s => s.Length));
        Assert.Equal([1, 1, 1, 1, 1, 1, 4], plan.Stages.Select(s => s.Epochs));
        Assert.Equal(10, plan.TotalEpochs);
        Assert.All(plan.Stages, s => Assert.Equal(64, s.Batch));
    }

    [Theory]
    [InlineData(1 << 10)]
    [InlineData(1 << 12)]
    [InlineData(1 << 14)]
    public void At_or_below_2_to_the_14_there_is_no_warmup(int target)
    {
        var plan = new SpeciesWarmup { TargetLength = target }.ToPlan();

        Assert.Equal(new WarmupStage(10, target, 64, 64, 1), Assert.Single(plan.Stages));
    }

    [Fact]
    public void Just_above_2_to_the_14_one_warmup_epoch_precedes_nine_at_the_target()
    {
        var plan = new SpeciesWarmup { TargetLength = 1 << 15 }.ToPlan();

        Assert.Equal([(1, 1 << 14), (9, 1 << 15)], plan.Stages.Select(s => (s.Epochs, s.Length)));
    }

    [Fact]
    public void A_micro_batch_cap_splits_the_fixed_batch()
    {
        var plan = new SpeciesWarmup { TargetLength = 1 << 18, MicroBatchCap = 8 }.ToPlan();

        Assert.All(plan.Stages, s => Assert.Equal((64, 8, 8), (s.Batch, s.MicroBatch, s.Accumulation)));
    }

    [Fact]
    public void Too_few_epochs_for_the_warmup_are_refused_by_name()
    {
        // 2^14 … 2^23 take 10 warmup epochs, leaving none of the default 10 for the target.
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SpeciesWarmup { TargetLength = 1 << 24 }.ToPlan());

        Assert.Equal(nameof(SpeciesWarmup.TotalEpochs), error.ParamName);
        Assert.Equal(11, new SpeciesWarmup { TargetLength = 1 << 24, TotalEpochs = 11 }.ToPlan().TotalEpochs);
    }

    [Fact]
    public void A_target_that_is_not_a_power_of_two_is_refused_by_name()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SpeciesWarmup { TargetLength = 100_000 }.ToPlan());

        Assert.Equal(nameof(SpeciesWarmup.TargetLength), error.ParamName);
    }
}
