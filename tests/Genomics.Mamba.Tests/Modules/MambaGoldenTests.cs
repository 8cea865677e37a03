using Genomics.Mamba.Modules;
using Genomics.Mamba.Runtime;
using Genomics.Mamba.Scan;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Modules;

/// <summary>
/// The C# model against tools/golden/make_mamba_golden.py, a CPU port of mamba_ssm's MambaLMHeadModel: same
/// weights by mamba_ssm key name, same tokens → same logits, loss and gradient of every parameter. The golden
/// outputs were computed in float64 from float32 weights, so a float64 run here must agree to rounding, and a
/// float32 run within float32 tolerances.
/// </summary>
public class MambaGoldenTests(ITestOutputHelper log)
{
    static readonly Lazy<Golden> Tiny = new(() =>
    {
        TorchRuntime.EnsureLoaded();
        return ModuleTestData.LoadGolden("mamba-tiny");
    });

    [Fact]
    public void Golden_weights_load_by_mamba_ssm_key_and_cover_every_parameter()
    {
        var golden = Tiny.Value;
        using var model = new MambaLM(golden.Config);
        var names = model.named_parameters().Select(p => p.name).ToHashSet();
        Assert.Equal(names.Order(), golden.Weights.Keys.Where(k => k != "lm_head.weight").Order());
        model.LoadStateDict(golden.Weights);
        foreach (var (name, p) in model.named_parameters())
        {
            Assert.True(p.allclose(golden.Weights[name], 0, 0), name);
        }
        Assert.Equal(golden.Config.ParameterCount, model.ParameterCount);
    }

    [Fact]
    public void Float32_logits_loss_and_every_gradient_match_the_mamba_ssm_port()
    {
        // float32 against an exact (float64) reference: rtol 1e-4 and an atol of 1e-5 × the tensor's largest value.
        // Scaled, because some gradients are tiny at init (dt_proj.weight ~5e-7, A_log ~1e-5): a plain atol 1e-5
        // would accept anything for them. Measured: ~1e-6 of scale or better; mamba_ssm's float32 tolerances
        // (rtol 6e-4, atol 2e-3) would be far looser than needed.
        log.WriteLine($"scan backend: {ScanBackend.Kind}");
        double worst = Run(float32, rtol: 1e-4, atol: 1e-5, scaled: true);
        log.WriteLine($"float32 worst max|diff| {worst:E2}");
    }

    [Fact]
    public void Float64_logits_loss_and_every_gradient_match_the_mamba_ssm_port_to_rounding()
    {
        // float64 runs the reference scan (the native kernel is float32-only): same math, different op order.
        double worst = Run(float64, rtol: 1e-9, atol: 1e-9, scaled: true);
        log.WriteLine($"float64 worst max|diff| {worst:E2}");
    }

    double Run(ScalarType dtype, double rtol, double atol, bool scaled)
    {
        var golden = Tiny.Value;
        using var scope = NewDisposeScope();
        using var model = new MambaLM(golden.Config);
        model.LoadStateDict(golden.Weights);
        model.to(dtype);

        var tokens = golden.Tensors["tokens"];                             // (b, l + 1)
        long l = tokens.shape[1] - 1;
        var logits = model.forward(tokens.narrow(1, 0, l));                // (b, l, v)
        var loss = MambaLM.Loss(logits, tokens.narrow(1, 1, l));
        loss.backward();

        double worst = Compare.Close(log, "logits", logits, golden.Tensors["logits"], rtol, atol, scaled);
        worst = Math.Max(worst, Compare.Close(log, "loss", loss, golden.Tensors["loss"], rtol, atol, scaled));
        foreach (var (name, p) in model.named_parameters())
        {
            Assert.NotNull(p.grad);
            worst = Math.Max(worst, Compare.Close(log, "grad/" + name, p.grad!, golden.Tensors["grad/" + name], rtol, atol, scaled));
        }
        return worst;
    }
}
