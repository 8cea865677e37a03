using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Runtime;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Modules;

/// <summary>
/// Segmented recompute (<see cref="SegmentedRecompute"/>) against the plain block: outputs and every gradient —
/// hidden, residual, each parameter — for segment lengths that do not divide L, 1, and ≥ L; then the whole model;
/// then the memory it is for.
/// </summary>
public class SegmentedRecomputeTests(ITestOutputHelper log)
{
    /// <summary>Forward (plain when <paramref name="segment"/> is null), then backward of a weighted sum of both outputs.</summary>
    static BlockRun RunBlock(MambaBlock block, Tensor hidden, Tensor? residual, Tensor? wHidden, Tensor? wResidual, long? segment,
        bool wholeBlockCheckpoint = false) =>
        BlockRun.Of(block, hidden, residual, wHidden, wResidual,
            (h, r) => segment is { } s ? SegmentedRecompute.Forward(block, h, r, s)
                : wholeBlockCheckpoint ? BlockRecompute.Forward(block, h, r) : block.forward(h, r));

    /// <summary>The residual out is the block's input sum itself: bit for bit.</summary>
    void AssertSame(BlockRun actual, BlockRun expected, double rtol, double atol, string tag) =>
        actual.AssertClose(log, expected, rtol, atol, tag, exactResidual: true);

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(true, false, true)]
    [InlineData(false, true, true)]
    public void An_unused_output_is_a_zero_gradient_for_checkpoints_too(bool useHidden, bool useResidual, bool segmented)
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(18);
        using var block = new MambaBlock(Small);
        using var scope = NewDisposeScope();
        var hidden = randn(1, 21, 16);
        var residual = randn(1, 21, 16);
        var w = randn(1, 21, 16);
        var plain = RunBlock(block, hidden, residual, useHidden ? w : null, useResidual ? w : null, null);
        var recomputed = RunBlock(block, hidden, residual, useHidden ? w : null, useResidual ? w : null,
            segmented ? 4 : null, wholeBlockCheckpoint: !segmented);
        string tag = $"{(segmented ? "segmented" : "checkpointed")}, only {(useHidden ? "hidden" : "residual")} used";
        Compare.Close(log, $"{tag} d hidden", recomputed.DHidden, plain.DHidden, 1e-5, 1e-6, scaled: true);
        Compare.Close(log, $"{tag} d residual", recomputed.DResidual!, plain.DResidual!, 1e-5, 1e-6, scaled: true);
        foreach (var (name, g) in plain.DParameters)
        {
            Compare.Close(log, $"{tag} d {name}", recomputed.DParameters[name], g, 1e-5, 1e-6, scaled: true);
        }
    }

    static readonly MambaConfig Small = new() { DModel = 16, NLayer = 2, DState = 8 };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(16)]
    [InlineData(36)]
    [InlineData(37)]
    [InlineData(1000)]
    public void Segments_give_the_plain_block_outputs_and_every_gradient_in_float32(long segment)
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(11);
        using var block = new MambaBlock(Small);
        using var scope = NewDisposeScope();
        var hidden = randn(2, 37, 16);
        var residual = randn(2, 37, 16);
        var wHidden = randn(2, 37, 16);
        var wResidual = randn(2, 37, 16);
        var plain = RunBlock(block, hidden, residual, wHidden, wResidual, null);
        var segmented = RunBlock(block, hidden, residual, wHidden, wResidual, segment);
        // Same sums in another order (the conv by window instead of padding, the scan restarted from h0): fp32 rounding only.
        AssertSame(segmented, plain, 1e-5, 1e-6, $"S {segment}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(10)]
    [InlineData(29)]
    [InlineData(64)]
    public void Segments_are_exact_in_float64_on_the_reference_scan(long segment)
    {
        // fp64 routes the scan to the TorchSharp reference, so this checks the carried states' algebra, not the kernel.
        TorchRuntime.EnsureLoaded();
        manual_seed(12);
        using var block = new MambaBlock(Small);
        block.to(float64);
        using var scope = NewDisposeScope();
        var hidden = randn(1, 29, 16, float64);
        var wHidden = randn(1, 29, 16, float64);
        var wResidual = randn(1, 29, 16, float64);
        var plain = RunBlock(block, hidden, null, wHidden, wResidual, null);
        var segmented = RunBlock(block, hidden, null, wHidden, wResidual, segment);
        AssertSame(segmented, plain, 1e-11, 1e-12, $"fp64 S {segment}");
    }

    [Fact]
    public void A_conv_wider_than_the_segment_still_sees_its_whole_left_context()
    {
        // d_conv 6 with segments of 2: each segment's tail reaches back over two earlier segments.
        TorchRuntime.EnsureLoaded();
        manual_seed(13);
        using var block = new MambaBlock(Small with { DConv = 6 });
        using var scope = NewDisposeScope();
        var hidden = randn(1, 23, 16);
        var residual = randn(1, 23, 16);
        var w = randn(1, 23, 16);
        var plain = RunBlock(block, hidden, residual, w, w, null);
        var segmented = RunBlock(block, hidden, residual, w, w, 2);
        AssertSame(segmented, plain, 1e-5, 1e-6, "d_conv 6, S 2");
    }

    static (Tensor Logits, Dictionary<string, Tensor> Grads) RunModel(MambaLM model, Tensor ids, SegmentPolicy segmenting,
        RecomputePolicy checkpointing = RecomputePolicy.Never)
    {
        model.Backbone.Segmenting = segmenting;
        model.Backbone.Recompute = checkpointing;
        model.zero_grad();
        long l = ids.shape[1] - 1;
        var logits = model.forward(ids.narrow(1, 0, l));
        MambaLM.Loss(logits, ids.narrow(1, 1, l)).backward();
        var grads = model.named_parameters().Where(p => p.parameter.requires_grad)
            .ToDictionary(p => p.name, p => p.parameter.grad!.clone());
        return (logits.detach(), grads);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(100)]
    [InlineData(4096)]
    public void A_segmented_model_gives_the_plain_logits_and_every_parameter_gradient(long segment)
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(14);
        using var model = new MambaLM(new MambaConfig { DModel = 32, NLayer = 3 });
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(2, 101, start: 1_400_000);
        var plain = RunModel(model, ids, SegmentPolicy.Off);
        var segmented = RunModel(model, ids, SegmentPolicy.Every(segment));

        Compare.Close(log, $"S {segment} logits", segmented.Logits, plain.Logits, 1e-5, 1e-6, scaled: true);
        foreach (var (name, g) in plain.Grads)
        {
            Assert.True(g.abs().sum().item<float>() > 0, $"{name}: zero gradient");
            Compare.Close(log, $"S {segment} grad/{name}", segmented.Grads[name], g, 1e-5, 1e-6, scaled: true);
        }
    }

    [Fact]
    public void Without_grad_the_forward_runs_segment_by_segment_to_the_same_logits()
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(15);
        using var model = new MambaLM(new MambaConfig { DModel = 32, NLayer = 2 });
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = ModuleTestData.DnaTokens(1, 90, start: 1_500_000);
        model.Backbone.Segmenting = SegmentPolicy.Off;
        var plain = model.forward(ids);
        model.Backbone.Segmenting = SegmentPolicy.Every(13);
        var segmented = model.forward(ids);
        Assert.False(segmented.requires_grad);
        Compare.Close(log, "no-grad S 13 logits", segmented, plain, 1e-5, 1e-6, scaled: true);
    }

    [Fact]
    public void Segmenting_with_frozen_parameters_matches_plain()
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(16);
        using var model = new MambaLM(new MambaConfig { DModel = 32, NLayer = 2 });
        model.Backbone.Embedding.weight!.requires_grad = false;
        model.Backbone.Layers[0].Mixer.InProj.weight.requires_grad = false;
        model.Backbone.Layers[1].Mixer.ALog.requires_grad = false;
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(2, 50, start: 1_600_000);
        var plain = RunModel(model, ids, SegmentPolicy.Off);
        var segmented = RunModel(model, ids, SegmentPolicy.Every(9));
        Assert.Equal(plain.Grads.Keys.Order(), segmented.Grads.Keys.Order());
        foreach (var (name, g) in plain.Grads)
        {
            Compare.Close(log, "frozen grad/" + name, segmented.Grads[name], g, 1e-5, 1e-6, scaled: true);
        }
    }

    [Fact]
    public void Auto_segments_long_training_sequences_only()
    {
        var auto = SegmentPolicy.Auto;
        Assert.Null(auto.SegmentFor(SegmentPolicy.AutoFromLength - 1, RecomputePolicy.Auto));
        Assert.Equal(SegmentPolicy.AutoSegmentLength, auto.SegmentFor(SegmentPolicy.AutoFromLength, RecomputePolicy.Auto));
        Assert.Equal(SegmentPolicy.AutoSegmentLength, auto.SegmentFor(1 << 20, RecomputePolicy.Always));
        Assert.Null(auto.SegmentFor(1 << 20, RecomputePolicy.Never));
        Assert.Null(SegmentPolicy.Off.SegmentFor(1 << 20, RecomputePolicy.Always));
        Assert.Equal(5, SegmentPolicy.Every(5).SegmentFor(3, RecomputePolicy.Never));
        Assert.Throws<ArgumentOutOfRangeException>(() => SegmentPolicy.Every(0));
        Assert.Equal(SegmentPolicy.Auto, new MambaBackbone(Small).Segmenting);
    }
}
