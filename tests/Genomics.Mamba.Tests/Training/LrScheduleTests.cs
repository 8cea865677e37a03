using Genomics.Data.Schedules;
using Genomics.Mamba.Training;

namespace Genomics.Mamba.Tests.Training;

public class LrScheduleTests
{
    [Fact]
    public void Warmup_rises_linearly_to_the_peak()
    {
        var s = LrSchedule.Pretraining(8e-3, totalSteps: 1000);
        Assert.Equal(100, s.WarmupSteps);
        for (int step = 0; step < 100; step++)
        {
            Assert.Equal(8e-3 * (step + 1) / 100, s.At(step), 15);
        }
    }

    [Fact]
    public void Cosine_runs_from_the_peak_to_the_floor()
    {
        var s = LrSchedule.Pretraining(1e-3, totalSteps: 101, warmupFraction: 0, minRatio: 0.1);
        Assert.Equal(1e-3, s.At(0), 15);
        // Half way (step 50 of 0..100) the cosine is at the mean of peak and floor.
        Assert.Equal((1e-3 + 1e-4) / 2, s.At(50), 15);
        double quarter = 1e-4 + (1e-3 - 1e-4) * 0.5 * (1 + Math.Cos(Math.PI * 0.25));
        Assert.Equal(quarter, s.At(25), 15);
        Assert.Equal(1e-4, s.At(100), 15);
        Assert.Equal(1e-4, s.At(500), 15);
        for (int step = 1; step <= 100; step++)
        {
            Assert.True(s.At(step) < s.At(step - 1), $"not decreasing at {step}");
        }
    }

    [Fact]
    public void Species_schedule_is_five_epochs_up_and_five_down_to_1e_6()
    {
        var s = LrSchedule.Species(1e-4, stepsPerEpoch: 1024);
        Assert.Equal(10 * 1024, s.TotalSteps);
        Assert.Equal(5 * 1024, s.WarmupSteps);
        Assert.Equal(1e-4 / 5120, s.At(0), 15);
        Assert.Equal(1e-4, s.At(5119), 15);
        Assert.Equal(1e-4, s.At(5120), 15);
        Assert.Equal(1e-6, s.At(10 * 1024 - 1), 15);
    }

    [Fact]
    public void Lr_is_continuous_across_warmup_stages()
    {
        // The paper's 2^10 → 2^14 warmup on the embedded data: steps per epoch are the same at every L (tokens per step
        // constant, samples ∝ 1/L), the schedule spans the whole plan and a stage switch is only a change of batch.
        var plan = new PretrainingWarmup { TargetLength = 1 << 14, TokensPerStep = 1 << 16 }.ToPlan();
        long Samples(int l) => 59L * (32768 / l);
        long total = plan.TotalSteps(Samples);
        var s = LrSchedule.Pretraining(8e-3, total);
        double largestJump = Enumerable.Range(1, (int)total - 1).Max(i => Math.Abs(s.At(i) - s.At(i - 1)));
        for (int stage = 1; stage < plan.Stages.Count; stage++)
        {
            int epoch = plan.Stages.Take(stage).Sum(x => x.Epochs);
            long first = plan.FirstStepOf(epoch, Samples);
            Assert.NotEqual(plan.AtStep(first - 1, Samples).StageIndex, plan.AtStep(first, Samples).StageIndex);
            Assert.True(Math.Abs(s.At(first) - s.At(first - 1)) <= largestJump * (1 + 1e-12), $"LR jumps at the start of stage {stage}");
        }
    }

    [Fact]
    public void A_run_without_steps_is_refused_with_a_hint()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => LrSchedule.Pretraining(1e-3, 0));
        Assert.Contains("--tokens-per-step", e.Message);
    }
}
