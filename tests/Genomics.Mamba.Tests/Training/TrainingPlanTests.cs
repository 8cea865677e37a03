using Genomics.Data.Genome;
using Genomics.Data.Schedules;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Config;
using Genomics.Mamba.Memory;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Training;

namespace Genomics.Mamba.Tests.Training;

/// <summary>
/// <see cref="TrainingPlan"/>: each stage planned at its own length, and the <see cref="Trainer"/> applying each stage's
/// own memory plan (recompute, segments) to the model when the stage starts.
/// </summary>
[Collection(nameof(TrainingCollection))]
public class TrainingPlanTests
{
    static MemoryPlan Memory(ModelSpec model, WarmupStage s, bool recompute, long? segment) =>
        new(model.ConfigText, s.Length, s.Batch, TrainingPrecision.Float32, 1L << 40, recompute, segment, s.MicroBatch, s.Accumulation,
            MemoryPlanner.Estimate(model, s.Length, s.MicroBatch, checkpointing: recompute, segmentLength: segment), true);

    [Fact]
    public void The_trainer_applies_each_stages_own_recompute_and_segments()
    {
        using var genome = GenomeFile.Open(TrainingTestData.Genome);
        using var model = TrainingTestData.Model(3);
        var spec = ModelSpec.LanguageModel(TrainingTestData.TinyMamba);
        // Three stages whose settings all differ: none, whole-block recompute, segments of 96 positions.
        WarmupStage[] warmup = [new(1, 128, 4, 2, 2), new(1, 256, 2, 1, 2), new(1, 512, 2, 1, 2)];
        var plan = new TrainingPlan(spec,
        [
            new TrainingStage(warmup[0], 2, Memory(spec, warmup[0], false, null)),
            new TrainingStage(warmup[1], 2, Memory(spec, warmup[1], true, null)),
            new TrainingStage(warmup[2], 2, Memory(spec, warmup[2], true, 96)),
        ], 1L << 40, TrainingPrecision.Float32);
        var task = TrainingTestData.Task(model, genome, plan.Warmup, trainLength: 2048);
        var trainer = new Trainer(task, LrSchedule.Pretraining(1e-3, 20), new TrainerOptions { SkipEvaluation = true, Seed = 5 }, plan);
        var seen = new List<(int Stage, RecomputePolicy Recompute, SegmentPolicy Segmenting)>();
        trainer.Progress += e =>
        {
            if (e.Kind == TrainingEventKind.Step)
            {
                seen.Add((e.StageIndex, model.Backbone.Recompute, model.Backbone.Segmenting));
            }
        };
        trainer.Run();

        Assert.Equal([0, 1, 2], seen.Select(s => s.Stage).Distinct());
        foreach (var (stage, checkpointing, segmenting) in seen)
        {
            Assert.Equal(plan.Stages[stage].Recompute, checkpointing);
            Assert.Equal(plan.Stages[stage].Segmenting, segmenting);
        }
        Assert.Equal(RecomputePolicy.Never, seen[0].Recompute);
        Assert.Equal(SegmentPolicy.Every(96), seen[^1].Segmenting);
    }

    [Fact]
    public void A_plan_whose_stages_are_not_the_tasks_is_refused()
    {
        using var genome = GenomeFile.Open(TrainingTestData.Genome);
        using var model = TrainingTestData.Model(3);
        var spec = ModelSpec.LanguageModel(TrainingTestData.TinyMamba);
        var stage = new WarmupStage(1, 128, 4, 2, 2);
        var plan = new TrainingPlan(spec, [new TrainingStage(stage, 2, Memory(spec, stage, false, null))], 1L << 40, TrainingPrecision.Float32);
        var task = TrainingTestData.Task(model, genome, new WarmupPlan([stage with { Length = 256 }]), trainLength: 2048);
        var e = Assert.Throws<ArgumentException>(() => new Trainer(task, LrSchedule.Pretraining(1e-3, 20), new TrainerOptions(), plan));
        Assert.Contains("not the task's", e.Message);
    }

    [Fact]
    public void Species_stages_are_planned_at_their_own_length()
    {
        // Mamba 1.4M at L = 2^16 with a batch of 64 in 24 GiB: the planner's micro-batch shrinks as the length doubles.
        var spec = ModelSpec.LanguageModel(MambaConfig.Preset("1.4M"));
        var warmup = new SpeciesWarmup { TargetLength = 1 << 16, TotalEpochs = 4, Batch = 64 };
        var plan = TrainingPlan.ForSpecies(spec, warmup, stepsPerEpoch: 8, budget: 24L << 30, TrainingPrecision.Float32);
        Assert.Equal([1 << 14, 1 << 15, 1 << 16], plan.Stages.Select(s => s.Warmup.Length));
        for (int i = 0; i < plan.Stages.Count; i++)
        {
            var s = plan.Stages[i];
            var own = MemoryPlanner.Plan(spec, s.Warmup.Length, 64, 24L << 30);
            Assert.Equal(own, s.Memory);
            Assert.Equal((int)own.MicroBatch, s.Warmup.MicroBatch);
            Assert.Equal(64, s.Warmup.MicroBatch * s.Warmup.Accumulation);
            Assert.Equal(8, s.StepsPerEpoch);
        }
        Assert.True(plan.Stages[0].Warmup.MicroBatch > plan.Stages[^1].Warmup.MicroBatch,
            $"micro-batches {string.Join(", ", plan.Stages.Select(s => s.Warmup.MicroBatch))}: the target's settings were applied to every stage");
    }
}
