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
        var u = randn(2, 10, 77);
        var k = randn(10, 77);
        var d = randn(10);
        var w = randn(2, 10, 77);
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
        Compare.Close(log, $"G {channels} y", grouped.Y, plain.Y, 1e-6, 1e-7, scaled: true);
        string[] names = ["du", "dk", "dD"];
        for (int i = 0; i < names.Length; i++)
        {
            Compare.Close(log, $"G {channels} {names[i]}", grouped.Grads[i], plain.Grads[i], 1e-6, 1e-7, scaled: true);
        }
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
        model.Backbone.Checkpointing = ActivationCheckpointing.Always;
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
