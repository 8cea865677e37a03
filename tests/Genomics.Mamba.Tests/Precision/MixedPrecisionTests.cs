using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Precision;
using Genomics.Mamba.Runtime;
using Genomics.Mamba.Tests.Modules;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Precision;

/// <summary>
/// bf16 compute with fp32 master weights against the fp32 model: logits and loss within tolerance, gradient directions,
/// fp32 gradients on fp32 parameters, an optimizer step that still lowers the loss on real DNA, and the recompute paths
/// (checkpointing, segments, grouped FFTs) agreeing with the plain bf16 forward.
/// </summary>
public class MixedPrecisionTests(ITestOutputHelper log)
{
    /// <summary>bf16 keeps 8 significant bits (relative step 2^-8 ≈ 4e-3); a few layers of it compound to about 1e-2.</summary>
    const double LossRelTolerance = 2e-2;

    static readonly MambaConfig Mamba = new() { DModel = 64, NLayer = 4 };
    static readonly HyenaConfig Hyena = new HyenaConfig { DModel = 64, NLayer = 2 }.ForContext(256);

    static Tensor Inputs(Tensor ids) => ids.narrow(1, 0, ids.shape[1] - 1);

    static Tensor Targets(Tensor ids) => ids.narrow(1, 1, ids.shape[1] - 1);

    /// <summary>A few fp32 AdamW steps, so the comparison is made on a model whose logits say something (not ln 16 everywhere).</summary>
    static void Warm(nn.Module<Tensor, Tensor> model, IEnumerable<TorchSharp.Modules.Parameter> parameters, Tensor ids, int steps, double lr)
    {
        using var optimizer = optim.AdamW(parameters, lr: lr, beta1: 0.9, beta2: 0.95);
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            MambaLM.Loss(model.forward(Inputs(ids)), Targets(ids)).backward();
            optimizer.step();
        }
    }

    sealed record Pass(Tensor Logits, double Loss, Dictionary<string, Tensor> Grads);

    static Pass Run(nn.Module<Tensor, Tensor> model, Tensor ids)
    {
        model.zero_grad();
        var logits = model.forward(Inputs(ids));
        var loss = MambaLM.Loss(logits, Targets(ids));
        loss.backward();
        var grads = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone());
        return new Pass(logits.detach(), loss.item<float>(), grads);
    }

    /// <summary>Cosine similarity of two gradients, flattened.</summary>
    static double Cosine(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var x = a.to(float64).flatten();
        var y = b.to(float64).flatten();
        return (x.dot(y) / (x.norm() * y.norm() + 1e-300)).item<double>();
    }

    /// <summary>
    /// The tolerances: loss within <see cref="LossRelTolerance"/>; logits off by under 1% of their largest magnitude on
    /// average (single positions can be off by ~10%: bf16 rounding of in_proj/out_proj compounds through the blocks); next-
    /// token probabilities within 0.05 everywhere; each parameter's gradient pointing the same way (cosine above
    /// <paramref name="minCosine"/>).
    /// </summary>
    void CompareToFloat32(Pass bf16, Pass fp32, string tag, double minCosine)
    {
        double lossRel = Math.Abs(bf16.Loss - fp32.Loss) / fp32.Loss;
        using var scope = NewDisposeScope();
        var diff = (bf16.Logits - fp32.Logits).abs();
        double logitsMean = diff.mean().item<float>(), logitsMax = diff.max().item<float>();
        double logitsScale = fp32.Logits.abs().max().item<float>();
        double probMax = (softmax(bf16.Logits, -1) - softmax(fp32.Logits, -1)).abs().max().item<float>();
        log.WriteLine($"{tag}: loss fp32 {fp32.Loss:F5} bf16 {bf16.Loss:F5} (rel {lossRel:E2}); logits |diff| mean {logitsMean:E2} " +
                      $"max {logitsMax:E2} (max |logit| {logitsScale:F3}); probabilities max|diff| {probMax:E2}");
        Assert.True(lossRel < LossRelTolerance, $"{tag}: loss rel {lossRel:E2}");
        Assert.True(logitsMean < 1e-2 * logitsScale, $"{tag}: logits differ by {logitsMean:E2} on average (max |logit| {logitsScale:F3})");
        Assert.True(probMax < 5e-2, $"{tag}: a probability differs by {probMax:E2}");
        double worst = 1;
        string worstName = "";
        foreach (var (name, g) in fp32.Grads)
        {
            var g16 = bf16.Grads[name];
            Assert.Equal(float32, g16.dtype);
            double cos = Cosine(g16, g);
            if (cos < worst)
            {
                (worst, worstName) = (cos, name);
            }
        }
        log.WriteLine($"{tag}: lowest gradient cosine {worst:F5} ({worstName}) over {fp32.Grads.Count} parameters");
        Assert.True(worst > minCosine, $"{tag}: gradient of {worstName} has cosine {worst:F5} with fp32's");
    }

    [Fact]
    public void Mamba_in_bf16_stays_within_tolerance_of_fp32_and_feeds_fp32_masters()
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(21);
        using var model = new MambaLM(Mamba);
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(2, 513, start: 2_100_000);
        Warm(model, model.parameters(), ids, steps: 6, lr: 8e-3);

        model.Precision = ComputePrecision.Float32;
        var fp32 = Run(model, ids);
        model.Precision = ComputePrecision.BFloat16;
        Assert.All(model.Backbone.Layers, b => Assert.Equal(ComputePrecision.BFloat16, b.Mixer.Precision));
        var bf16 = Run(model, ids);
        Assert.Equal(float32, bf16.Logits.dtype);
        foreach (var (name, p) in model.named_parameters())
        {
            Assert.Equal(float32, p.dtype);
            var g = p.grad!;
            Assert.Equal(float32, g.dtype);
            double norm = g.abs().sum().item<float>();
            Assert.True(norm > 0 && double.IsFinite(norm), $"{name}: |grad| sum {norm}");
        }
        CompareToFloat32(bf16, fp32, "Mamba", minCosine: 0.98);
    }

    [Fact]
    public void HyenaDNA_in_bf16_stays_within_tolerance_of_fp32()
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(22);
        using var model = new HyenaLM(Hyena);
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(2, 257, start: 2_200_000);
        Warm(model, model.parameters(), ids, steps: 6, lr: 2e-3);

        var fp32 = Run(model, ids);
        model.Precision = ComputePrecision.BFloat16;
        var bf16 = Run(model, ids);
        Assert.All(model.parameters(), p => Assert.Equal(float32, p.dtype));
        CompareToFloat32(bf16, fp32, "HyenaDNA", minCosine: 0.98);
    }

    [Fact]
    public void One_bf16_AdamW_step_lowers_the_loss_on_real_DNA()
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(23);
        using var model = new MambaLM(Mamba) { Precision = ComputePrecision.BFloat16 };
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(4, 257, start: 1_800_000);
        using var optimizer = optim.AdamW(model.ParameterGroups().ForAdamW(lr: 8e-3, weightDecay: 0.1), lr: 8e-3);
        var before = MambaLM.Loss(model.forward(Inputs(ids)), Targets(ids));
        optimizer.zero_grad();
        before.backward();
        optimizer.step();
        float after;
        using (no_grad())
        {
            after = MambaLM.Loss(model.forward(Inputs(ids)), Targets(ids)).item<float>();
        }
        log.WriteLine($"bf16 loss {before.item<float>():F4} → {after:F4}");
        Assert.True(after < before.item<float>() - 1e-3, $"loss {before.item<float>():F4} → {after:F4}");
        Assert.All(model.parameters(), p => Assert.Equal(float32, p.dtype));
    }

    [Fact]
    public void Recomputed_bf16_blocks_match_the_plain_bf16_forward()
    {
        // Recompute reruns the same bf16 kernels on the same layouts, so it matches bit for bit on every CPU. Any
        // reordered fp32 addition would not stay small here: the bf16 casts downstream turn a one-ulp fp32 difference
        // into a whole bf16 ulp (2^-8) wherever a value sits near a rounding boundary. Two such reorderings were found
        // and removed: under no_grad libtorch ran a transposed (b, l, in) Linear input as a batched bmm, with grad as one
        // folded mm — different bf16 gemm loops on AVX2-only CPUs, where oneDNN has no bf16 matmul (MixedPrecision.Linear
        // now always folds) — and plain autograd summed the residual gradient with the norm's two input gradients in
        // another order than the recompute did (RmsNorm now reads its input through one view). Segments change the conv's
        // windows and the scan's restarts, whose roundings then pass through bf16 casts: a looser bound.
        TorchRuntime.EnsureLoaded();
        manual_seed(24);
        using var model = new MambaLM(Mamba) { Precision = ComputePrecision.BFloat16 };
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(2, 301, start: 1_700_000);
        model.Backbone.Recompute = RecomputePolicy.Never;
        model.Backbone.Segmenting = SegmentPolicy.Off;
        var plain = Run(model, ids);
        model.Backbone.Recompute = RecomputePolicy.Always;
        var checkpointed = Run(model, ids);
        model.Backbone.Segmenting = SegmentPolicy.Every(77);
        var segmented = Run(model, ids);

        Compare.Close(log, "bf16 checkpointed logits", checkpointed.Logits, plain.Logits, 0, 0);
        Compare.Close(log, "bf16 segmented logits", segmented.Logits, plain.Logits, 2e-2, 1e-2, scaled: true);
        foreach (var (name, g) in plain.Grads)
        {
            Compare.Close(log, "bf16 checkpointed grad/" + name, checkpointed.Grads[name], g, 0, 0);
            double cos = Cosine(segmented.Grads[name], g);
            Assert.True(cos > 0.99, $"segmented bf16 grad/{name}: cosine {cos:F5}");
        }
    }

    [Fact]
    public void Casts_happen_only_in_bf16_mode()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        var x = randn(3, 4);
        Assert.Same(x, MixedPrecision.Compute(x, ComputePrecision.Float32));
        Assert.Equal(bfloat16, MixedPrecision.Compute(x, ComputePrecision.BFloat16).dtype);
        var master = zeros(1);
        Assert.Same(x, MixedPrecision.ToMaster(x, master));
        Assert.Equal(float32, MixedPrecision.ToMaster(x.to(bfloat16), master).dtype);
        using var linear = nn.Linear(4, 5);
        var y = MixedPrecision.Linear(x, linear, ComputePrecision.BFloat16);
        Assert.Equal(bfloat16, y.dtype);
        Assert.True(y.to(float32).allclose(linear.forward(x), 2e-2, 2e-2));
    }
}
