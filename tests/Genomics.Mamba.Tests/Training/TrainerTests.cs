using Genomics.Data.Datasets;
using Genomics.Data.Genome;
using Genomics.Data.Schedules;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Training;

[Collection(nameof(TrainingCollection))]
public class TrainerTests(ITestOutputHelper log)
{
    // Two stages on the first 4 kb of one train tile: 4 steps at L = 128 (batch 8 = 4 × 2), then 4 at L = 256 (4 = 2 × 2).
    static WarmupPlan TwoStages => new([new WarmupStage(1, 128, 8, 4, 2), new WarmupStage(1, 256, 4, 2, 2)]);

    static LanguageModelTask Short(Genomics.Mamba.Modules.MambaLM model, IGenome genome) => TrainingTestData.Task(model, genome, TwoStages, trainLength: 4096);

    static TrainerOptions Options(string? dir, long? maxSteps = null) =>
        new() { OutputDirectory = dir, MaxSteps = maxSteps, SkipEvaluation = true, Seed = 11 };

    [Fact]
    public void Accumulating_micro_batches_gives_the_gradients_of_one_big_batch()
    {
        using var genome = GenomeFile.Open(TrainingTestData.Genome);
        using var model = TrainingTestData.Model(5);
        var plan = new WarmupPlan([new WarmupStage(1, 64, 4, 4, 1)]);
        var task = TrainingTestData.Task(model, genome, plan);
        var dataset = task.Dataset(64);
        var whole = new Batch(4, 64);
        new IntervalDatasetBatches(dataset, 4).FillBatch(0, 0, whole);
        Trainer.MicroStep(task, whole, 1);
        var expected = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone());
        model.zero_grad();

        var halves = new IntervalDatasetBatches(dataset, 2);
        for (int k = 0; k < 2; k++)
        {
            var half = new Batch(2, 64);
            halves.FillBatch(0, k, half);
            Trainer.MicroStep(task, half, 2);
        }
        foreach (var (name, p) in model.named_parameters())
        {
            double diff = (p.grad! - expected[name]).abs().max().item<float>();
            log.WriteLine($"{name,-48} max|diff| {diff:E2}");
            Assert.True(p.grad!.allclose(expected[name], rtol: 1e-5, atol: 1e-7), name);
        }
    }

    [Fact]
    public void A_run_stopped_and_resumed_gives_the_same_loss_curve()
    {
        using var genome = GenomeFile.Open(TrainingTestData.Genome);
        using var dirA = TrainingTestData.NewTempDir();
        using var dirB = TrainingTestData.NewTempDir();
        var schedule = LrSchedule.Pretraining(8e-3, 8);

        List<double> whole;
        var lrs = new List<(long Step, int Stage, double Lr)>();
        using (var model = TrainingTestData.Model(1))
        {
            var trainer = new Trainer(Short(model, genome), schedule, Options(dirA.Path));
            Assert.Equal(8, trainer.TotalSteps);
            trainer.Progress += e =>
            {
                log.WriteLine($"{e.Kind} step {e.Step} L {e.Length} {e.StepSeconds * 1000:F0} ms at {e.Elapsed.TotalMilliseconds:F0} ms");
                if (e.Kind == TrainingEventKind.Step)
                {
                    lrs.Add((e.Step, e.StageIndex, e.LearningRate));
                }
            };
            var result = trainer.Run();
            whole = [.. result.Losses];
            Assert.False(result.Stopped);
        }
        Assert.Equal(8, whole.Count);
        // The LR of every step is the schedule's at the global step, across the stage switch after step 4.
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1], lrs.Select(x => x.Stage));
        Assert.All(lrs, x => Assert.Equal(schedule.At(x.Step - 1), x.Lr));

        // Stopped by the token (as Ctrl+C / SIGTERM do) after step 5, which is in the second stage.
        using var stop = new CancellationTokenSource();
        List<double> first;
        using (var model = TrainingTestData.Model(1))
        {
            var trainer = new Trainer(Short(model, genome), schedule, Options(dirB.Path));
            trainer.Progress += e =>
            {
                if (e.Kind == TrainingEventKind.Step && e.Step == 5)
                {
                    stop.Cancel();
                }
            };
            var result = trainer.Run(cancellationToken: stop.Token);
            Assert.True(result.Stopped);
            Assert.Equal(5, result.Step);
            first = [.. result.Losses];
        }
        string path = Path.Combine(dirB.Path, Trainer.CheckpointFileName);
        Assert.True(File.Exists(path));

        List<double> second;
        // Another initialisation: everything must come from the checkpoint.
        using (var model = TrainingTestData.Model(99))
        using (var checkpoint = Checkpoint.Load(path))
        {
            Assert.Equal(5, checkpoint.Step);
            var trainer = new Trainer(Short(model, genome), schedule, Options(dirB.Path));
            var result = trainer.Run(checkpoint);
            Assert.False(result.Stopped);
            Assert.Equal(8, result.Step);
            second = [.. result.Losses];
        }
        var resumed = first.Concat(second).ToList();
        for (int i = 0; i < whole.Count; i++)
        {
            log.WriteLine($"step {i + 1}: uninterrupted {whole[i]:R}  stopped+resumed {resumed[i]:R}");
        }
        Assert.Equal(whole.Count, resumed.Count);
        for (int i = 0; i < whole.Count; i++)
        {
            Assert.True(Math.Abs(whole[i] - resumed[i]) <= 1e-6, $"step {i + 1}: {whole[i]:R} vs {resumed[i]:R}");
        }
        // The losses must actually move, or equality would prove nothing.
        Assert.True(whole.Distinct().Count() > 4);
        // The metrics file of the resumed run reads as one run of 8 steps.
        var stepLines = File.ReadLines(Path.Combine(dirB.Path, Trainer.MetricsFileName)).Where(l => l.Contains("\"event\":\"step\"")).ToList();
        Assert.Equal(8, stepLines.Count);
    }

    [Fact]
    public void A_checkpoint_of_another_model_is_refused_on_resume()
    {
        using var genome = GenomeFile.Open(TrainingTestData.Genome);
        using var dir = TrainingTestData.NewTempDir();
        var plan = new WarmupPlan([new WarmupStage(1, 64, 8, 8, 1)]);
        using (var model = TrainingTestData.Model(1))
        {
            new Trainer(TrainingTestData.Task(model, genome, plan), LrSchedule.Pretraining(1e-3, 10), Options(dir.Path, 1)).Run();
        }
        manual_seed(1);
        using var other = new Genomics.Mamba.Modules.MambaLM(TrainingTestData.TinyMamba with { DModel = 32 });
        using var checkpoint = Checkpoint.Load(Path.Combine(dir.Path, Trainer.CheckpointFileName));
        var trainer = new Trainer(TrainingTestData.Task(other, genome, plan), LrSchedule.Pretraining(1e-3, 10), Options(dir.Path, 2));
        var e = Assert.Throws<Genomics.Data.DataFormatException>(() => trainer.Run(checkpoint));
        Assert.Contains("d_model", e.Message);
    }
}
