using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Runtime;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Modules;

/// <summary>hyena-dna's initialisation (module defaults, then long_conv_lm._init_weights), checked on the "1.4M" preset.</summary>
public class HyenaInitTests(ITestOutputHelper output)
{
    static readonly Lazy<HyenaLM> Model = new(() =>
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(11);
        return new HyenaLM(HyenaConfig.Preset("1.4M"));
    });

    static HyenaConfig Config => Model.Value.Config;

    static IEnumerable<HyenaBlock> Blocks => Model.Value.Backbone.Layers;

    static Tensor All(Func<HyenaBlock, IEnumerable<Tensor>> pick) => cat(Blocks.SelectMany(pick).Select(t => t.detach().flatten()).ToArray());

    static double Std(Tensor t) => t.std().item<float>();

    [Fact]
    public void Every_Linear_is_normal_0_02_with_zero_bias_and_the_residual_outputs_are_scaled_by_root_2n()
    {
        using var scope = NewDisposeScope();
        double std = Config.InitializerRange, residual = std / Math.Sqrt(2 * Config.NLayer);
        var plain = All(b => [b.Mixer.InProj.weight, b.Mlp.Fc1.weight, .. b.Mixer.Filter.Ffn.Layers.Select(l => l.weight)]);
        var scaled = All(b => [b.Mixer.OutProj.weight, b.Mlp.Fc2.weight]);
        output.WriteLine($"Linear std {Std(plain):F5} (expected {std}), out_proj/fc2 std {Std(scaled):F5} (expected {residual:F5})");
        Assert.InRange(Std(plain), std * 0.98, std * 1.02);
        Assert.InRange(Std(scaled), residual * 0.98, residual * 1.02);
        Assert.InRange(plain.mean().item<float>(), -std * 0.02, std * 0.02);
        var biases = Model.Value.modules().OfType<Linear>().Where(l => l.bias is not null).Select(l => l.bias!);
        Assert.All(biases, b => Assert.Equal(0, b.abs().max().item<float>()));
        Assert.InRange(Std(Model.Value.Backbone.Embedding.weight!), std * 0.9, std * 1.1);
    }

    [Fact]
    public void The_filter_keeps_its_own_initialisation()
    {
        using var scope = NewDisposeScope();
        // D skip ~ N(0, 1) (randn), the shared sine frequency = w = 10, the decay rates from ln(1e-2)/1.5 to ln(1e-2)/0.3.
        var d = All(b => [b.Mixer.Filter.Bias]);
        output.WriteLine($"D skip mean {d.mean().item<float>():F3}, std {Std(d):F3}");
        Assert.InRange(Std(d), 0.9, 1.1);
        Assert.All(Blocks, b => Assert.True(b.Mixer.Filter.Ffn.Sin.Freq.allclose(full(1, 64, 10f), 0, 0)));
        var deltas = Blocks.First().Mixer.Filter.Modulation.Deltas.flatten();
        Assert.Equal(Config.DModel, deltas.shape[0]);
        Assert.Equal(Math.Log(1e-2) / 1.5, deltas[0].item<float>(), 5);
        Assert.Equal(Math.Log(1e-2) / 0.3, deltas[^1].item<float>(), 5);
    }

    [Fact]
    public void The_short_conv_keeps_PyTorch_s_default_and_the_norms_are_identity()
    {
        using var scope = NewDisposeScope();
        // Conv1d default: kaiming_uniform(a = √5) → U(±1/√fan_in), fan_in = 1 · k = 3; the bias U(±1/√3) likewise.
        double bound = 1 / Math.Sqrt(Config.ShortFilterOrder);
        var w = All(b => [b.Mixer.ShortFilter.weight!]);
        Assert.True(w.abs().max().item<float>() <= bound);
        Assert.InRange(Std(w), bound / Math.Sqrt(3) * 0.95, bound / Math.Sqrt(3) * 1.05);
        Assert.All(Blocks, b =>
        {
            Assert.True(b.Norms.Mixer.weight!.allclose(ones(Config.DModel), 0, 0) && b.Norms.Mlp.bias!.allclose(zeros(Config.DModel), 0, 0));
        });
    }
}
