using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Runtime;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Modules;

public class MambaModelTests(ITestOutputHelper log)
{
    static readonly MambaConfig Small = new() { DModel = 32, NLayer = 2 };

    static MambaLM Build(MambaConfig config, int seed = 1)
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(seed);
        return new MambaLM(config);
    }

    [Fact]
    public void Forward_shapes_follow_the_shape_comments()
    {
        using var model = Build(Small);
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(3, 40);
        Assert.Equal([3L, 40, 16], model.forward(ids).shape);
        Assert.Equal([3L, 40, 32], model.Backbone.forward(ids).shape);

        var hidden = randn(3, 40, 32);
        var block = model.Backbone.Layers[0];
        Assert.Equal([3L, 40, 32], block.Mixer.forward(hidden).shape);
        var (h, residual) = block.forward(hidden, null);
        Assert.Equal([3L, 40, 32], h.shape);
        Assert.True(residual.allclose(hidden, 0, 0), "the first block's residual is its input");
        var (_, next) = block.forward(h, residual);
        Assert.True(next.allclose(h + residual, 0, 0), "later blocks carry residual + hidden");

        using var state = model.NewState(3);
        Assert.Equal([3L, 64, 4], state.Layers[0].Conv.shape);
        Assert.Equal([3L, 64, 16], state.Layers[0].Ssm.shape);
        Assert.Equal([3L, 16], model.Step(ids.select(1, 0), state).shape);
        Assert.Equal(1, state.Position);
    }

    [Fact]
    public void A_model_built_inside_a_dispose_scope_outlives_it()
    {
        TorchRuntime.EnsureLoaded();
        MambaLM model;
        using (NewDisposeScope())
        {
            model = new MambaLM(Small);
            using var classifier = new SequenceClassifier(Small, 3);
        }
        using (model)
        {
            foreach (var (name, p) in model.named_parameters())
            {
                Assert.True(p.IsInvalid == false && p.numel() > 0, $"{name} was disposed with the scope");
            }
            using var scope = NewDisposeScope();
            Assert.Equal([1L, 8, 16], model.forward(ModuleTestData.DnaTokens(1, 8)).shape);
        }
    }

    [Fact]
    public void Gradients_reach_every_parameter()
    {
        using var model = Build(Small);
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(2, 65);
        var loss = MambaLM.Loss(model.forward(ids.narrow(1, 0, 64)), ids.narrow(1, 1, 64));
        loss.backward();
        foreach (var (name, p) in model.named_parameters())
        {
            Assert.True(p.grad is not null, $"{name} got no gradient");
            double norm = p.grad!.abs().sum().item<float>();
            Assert.True(norm > 0 && double.IsFinite(norm), $"{name}: |grad| sum {norm}");
        }
    }

    [Fact]
    public void Outputs_are_causal()
    {
        using var model = Build(Small);
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(1, 48);
        var changed = ids.clone();
        changed[0, 30] = tensor(ids[0, 30].item<long>() == 7 ? 8L : 7L);
        var a = model.forward(ids);
        var b = model.forward(changed);
        Assert.True(a.narrow(1, 0, 30).allclose(b.narrow(1, 0, 30), 0, 0), "positions before 30 must not see token 30");
        Assert.False(a.narrow(1, 30, 18).allclose(b.narrow(1, 30, 18)), "positions from 30 on must see it");
    }

    [Fact]
    public void Step_by_step_logits_equal_the_parallel_forward_on_real_DNA()
    {
        // Three blocks so the step path exercises residual hand-off between blocks; 100 tokens, well past d_conv.
        using var model = Build(Small with { NLayer = 3 }, seed: 5);
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(2, 100, start: 1_500_000);
        var parallel = model.forward(ids);                                 // (2, 100, 16)
        using var state = model.NewState(2);
        var steps = new List<Tensor>();
        for (int t = 0; t < 100; t++)
        {
            steps.Add(model.Step(ids.select(1, t), state));                // (2, 16)
        }
        var stepped = stack(steps, 1);                                     // (2, 100, 16)
        Compare.Close(log, "step vs parallel logits", stepped, parallel, rtol: 1e-4, atol: 1e-5, scaled: true);

        // A reset state replays the sequence exactly.
        state.Reset();
        Compare.Close(log, "after Reset", model.Step(ids.select(1, 0), state), steps[0], 0, 0);
    }

    [Theory]
    [InlineData(2)]    // shorter than d_conv: the conv window is zero-padded in front
    [InlineData(37)]
    public void Prefill_then_step_equals_the_parallel_forward(int prompt)
    {
        using var model = Build(Small with { NLayer = 3 }, seed: 8);
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(2, 60, start: 1_700_000);
        var parallel = model.forward(ids);                                 // (2, 60, 16)
        using var state = model.NewState(2);
        var prefilled = model.Prefill(ids.narrow(1, 0, prompt), state);    // (2, prompt, 16)
        Assert.Equal(prompt, state.Position);
        var steps = new List<Tensor> { prefilled };
        for (int t = prompt; t < 60; t++)
        {
            steps.Add(model.Step(ids.select(1, t), state).unsqueeze(1));
        }
        Compare.Close(log, $"prefill {prompt} + steps", cat(steps, 1), parallel, rtol: 1e-4, atol: 1e-5, scaled: true);
        Assert.Throws<ArgumentException>(() => model.Prefill(ids, state));
    }

    [Fact]
    public void One_AdamW_step_lowers_the_loss_on_a_batch_of_real_DNA()
    {
        using var model = Build(new MambaConfig { DModel = 64, NLayer = 2 }, seed: 3);
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(4, 257, start: 2_000_000);
        var x = ids.narrow(1, 0, 256);
        var y = ids.narrow(1, 1, 256);
        // DESIGN's recipe: lr 8e-3, β = (0.9, 0.95), weight decay 0.1 off A_log, D, norms, biases (and the embedding).
        using var optimizer = optim.AdamW(model.ParameterGroups().ForAdamW(lr: 8e-3, weightDecay: 0.1), lr: 8e-3);

        var before = MambaLM.Loss(model.forward(x), y);
        optimizer.zero_grad();
        before.backward();
        optimizer.step();
        float after;
        using (no_grad())
        {
            after = MambaLM.Loss(model.forward(x), y).item<float>();
        }
        log.WriteLine($"loss {before.item<float>():F4} → {after:F4} (ln 16 = {Math.Log(16):F4})");
        Assert.True(after < before.item<float>() - 1e-3, $"loss did not drop: {before.item<float>()} → {after}");
    }

    [Fact]
    public void Parameter_groups_exempt_A_log_D_norms_biases_and_the_embedding()
    {
        using var model = Build(Small);
        var groups = model.ParameterGroups();
        var decay = groups.Decay.Select(p => p.Name).ToHashSet();
        var noDecay = groups.NoDecay.Select(p => p.Name).ToHashSet();
        var all = model.named_parameters().Select(p => p.name).ToHashSet();
        Assert.Empty(decay.Intersect(noDecay));
        Assert.Equal(all.Order(), decay.Union(noDecay).Order());
        Assert.Equal(all.Count, groups.Decay.Count + groups.NoDecay.Count);

        string[] exemptSuffixes = ["mixer.A_log", "mixer.D", "norm.weight", "conv1d.bias", "dt_proj.bias"];
        foreach (var name in all)
        {
            bool exempt = exemptSuffixes.Any(name.EndsWith) || name is "backbone.norm_f.weight" or "backbone.embedding.weight";
            Assert.True(exempt == noDecay.Contains(name), $"{name}: expected {(exempt ? "no decay" : "decay")}");
        }
        log.WriteLine("decay: " + string.Join(", ", decay.Where(n => n.Contains("layers.0.") || !n.Contains("layers."))));

        var withEmbedding = model.ParameterGroups(decayEmbedding: true);
        Assert.Contains(withEmbedding.Decay, p => p.Name == "backbone.embedding.weight");
    }

    [Fact]
    public void An_untied_head_is_its_own_parameter_and_loads_as_lm_head()
    {
        using var model = Build(Small with { TieEmbeddings = false });
        Assert.Equal(Small.ParameterCount + 16 * 32, model.ParameterCount);
        Assert.Equal(model.Config.ParameterCount, model.ParameterCount);
        var state = StateDicts.Of(model);
        Assert.Contains("lm_head.weight", state.Keys);
        using var copy = Build(Small with { TieEmbeddings = false }, seed: 9);
        copy.LoadStateDict(state);
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(1, 20);
        Assert.True(copy.forward(ids).allclose(model.forward(ids), 0, 0));
    }

    [Fact]
    public void Loading_refuses_a_state_dict_that_does_not_fit()
    {
        using var model = Build(Small);
        var state = StateDicts.Of(model).ToDictionary(kv => kv.Key, kv => kv.Value);
        state.Remove("backbone.layers.1.mixer.D");
        state["backbone.extra"] = zeros(1);
        state["backbone.layers.0.mixer.A_log"] = zeros(3, 3);
        var e = Assert.Throws<ArgumentException>(() => model.LoadStateDict(state));
        Assert.Contains("missing backbone.layers.1.mixer.D", e.Message);
        Assert.Contains("unexpected backbone.extra", e.Message);
        Assert.Contains("backbone.layers.0.mixer.A_log: shape (3, 3), the model has (64, 16)", e.Message);

        var tiedMismatch = StateDicts.Of(model).ToDictionary(kv => kv.Key, kv => kv.Value);
        tiedMismatch["lm_head.weight"] = zeros(16, 32);
        Assert.Contains("ties them", Assert.Throws<ArgumentException>(() => model.LoadStateDict(tiedMismatch)).Message);
    }
}
