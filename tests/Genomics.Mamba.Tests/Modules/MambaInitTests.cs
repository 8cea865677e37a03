using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Runtime;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Modules;

/// <summary>mamba_ssm's initialisation (Mamba.__init__ then _init_weights), checked on the "1.4M" preset.</summary>
public class MambaInitTests(ITestOutputHelper output)
{
    static readonly Lazy<MambaLM> Model = new(() =>
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(11);
        return new MambaLM(MambaConfig.Preset("1.4M"));
    });

    static MambaConfig Config => Model.Value.Config;

    static IEnumerable<MambaMixer> Mixers => Model.Value.Backbone.Layers.Select(b => b.Mixer);

    static Tensor All(Func<MambaMixer, Tensor> pick) => cat(Mixers.Select(m => pick(m).detach().flatten()).ToArray());

    [Fact]
    public void A_log_is_log_1_to_N_in_every_channel_and_D_is_one()
    {
        using var scope = NewDisposeScope();
        var expected = log(arange(1, Config.DState + 1, dtype: float32)).expand(Config.DInner, Config.DState);
        foreach (var mixer in Mixers)
        {
            Assert.True(mixer.ALog.allclose(expected, 0, 0));
            Assert.True(mixer.DSkip.allclose(ones(Config.DInner), 0, 0));
        }
    }

    [Fact]
    public void Softplus_of_the_dt_bias_is_log_uniform_in_dt_min_to_dt_max()
    {
        using var scope = NewDisposeScope();
        var dt = nn.functional.softplus(All(m => m.DtProj.bias!)).to(float64);   // 12 · 256 values
        double min = dt.min().item<double>(), max = dt.max().item<double>();
        var logDt = dt.log();
        double mean = logDt.mean().item<double>(), std = logDt.std().item<double>();
        double lo = Math.Log(Config.DtMin), hi = Math.Log(Config.DtMax);
        output.WriteLine($"softplus(dt bias) in [{min:E3}, {max:E3}]; log: mean {mean:F3} (uniform {(lo + hi) / 2:F3}), std {std:F3} (uniform {(hi - lo) / Math.Sqrt(12):F3})");
        Assert.InRange(min, Config.DtMin * (1 - 1e-4), Config.DtMax);
        Assert.InRange(max, Config.DtMin, Config.DtMax * (1 + 1e-4));
        Assert.InRange(mean, (lo + hi) / 2 - 0.1, (lo + hi) / 2 + 0.1);                 // SE ≈ 1.33 / √3072 ≈ 0.024
        Assert.InRange(std, (hi - lo) / Math.Sqrt(12) * 0.95, (hi - lo) / Math.Sqrt(12) * 1.05);
    }

    [Fact]
    public void Dt_proj_weight_is_uniform_within_dt_rank_to_the_minus_half()
    {
        using var scope = NewDisposeScope();
        var w = All(m => m.DtProj.weight);
        double bound = 1 / Math.Sqrt(Config.DtRank);
        Assert.True(w.abs().max().item<float>() <= bound);
        double std = w.std().item<float>();
        output.WriteLine($"dt_proj.weight std {std:F4}, U(±{bound:F4}) std {bound / Math.Sqrt(3):F4}");
        Assert.InRange(std, bound / Math.Sqrt(3) * 0.95, bound / Math.Sqrt(3) * 1.05);
    }

    [Fact]
    public void Out_proj_is_kaiming_uniform_scaled_by_one_over_root_n_layer_and_in_proj_is_not()
    {
        using var scope = NewDisposeScope();
        // kaiming_uniform(a = √5) is U(±1/√fan_in), std 1/√(3·fan_in); out_proj's fan_in is d_inner.
        double outBound = 1 / Math.Sqrt(Config.DInner) / Math.Sqrt(Config.NLayer);
        var outW = All(m => m.OutProj.weight);
        double outStd = outW.std().item<float>();
        output.WriteLine($"out_proj std {outStd:F5} (expected {outBound / Math.Sqrt(3):F5}, unscaled {outBound * Math.Sqrt(Config.NLayer) / Math.Sqrt(3):F5})");
        Assert.True(outW.abs().max().item<float>() <= outBound * (1 + 1e-6));
        Assert.InRange(outStd, outBound / Math.Sqrt(3) * 0.98, outBound / Math.Sqrt(3) * 1.02);

        double inBound = 1 / Math.Sqrt(Config.DModel);
        double inStd = All(m => m.InProj.weight).std().item<float>();
        Assert.InRange(inStd, inBound / Math.Sqrt(3) * 0.98, inBound / Math.Sqrt(3) * 1.02);
    }

    [Fact]
    public void Embedding_is_normal_with_std_0_02_norms_are_one_and_conv_bias_keeps_pytorch_default()
    {
        using var scope = NewDisposeScope();
        var backbone = Model.Value.Backbone;
        var e = backbone.Embedding.weight!.detach();
        double std = e.std().item<float>(), mean = e.mean().item<float>();
        output.WriteLine($"embedding mean {mean:E2} std {std:F4} ({e.numel()} values)");
        Assert.InRange(std, 0.02 * 0.9, 0.02 * 1.1);
        Assert.InRange(mean, -0.003, 0.003);
        Assert.True(backbone.NormF.Weight.allclose(ones(Config.DModel), 0, 0));
        Assert.All(backbone.Layers, b => Assert.True(b.Norm.Weight.allclose(ones(Config.DModel), 0, 0)));
        // Conv1d is not an nn.Linear, so _init_weights leaves its bias at U(±1/√(fan_in = d_conv)) = U(±0.5).
        var convBias = All(m => m.Conv.bias!);
        Assert.True(convBias.abs().max().item<float>() <= 0.5);
        Assert.True(convBias.std().item<float>() > 0.25);
        Assert.True(Model.Value.HeadWeight.allclose(e, 0, 0), "the LM head is the embedding");
    }
}
