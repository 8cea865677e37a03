using System.Globalization;
using System.Text.RegularExpressions;
using Genomics.Data.Schedules;
using Genomics.Mamba.Config;
using Genomics.Mamba.Memory;
using Genomics.Mamba.Training;

namespace Genomics.Cli.Tests;

/// <summary>`--dry-run` prints the library's <see cref="TrainingPlan"/>, one row per stage, for both training commands.</summary>
public partial class TrainingPlanCommandTests
{
    [GeneratedRegex(@"^\s+(\d+)\s+([\d,]+)\s+(\d+)\s+([\d,]+)\s+([\d,]+)\s+(\d+) × (\d+)\s+(off|on, segments [\d,]+|on)\s", RegexOptions.Multiline)]
    private static partial Regex StageRow();

    static List<(int Length, int Micro, int Accumulation, string Recompute)> Rows(string stdout) =>
        StageRow().Matches(stdout).Select(m => (int.Parse(m.Groups[2].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture),
            int.Parse(m.Groups[6].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[7].Value, CultureInfo.InvariantCulture), m.Groups[8].Value)).ToList();

    static string Recompute(TrainingStage s) =>
        !s.Memory.Recompute ? "off" : s.Memory.SegmentLength is { } seg ? $"on, segments {seg.ToString("N0", CultureInfo.InvariantCulture)}" : "on";

    [Theory]
    [InlineData(2.0)]   // the micro-batch halves as L doubles: 4, 2, 1
    [InlineData(0.5)]   // recompute throughout, in segments above 2^14
    public void Finetune_species_dry_run_plans_each_warmup_stage_at_its_own_length(double gib)
    {
        using var dir = TestData.NewTempDir();
        var r = Genomamba.Run(dir, "finetune-species", "--len", "65536", "--dry-run", "--memory-gib", gib.ToString(CultureInfo.InvariantCulture));
        Assert.True(r.ExitCode == 0, r.Stderr + r.StdoutText);
        var rows = Rows(r.StdoutText);
        Assert.Equal([1 << 14, 1 << 15, 1 << 16], rows.Select(x => x.Length));

        // The plan the run would execute, made by the library with the recipe's values (quick: d64x4, batch 16, 16 steps
        // per epoch, 3 epochs at 2^16): every row is that stage's own plan.
        var plan = TrainingPlan.ForSpecies(ModelPresets.LanguageModel("mamba", "d64x4", 1 << 16),
            new SpeciesWarmup { TargetLength = 1 << 16, TotalEpochs = 3, Batch = 16 }, 16, (long)(gib * (1L << 30)), TrainingPrecision.Float32);
        for (int i = 0; i < rows.Count; i++)
        {
            var s = plan.Stages[i];
            Assert.Equal((s.Warmup.MicroBatch, s.Warmup.Accumulation, Recompute(s)), (rows[i].Micro, rows[i].Accumulation, rows[i].Recompute));
            Assert.Equal(MemoryPlanner.Plan(plan.Model, s.Warmup.Length, 16, (long)(gib * (1L << 30))), s.Memory);
        }
        Assert.True(rows.Select(x => (x.Micro, x.Recompute)).Distinct().Count() > 1,
            "every stage got the same settings: the target length's plan was applied to the warmup stages");
        Assert.False(Directory.Exists(dir.File("runs")), "a dry run writes nothing");
    }

    [Fact]
    public void Pretrain_hyena_takes_segment_length_in_the_plan_and_in_a_run()
    {
        using var dir = TestData.NewTempDir();
        var dry = Genomamba.Run(dir, "pretrain", "--model", "hyena", "--len", "65536", "--segment-length", "16384", "--dry-run", "--memory-gib", "20");
        Assert.True(dry.ExitCode == 0, dry.Stderr + dry.StdoutText);
        var rows = Rows(dry.StdoutText);
        Assert.Equal(7, rows.Count);
        Assert.All(rows.Where(x => x.Length > 16384), x => Assert.Equal("on, segments 16,384", x.Recompute));
        Assert.All(rows.Where(x => x.Length <= 16384), x => Assert.DoesNotContain("segments", x.Recompute));

        // A real step in position chunks of 512 at L = 2048 (HyenaDNA's staged recompute).
        var run = Genomamba.Run(dir, "pretrain", "--model", "hyena", "--preset", "d16x2", "--len", "2048", "--no-warmup", "--segment-length", "512",
            "--tokens-per-step", "4096", "--steps", "1", "--valid-windows", "1", "--out", "run");
        Assert.True(run.ExitCode == 0, run.Stderr + run.StdoutText);
        Assert.Contains("validation perplexity", run.StdoutText);
    }
}
