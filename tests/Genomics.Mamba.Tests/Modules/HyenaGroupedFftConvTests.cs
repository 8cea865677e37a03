using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Runtime;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Modules;

/// <summary>The long convolution a channel group at a time (<see cref="HyenaGroupedFftConv"/>) against the plain one.</summary>
public class HyenaGroupedFftConvTests(ITestOutputHelper log)
{
    /// <summary>fp32 unit roundoff, 2^-24.</summary>
    const double U32 = 1.0 / (1 << 24);

    /// <summary>
    /// The two paths cannot agree bit for bit. libtorch's CPU FFT (MKL) picks its kernel by the number of transforms in
    /// a call — 2·G for a group of G channels against 2·d for the plain call — and by the CPU, vectorising across
    /// transforms when there are enough of them, so a group's transforms round differently from the plain ones (more so
    /// on AVX2-only CPUs); the D gradient is a reduction over (b, l) whose order follows the tensor's shape. Each path is
    /// within the FFT's own error bound of the exact result, so their difference is held to twice that bound, derived
    /// from fp32 and the transform/reduction length rather than fitted to what one CPU gives:
    /// <list type="bullet">
    /// <item>a convolution (or correlation) of a and b by a size-N FFT is off by at most ≈ u·log₂N·‖a‖₂‖b‖₂ at any
    /// output (the Cooley–Tukey bound; relative to the norms of the two signals, not to the output, which can be ~0):
    /// y and du per (batch, channel), dk per channel summed over the batch;</item>
    /// <item>a sum of n terms by libtorch's cascade summation is off by at most ≈ u·log₂n·Σ|terms|: dD, n = b·l;</item>
    /// <item>plus a few roundings of the output itself (the D skip added, the cast back): 4u relative.</item>
    /// </list>
    /// The differences seen (AVX-512; AVX2 and SSE4.2 kernels forced) are at most 0.3× the bound; a wrong channel,
    /// filter or group boundary gives O(1) differences against bounds of ~10^-5.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(64)]
    public void Grouped_FFT_convolution_equals_the_plain_one_with_its_gradients(long channels)
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(31);
        using var scope = NewDisposeScope();
        const long B = 2, D = 10, L = 77;
        var u = randn(B, D, L);
        var k = randn(D, L);
        var d = randn(D);
        var w = randn(B, D, L);                                            // the output gradient: loss = Σ y·w
        (Tensor Y, Tensor[] Grads) Run(Func<Tensor, Tensor, Tensor, Tensor> conv)
        {
            var uu = u.detach().requires_grad_(true);
            var kk = k.detach().requires_grad_(true);
            var dd = d.detach().requires_grad_(true);
            var y = conv(uu, kk, dd);
            (y * w).sum().backward();
            return (y.detach(), [uu.grad!.clone(), kk.grad!.clone(), dd.grad!.clone()]);
        }
        var plain = Run(HyenaFftConv.Forward);
        var grouped = Run((a, b, c) => HyenaGroupedFftConv.Apply(a, b, c, channels));

        double fft = 2 * U32 * Math.Log2(2 * L);                           // twice the size-2L FFT convolution bound
        double sum = 2 * U32 * Math.Log2(B * L);                           // twice the cascade-sum bound over (b, l)
        var nu = u.norm(-1, keepdim: true);                                // (b, d, 1)
        var nk = k.norm(-1, keepdim: true);                                // (d, 1)
        var nw = w.norm(-1, keepdim: true);                                // (b, d, 1)
        Within(log, $"G {channels} y", grouped.Y, plain.Y, fft * nu * nk);
        Within(log, $"G {channels} du", grouped.Grads[0], plain.Grads[0], fft * nw * nk);
        Within(log, $"G {channels} dk", grouped.Grads[1], plain.Grads[1], fft * (nu * nw).sum(0));
        Within(log, $"G {channels} dD", grouped.Grads[2], plain.Grads[2], sum * (u * w).abs().sum([0, 2]));
    }

    /// <summary>|actual − expected| ≤ bound + 4u·|expected| elementwise (bound broadcast); logs the worst ratio to the bound.</summary>
    static void Within(ITestOutputHelper log, string name, Tensor actual, Tensor expected, Tensor bound)
    {
        using var scope = NewDisposeScope();
        var diff = (actual - expected).abs().to(float64);
        var allowed = bound.to(float64) + 4 * U32 * expected.abs().to(float64);
        double worst = (diff / allowed).max().item<double>();
        log.WriteLine($"{name,-12} max|diff| {diff.max().item<double>():E2}  worst |diff|/bound {worst:F3}");
        Assert.True(worst <= 1, $"{name}: a difference is {worst:F2}× its fp32 error bound (max|diff| {diff.max().item<double>():E2})");
    }

    [Fact]
    public void Automatic_groups_start_where_a_group_outgrows_2_to_the_24_values()
    {
        Assert.Equal(128, HyenaGroupedFftConv.AutoChannels(1, 128, 1 << 16));   // 2^17 per channel: one group
        Assert.Equal(64, HyenaGroupedFftConv.AutoChannels(1, 128, 1 << 17));
        Assert.Equal(8, HyenaGroupedFftConv.AutoChannels(1, 128, 1 << 20));
        Assert.Equal(1, HyenaGroupedFftConv.AutoChannels(64, 128, 1 << 20));
    }

    static (Tensor Logits, Dictionary<string, Tensor> Grads) RunModel(HyenaLM model, Tensor ids)
    {
        model.zero_grad();
        long l = ids.shape[1] - 1;
        var logits = model.forward(ids.narrow(1, 0, l));
        HyenaLM.Loss(logits, ids.narrow(1, 1, l)).backward();
        return (logits.detach(), model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone()));
    }

    [Fact]
    public void A_HyenaDNA_model_with_grouped_FFTs_and_checkpointed_blocks_matches_the_plain_model()
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(32);
        using var model = new HyenaLM(new HyenaConfig { DModel = 24, NLayer = 2 }.ForContext(128));
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(2, 121, start: 1_900_000);
        var plain = RunModel(model, ids);
        model.Backbone.FftChannels = 5;
        model.Backbone.Recompute = RecomputePolicy.Always;
        var grouped = RunModel(model, ids);

        Compare.Close(log, "grouped logits", grouped.Logits, plain.Logits, 1e-5, 1e-6, scaled: true);
        foreach (var (name, g) in plain.Grads)
        {
            Assert.True(g.abs().sum().item<float>() > 0, $"{name}: zero gradient");
            Compare.Close(log, "grouped grad/" + name, grouped.Grads[name], g, 1e-5, 1e-6, scaled: true);
        }
        using (no_grad())
        {
            model.eval();
            var inference = model.forward(ids.narrow(1, 0, 120));
            Compare.Close(log, "grouped no-grad logits", inference, plain.Logits, 1e-5, 1e-6, scaled: true);
        }
    }
}
