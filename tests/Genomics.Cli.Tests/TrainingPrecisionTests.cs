using System.Text.Json.Nodes;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Runtime;
using static TorchSharp.torch;

namespace Genomics.Cli.Tests;

/// <summary>`--dtype bf16` through the command line: bf16 activations really used, fp32 master weights saved.</summary>
public class TrainingPrecisionTests
{
    static readonly string[] Tiny = ["--preset", "d16x2", "--tokens-per-step", "4096", "--valid-windows", "1", "--steps", "2"];

    static double[] StepLosses(string runDir) =>
        File.ReadLines(Path.Combine(runDir, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!)
            .Where(m => (string?)m["event"] == "step").Select(m => (double)m["loss"]!).ToArray();

    [Theory]
    [InlineData("mamba")]
    [InlineData("hyena")]
    public void Pretrain_in_bf16_tracks_fp32_and_saves_fp32_master_weights(string model)
    {
        using var dir = TestData.NewTempDir();
        var fp32 = Genomamba.Run(dir, ["pretrain", "--model", model, .. Tiny, "--out", "fp32"]);
        Assert.True(fp32.ExitCode == 0, fp32.Stderr + fp32.StdoutText);
        var bf16 = Genomamba.Run(dir, ["pretrain", "--model", model, .. Tiny, "--out", "bf16", "--dtype", "bf16"]);
        Assert.True(bf16.ExitCode == 0, bf16.Stderr + bf16.StdoutText);
        Assert.Contains("activations bf16", bf16.StdoutText);

        // Step 1 starts from the same weights (same seed) on the same batch: only the activation precision differs.
        double[] a = StepLosses(dir.File("fp32")), b = StepLosses(dir.File("bf16"));
        Assert.Equal(2, a.Length);
        Assert.Equal(2, b.Length);
        Assert.NotEqual(a[0], b[0]);                                   // bf16 was really used
        Assert.True(Math.Abs(a[0] - b[0]) < 0.02 * a[0], $"step-1 loss fp32 {a[0]} vs bf16 {b[0]}");
        Assert.True(Math.Abs(a[1] - b[1]) < 0.03 * a[1], $"step-2 loss fp32 {a[1]} vs bf16 {b[1]}");

        TorchRuntime.EnsureLoaded();
        using var checkpoint = Checkpoint.Load(dir.File(Path.Combine("bf16", "checkpoint.gmckpt")));
        Assert.NotEmpty(checkpoint.Weights);
        Assert.All(checkpoint.Weights, kv => Assert.True(kv.Value.dtype == ScalarType.Float32, $"{kv.Key} is {kv.Value.dtype}"));
    }
}
