using Genomics.Mamba.Modules;
using Genomics.Mamba.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Training;

[Collection(nameof(TrainingCollection))]
public class AdamWTests
{
    /// <summary>
    /// One AdamW step from zero moments, by hand: m̂ = g, v̂ = g², so p' = p·(1 − lr·wd) − lr·g / (|g| + eps), with wd
    /// 0.1 on the decay group and 0 on the rest. Gradients are set to known values rather than computed.
    /// </summary>
    [Fact]
    public void Weight_decay_applies_to_the_decay_group_only()
    {
        using var model = TrainingTestData.Model(3);
        var groups = model.ParameterGroups();
        Assert.Contains(groups.Decay, p => p.Name.EndsWith("in_proj.weight", StringComparison.Ordinal));
        Assert.Contains(groups.NoDecay, p => p.Name.EndsWith("A_log", StringComparison.Ordinal));
        Assert.Contains(groups.NoDecay, p => p.Name.EndsWith(".D", StringComparison.Ordinal));
        Assert.Contains(groups.NoDecay, p => p.Name == "backbone.embedding.weight");

        const double lr = 0.01, wd = 0.1, eps = 1e-8;
        var options = new TrainerOptions { WeightDecay = wd, Eps = eps };
        using var optimizer = AdamWState.Create(model, options, lr);
        var before = new Dictionary<string, Tensor>();
        var grads = new Dictionary<string, Tensor>();
        int i = 0;
        foreach (var (name, p) in model.named_parameters())
        {
            before[name] = p.detach().clone();
            // Gradients of both signs and varied size, none near zero.
            manual_seed(100 + i++);
            grads[name] = (rand(p.shape) + 0.5) * (randint(0, 2, p.shape).to(float32) * 2 - 1);
            p.grad = grads[name].clone();
        }
        optimizer.step();
        var decayed = groups.Decay.Select(p => p.Name).ToHashSet();
        foreach (var (name, p) in model.named_parameters())
        {
            double w = decayed.Contains(name) ? wd : 0;
            var g = grads[name];
            var expected = before[name] * (1 - lr * w) - lr * g / (g.abs() + eps);
            Assert.True(p.detach().allclose(expected, rtol: 1e-5, atol: 1e-7), $"{name} (weight decay {w})");
        }
    }

    [Fact]
    public void Optimizer_state_round_trips_through_a_checkpoint_slot()
    {
        using var a = TrainingTestData.Model(4);
        using var b = TrainingTestData.Model(4);
        var options = new TrainerOptions();
        using var optA = AdamWState.Create(a, options, 1e-3);
        using var optB = AdamWState.Create(b, options, 1e-3);
        foreach (var p in a.parameters())
        {
            p.grad = ones_like(p);
        }
        optA.step();
        var slot = AdamWState.Save(a, optA);
        AdamWState.Restore(b, optB, slot, "test");
        var again = AdamWState.Save(b, optB);
        foreach (var (name, t) in slot.Tensors)
        {
            Assert.True(t.allclose(again.Tensors[name], 0, 0), name);
        }
        Assert.Equal(slot.State!.ToJsonString(), again.State!.ToJsonString());
    }
}
