using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Precision;
using Genomics.Mamba.Runtime;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Modules;

/// <summary>
/// Staged recompute of a HyenaDNA block (<see cref="HyenaStagedRecompute"/>) against the plain block: outputs and
/// every gradient — hidden, residual, each parameter — for chunks that do not divide L, chunks narrower than the short
/// convolution, and FFT groups that do not divide d; then whole models, with and without grad, in fp32 and bf16.
/// </summary>
public class HyenaStagedRecomputeTests(ITestOutputHelper log)
{
    static readonly HyenaConfig Small = new HyenaConfig { DModel = 16, NLayer = 2 }.ForContext(64);

    /// <summary>Forward (plain when <paramref name="chunk"/> is null), then backward of a weighted sum of both outputs.</summary>
    static BlockRun RunBlock(HyenaBlock block, Tensor hidden, Tensor? residual, Tensor? wHidden, Tensor? wResidual, long? chunk) =>
        BlockRun.Of(block, hidden, residual, wHidden, wResidual,
            (h, r) => chunk is { } c ? HyenaStagedRecompute.Forward(block, h, r, c) : block.forward(h, r));

    /// <summary>Parameter gradients within atol × 10: the stages add their chunks' sums up in another order.</summary>
    void AssertSame(BlockRun actual, BlockRun expected, double rtol, double atol, string tag) =>
        actual.AssertClose(log, expected, rtol, atol, tag, parameterAtolScale: 10);

    [Theory]
    [InlineData(1, 16)]
    [InlineData(2, 3)]
    [InlineData(3, 5)]
    [InlineData(5, 1)]
    [InlineData(16, 7)]
    [InlineData(36, 16)]
    [InlineData(37, 4)]
    [InlineData(1000, 16)]
    public void Staged_block_gives_the_plain_outputs_and_every_gradient_in_float32(long chunk, long channels)
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(61);
        using var block = new HyenaBlock(Small);
        block.Mixer.FftChannels = channels;
        using var scope = NewDisposeScope();
        var hidden = randn(2, 37, 16);
        var residual = randn(2, 37, 16);
        var wHidden = randn(2, 37, 16);
        var wResidual = randn(2, 37, 16);
        var plain = RunBlock(block, hidden, residual, wHidden, wResidual, null);
        var staged = RunBlock(block, hidden, residual, wHidden, wResidual, chunk);
        // The same sums in another order (chunked matmuls, a halo instead of padding, FFTs per group): fp32 rounding only.
        AssertSame(staged, plain, 1e-5, 1e-6, $"chunk {chunk}, G {channels}");
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(4, 16)]
    [InlineData(10, 5)]
    [InlineData(29, 2)]
    public void Staged_block_is_exact_in_float64(long chunk, long channels)
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(62);
        using var block = new HyenaBlock(Small);
        block.to(float64);
        block.Mixer.FftChannels = channels;
        using var scope = NewDisposeScope();
        var hidden = randn(1, 29, 16, float64);
        var wHidden = randn(1, 29, 16, float64);
        var wResidual = randn(1, 29, 16, float64);
        var plain = RunBlock(block, hidden, null, wHidden, wResidual, null);
        var staged = RunBlock(block, hidden, null, wHidden, wResidual, chunk);
        AssertSame(staged, plain, 1e-11, 1e-12, $"fp64 chunk {chunk}, G {channels}");
    }

    [Fact]
    public void A_short_convolution_wider_than_the_chunk_still_sees_its_whole_left_context()
    {
        // Width 6 with chunks of 2: each chunk's halo reaches back over two earlier chunks.
        TorchRuntime.EnsureLoaded();
        manual_seed(63);
        using var block = new HyenaBlock(Small with { ShortFilterOrder = 6 });
        block.Mixer.FftChannels = 3;
        using var scope = NewDisposeScope();
        var hidden = randn(1, 23, 16);
        var residual = randn(1, 23, 16);
        var w = randn(1, 23, 16);
        var plain = RunBlock(block, hidden, residual, w, w, null);
        var staged = RunBlock(block, hidden, residual, w, w, 2);
        AssertSame(staged, plain, 1e-5, 1e-6, "short conv 6, chunk 2");
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void An_unused_output_is_a_zero_gradient(bool useHidden, bool useResidual)
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(64);
        using var block = new HyenaBlock(Small);
        using var scope = NewDisposeScope();
        var hidden = randn(1, 21, 16);
        var residual = randn(1, 21, 16);
        var w = randn(1, 21, 16);
        var plain = RunBlock(block, hidden, residual, useHidden ? w : null, useResidual ? w : null, null);
        var staged = RunBlock(block, hidden, residual, useHidden ? w : null, useResidual ? w : null, 4);
        string tag = $"only {(useHidden ? "hidden" : "residual")} used";
        Compare.Close(log, $"{tag} d hidden", staged.DHidden, plain.DHidden, 1e-5, 1e-6, scaled: true);
        Compare.Close(log, $"{tag} d residual", staged.DResidual!, plain.DResidual!, 1e-5, 1e-6, scaled: true);
        foreach (var (name, g) in plain.DParameters)
        {
            Compare.Close(log, $"{tag} d {name}", staged.DParameters[name], g, 1e-5, 1e-5, scaled: true);
        }
    }

    [Fact]
    public void Frozen_parameters_get_no_gradient_and_the_rest_match()
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(65);
        using var block = new HyenaBlock(Small);
        foreach (var p in block.Mixer.Filter.Ffn.parameters().Concat(block.Mixer.InProj.parameters()))
        {
            p.requires_grad_(false);
        }
        using var scope = NewDisposeScope();
        var hidden = randn(1, 30, 16);
        var residual = randn(1, 30, 16);
        var w = randn(1, 30, 16);
        var plain = RunBlock(block, hidden, residual, w, w, null);
        var staged = RunBlock(block, hidden, residual, w, w, 7);
        AssertSame(staged, plain, 1e-5, 1e-6, "frozen filter and in_proj");
        Assert.All(block.Mixer.Filter.Ffn.parameters(), p => Assert.Null(p.grad));
    }

    static (Tensor Logits, Dictionary<string, Tensor> Grads) RunModel(HyenaLM model, Tensor ids, SegmentPolicy segmenting)
    {
        model.Backbone.Segmenting = segmenting;
        model.zero_grad();
        long l = ids.shape[1] - 1;
        var logits = model.forward(ids.narrow(1, 0, l));
        HyenaLM.Loss(logits, ids.narrow(1, 1, l)).backward();
        var grads = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone());
        return (logits.detach(), grads);
    }

    [Theory]
    [InlineData(7, 5)]
    [InlineData(33, 24)]
    [InlineData(4096, 7)]
    public void A_staged_model_gives_the_plain_logits_and_every_parameter_gradient(long chunk, long channels)
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(66);
        using var model = new HyenaLM(new HyenaConfig { DModel = 24, NLayer = 2 }.ForContext(128));
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(2, 101, start: 2_100_000);
        model.Backbone.Recompute = RecomputePolicy.Never;
        var plain = RunModel(model, ids, SegmentPolicy.Off);
        model.Backbone.FftChannels = channels;
        var staged = RunModel(model, ids, SegmentPolicy.Every(chunk));

        Compare.Close(log, $"chunk {chunk} logits", staged.Logits, plain.Logits, 1e-5, 1e-6, scaled: true);
        foreach (var (name, g) in plain.Grads)
        {
            Assert.True(g.abs().sum().item<float>() > 0, $"{name}: zero gradient");
            Compare.Close(log, $"chunk {chunk} grad/{name}", staged.Grads[name], g, 1e-5, 1e-5, scaled: true);
        }
    }

    [Fact]
    public void Without_grad_the_staged_forward_gives_the_same_logits_with_and_without_the_filter_cache()
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(67);
        using var model = new HyenaLM(new HyenaConfig { DModel = 24, NLayer = 2 }.ForContext(128));
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(1, 90, start: 2_200_000);
        model.eval();
        using var noGrad = no_grad();
        model.Backbone.Segmenting = SegmentPolicy.Off;
        var plain = model.forward(ids);
        model.Backbone.Segmenting = SegmentPolicy.Every(13);
        model.Backbone.FftChannels = 5;
        var cached = model.forward(ids);                                   // eval, no grad: the spectrum cache
        model.Backbone.CacheFilters = false;
        var grouped = model.forward(ids);                                  // grouped FFTs, filter in chunks
        Assert.False(cached.requires_grad);
        Compare.Close(log, "no-grad chunk 13 logits (cached spectrum)", cached, plain, 1e-5, 1e-6, scaled: true);
        Compare.Close(log, "no-grad chunk 13 logits (grouped)", grouped, plain, 1e-5, 1e-6, scaled: true);
    }

    [Fact]
    public void Staging_works_in_bf16_mixed_precision()
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(68);
        using var model = new HyenaLM(new HyenaConfig { DModel = 24, NLayer = 2 }.ForContext(128));
        model.Precision = ComputePrecision.BFloat16;
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(2, 97, start: 2_300_000);
        model.Backbone.Recompute = RecomputePolicy.Never;
        var plain = RunModel(model, ids, SegmentPolicy.Off);
        model.Backbone.FftChannels = 5;
        var staged = RunModel(model, ids, SegmentPolicy.Every(10));

        // bf16 products are rounded the same way position by position; chunked bf16 matmuls may still round differently.
        Compare.Close(log, "bf16 chunk 10 logits", staged.Logits, plain.Logits, 2e-2, 1e-2, scaled: true);
        foreach (var (name, g) in plain.Grads)
        {
            Assert.Equal(float32, staged.Grads[name].dtype);
            Compare.Close(log, $"bf16 chunk 10 grad/{name}", staged.Grads[name], g, 5e-2, 2e-2, scaled: true);
        }
    }

    [Fact]
    public void Auto_stages_from_2_to_the_17_unless_checkpointing_is_off()
    {
        TorchRuntime.EnsureLoaded();
        using var model = new HyenaLM(new HyenaConfig { DModel = 16, NLayer = 1 });
        Assert.Equal(SegmentPolicy.Auto, model.Backbone.Segmenting);
        Assert.Null(model.Backbone.Segmenting.SegmentFor((1 << 17) - 1, model.Backbone.Recompute));
        Assert.Equal(SegmentPolicy.AutoSegmentLength, model.Backbone.Segmenting.SegmentFor(1 << 17, model.Backbone.Recompute));
        Assert.Null(model.Backbone.Segmenting.SegmentFor(1 << 20, RecomputePolicy.Never));
    }
}
