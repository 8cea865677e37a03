using Genomics.Data.Schedules;
using Genomics.Data.Tests.Datasets;

namespace Genomics.Data.Tests.Schedules;

public sealed class WarmupPlanTests
{
    // The real Enformer train split under Mamba semantics: its intervals of 2^17 bases cut into 2^17/L
    // samples each, or 2 beyond 2^17.
    static readonly long TrainIntervals = IntervalTestGenome.AllEnformer.Count(iv => iv.Split == "train");

    static long EnformerTrainSamples(int length) => TrainIntervals * (length <= 1 << 17 ? (1 << 17) / length : 2);

    static readonly WarmupPlan Paper = new PretrainingWarmup { TargetLength = 1 << 20 }.ToPlan();

    [Fact]
    public void Epochs_map_to_their_stage()
    {
        Assert.Equal((0, 0), Pick(Paper.AtEpoch(0)));
        Assert.Equal((0, 1), Pick(Paper.AtEpoch(1)));
        Assert.Equal((1, 0), Pick(Paper.AtEpoch(2)));
        Assert.Equal((10, 1), Pick(Paper.AtEpoch(21)));
        Assert.Equal(1 << 20, Paper.AtEpoch(21).Stage.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => Paper.AtEpoch(22));

        static (int, int) Pick(WarmupPosition p) => (p.StageIndex, p.EpochInStage);
    }

    [Fact]
    public void Walking_every_step_visits_each_epoch_for_exactly_its_steps_in_order()
    {
        long total = Paper.TotalSteps(EnformerTrainSamples);
        var stepsSeen = new long[Paper.TotalEpochs];
        var previous = Paper.AtStep(0, EnformerTrainSamples);

        for (long step = 0; step < total; step++)
        {
            var at = Paper.AtStep(step, EnformerTrainSamples);
            stepsSeen[at.Epoch]++;
            if (step > 0)
            {
                bool next = at.Epoch == previous.Epoch
                    ? at.StepInEpoch == previous.StepInEpoch + 1
                    : at.Epoch == previous.Epoch + 1 && at.StepInEpoch == 0;
                Assert.True(next, $"step {step}: {at} does not follow {previous}");
            }
            Assert.Equal(at.StageIndex, Paper.AtEpoch(at.Epoch).StageIndex);
            previous = at;
        }

        for (int epoch = 0; epoch < Paper.TotalEpochs; epoch++)
        {
            var stage = Paper.AtEpoch(epoch).Stage;
            Assert.Equal(EnformerTrainSamples(stage.Length) / stage.Batch, stepsSeen[epoch]);
            Assert.Equal(epoch, Paper.AtStep(Paper.FirstStepOf(epoch, EnformerTrainSamples), EnformerTrainSamples).Epoch);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => Paper.AtStep(total, EnformerTrainSamples));
    }

    [Fact]
    public void The_first_stage_of_the_paper_plan_takes_265_steps_per_epoch()
    {
        // 34,021 train intervals × 128 samples of 1,024 tokens in batches of 16,384 (one epoch ≈ 4.46G tokens).
        Assert.Equal(34_021, TrainIntervals);
        Assert.Equal(265, Paper.Stages[0].StepsPerEpoch(EnformerTrainSamples(1 << 10)));
    }

    [Fact]
    public void Species_epochs_of_1024_steps_give_10240_steps()
    {
        var plan = new SpeciesWarmup { TargetLength = 1 << 20 }.ToPlan();

        var last = plan.AtStep(10_239, _ => 1024 * 64);

        Assert.Equal(10_240, plan.TotalSteps(_ => 1024 * 64));
        Assert.Equal((6, 9, 3, 1023L), (last.StageIndex, last.Epoch, last.EpochInStage, last.StepInEpoch));
    }

    [Fact]
    public void Inconsistent_stages_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new WarmupPlan([]));
        Assert.Throws<ArgumentException>(() => new WarmupPlan([new WarmupStage(1, 1024, 64, 16, 3)]));
        Assert.Throws<ArgumentException>(() => new WarmupPlan([new WarmupStage(0, 1024, 64, 64, 1)]));
    }
}
