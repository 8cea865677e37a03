using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Runtime;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Modules;

public class HyenaModelTests(ITestOutputHelper log)
{
    static readonly HyenaConfig Small = new HyenaConfig { DModel = 32, NLayer = 2 }.ForContext(256);

    static HyenaLM Build(HyenaConfig config, int seed = 1)
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(seed);
        return new HyenaLM(config);
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
        Assert.Equal([32L, 40], block.Mixer.Filter.Generate(40).shape);
        var (h, residual) = block.forward(hidden, null);
        Assert.Equal([3L, 40, 32], h.shape);
        // residual = x + Hyena(LN(x)): the first block's input plus its mixer's output, before the MLP.
        var expected = hidden + block.Mixer.forward(block.Norms.Mixer.forward(hidden));
        Assert.True(residual.allclose(expected, 1e-5, 1e-6));
    }

    [Fact]
    public void A_model_built_inside_a_dispose_scope_outlives_it()
    {
        TorchRuntime.EnsureLoaded();
        HyenaLM model;
        using (NewDisposeScope())
        {
            model = new HyenaLM(Small);
        }
        using (model)
        {
            foreach (var (name, t) in StateDicts.Of(model))
            {
                Assert.True(!t.IsInvalid && t.numel() > 0, $"{name} was disposed with the scope");
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
        var loss = HyenaLM.Loss(model.forward(ids.narrow(1, 0, 64)), ids.narrow(1, 1, 64));
        loss.backward();
        foreach (var (name, p) in model.named_parameters())
        {
            Assert.True(p.grad is not null, $"{name} got no gradient");
            double norm = p.grad!.abs().sum().item<float>();
            Assert.True(norm > 0 && double.IsFinite(norm), $"{name}: |grad| sum {norm}");
        }
        Assert.DoesNotContain(model.named_buffers(), b => b.buffer.requires_grad);
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
        // The FFT mixes all positions numerically, so "unchanged" is to rounding: ~1e-7 of the logits, where the
        // changed token moves later positions by ~1e-2.
        Compare.Close(log, "logits before the change", b.narrow(1, 0, 30), a.narrow(1, 0, 30), 0, 1e-5, scaled: true);
        double after = (b.narrow(1, 30, 18) - a.narrow(1, 30, 18)).abs().max().item<float>();
        log.WriteLine($"max change from position 30 on: {after:E2}");
        Assert.True(after > 1e-4, "positions from 30 on must see the change");
    }

    [Fact]
    public void A_shorter_sequence_sees_the_prefix_of_the_long_filter_and_a_longer_one_is_refused()
    {
        using var model = Build(Small);
        using var scope = NewDisposeScope();
        var filter = model.Backbone.Layers[0].Mixer.Filter;
        Compare.Close(log, "filter(100) = filter(256)[:100]", filter.Generate(100), filter.Generate(256).narrow(1, 0, 100), 0, 0);

        // Equivalently, the logits of a prefix are the prefix of the logits.
        var ids = ModuleTestData.DnaTokens(1, 256);
        Compare.Close(log, "logits of a prefix", model.forward(ids.narrow(1, 0, 100)), model.forward(ids).narrow(1, 0, 100),
            0, 1e-5, scaled: true);

        var e = Assert.Throws<ArgumentException>(() => model.forward(ModuleTestData.DnaTokens(1, 259)));
        Assert.Contains("cannot forward length 259", e.Message);
        Assert.Contains("ForContext(259)", e.Message);
    }

    [Fact]
    public void Inference_reuses_the_filter_spectrum_until_a_parameter_changes()
    {
        using var model = Build(Small);
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(2, 64);
        var filter = model.Backbone.Layers[1].Mixer.Filter;
        var fresh = model.forward(ids).detach();                           // training mode, grad on: no cache

        model.eval();
        using (no_grad())
        {
            var first = model.forward(ids);
            var spectrum = filter.SpectrumFor(64);
            Assert.Same(spectrum, filter.SpectrumFor(64));                 // cached
            Compare.Close(log, "cached forward vs fresh", model.forward(ids), fresh, 0, 0);
            Compare.Close(log, "first eval forward vs fresh", first, fresh, 0, 0);

            Assert.NotSame(spectrum, filter.SpectrumFor(32));              // another length replaces the entry

            var cached = filter.SpectrumFor(64);
            filter.Ffn.Sin.Freq.mul_(1.5);                                 // e.g. an optimizer step, or a load
            var updated = filter.SpectrumFor(64);
            Assert.NotSame(cached, updated);
            Compare.Close(log, "after an update = recomputed", updated, HyenaFftConv.Spectrum(filter.Generate(64)), 0, 0);
        }

        model.train();
        using (no_grad())
        {
            Assert.NotSame(filter.SpectrumFor(64), filter.SpectrumFor(64));   // training mode: never cached
        }
        model.Backbone.CacheFilters = false;
        model.eval();
        using (no_grad())
        {
            Assert.NotSame(filter.SpectrumFor(64), filter.SpectrumFor(64));
        }
    }

    [Fact]
    public void Checkpointed_blocks_give_the_plain_logits_and_every_gradient()
    {
        using var model = Build(Small with { NLayer = 3 }, seed: 4);
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(2, 129, start: 1_200_000);

        (Tensor Logits, Dictionary<string, Tensor> Grads) Run(RecomputePolicy policy)
        {
            model.Backbone.Recompute = policy;
            model.zero_grad();
            var logits = model.forward(ids.narrow(1, 0, 128));
            HyenaLM.Loss(logits, ids.narrow(1, 1, 128)).backward();
            return (logits.detach(), model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone()));
        }

        var plain = Run(RecomputePolicy.Never);
        var recomputed = Run(RecomputePolicy.Always);
        Compare.Close(log, "logits", recomputed.Logits, plain.Logits, 1e-6, 1e-7, scaled: true);
        foreach (var (name, g) in plain.Grads)
        {
            Compare.Close(log, "grad/" + name, recomputed.Grads[name], g, 1e-6, 1e-7, scaled: true);
        }
    }

    [Fact]
    public void One_AdamW_step_lowers_the_loss_on_a_batch_of_real_DNA()
    {
        using var model = Build(new HyenaConfig { DModel = 64, NLayer = 2 }.ForContext(256), seed: 3);
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(4, 257, start: 2_000_000);
        var x = ids.narrow(1, 0, 256);
        var y = ids.narrow(1, 1, 256);
        // DESIGN's recipe: lr 1e-3 (HyenaDNA), β = (0.9, 0.95), weight decay 0.1 off the filter, norms, biases, embedding.
        using var optimizer = optim.AdamW(model.ParameterGroups().ForAdamW(lr: 1e-3, weightDecay: 0.1), lr: 1e-3);

        var before = HyenaLM.Loss(model.forward(x), y);
        optimizer.zero_grad();
        before.backward();
        optimizer.step();
        float after;
        using (no_grad())
        {
            after = HyenaLM.Loss(model.forward(x), y).item<float>();
        }
        log.WriteLine($"loss {before.item<float>():F4} → {after:F4} (ln 16 = {Math.Log(16):F4})");
        Assert.True(after < before.item<float>() - 1e-3, $"loss did not drop: {before.item<float>()} → {after}");
    }

    [Fact]
    public void Parameter_groups_exempt_the_filter_norms_biases_and_the_embedding()
    {
        using var model = Build(Small);
        var groups = model.ParameterGroups();
        var decay = groups.Decay.Select(p => p.Name).ToHashSet();
        var noDecay = groups.NoDecay.Select(p => p.Name).ToHashSet();
        var all = model.named_parameters().Select(p => p.name).ToHashSet();
        Assert.Empty(decay.Intersect(noDecay));
        Assert.Equal(all.Order(), decay.Union(noDecay).Order());

        foreach (var name in all)
        {
            bool exempt = name.Contains(".filter_fn.") || name.EndsWith(".bias") || name.Contains("norm")
                          || name.StartsWith("backbone.ln_f.") || name == "backbone.embeddings.word_embeddings.weight";
            Assert.True(exempt == noDecay.Contains(name), $"{name}: expected {(exempt ? "no decay" : "decay")}");
        }
        // What decays, per layer: the projections, the short conv and the MLP weights.
        Assert.Equal(["in_proj.weight", "mlp.fc1.weight", "mlp.fc2.weight", "out_proj.weight", "short_filter.weight"],
            decay.Where(n => n.StartsWith("backbone.layers.0.")).Select(n => n.Replace("backbone.layers.0.", "").Replace("mixer.", "")).Order());
        log.WriteLine("no decay in layer 0: " + string.Join(", ", noDecay.Where(n => n.Contains("layers.0."))));
    }

    [Fact]
    public void Embedding_dropout_acts_only_in_training()
    {
        using var model = Build(Small with { EmbeddingDropout = 0.5 });
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(1, 32);
        model.eval();
        var a = model.forward(ids);
        Assert.True(a.allclose(model.forward(ids), 0, 0), "eval is deterministic");
        model.train();
        Assert.False(model.forward(ids).allclose(a), "training drops embedding entries");
    }

    [Fact]
    public void Loading_refuses_a_state_dict_that_does_not_fit()
    {
        using var model = Build(Small);
        var state = StateDicts.Of(model).ToDictionary(kv => kv.Key, kv => kv.Value);
        state.Remove("backbone.layers.1.mixer.filter_fn.bias");
        state["backbone.extra"] = zeros(1);
        state["backbone.layers.0.mixer.filter_fn.pos_emb.z"] = zeros(1, 1026, 5);
        var e = Assert.Throws<ArgumentException>(() => model.LoadStateDict(state));
        Assert.Contains("missing backbone.layers.1.mixer.filter_fn.bias", e.Message);
        Assert.Contains("unexpected backbone.extra", e.Message);
        Assert.Contains("backbone.layers.0.mixer.filter_fn.pos_emb.z: shape (1, 1026, 5), the model has (1, 258, 5)", e.Message);

        var tied = StateDicts.Of(model).ToDictionary(kv => kv.Key, kv => kv.Value);
        tied["lm_head.weight"] = zeros(16, 32);
        Assert.Contains("ties them", Assert.Throws<ArgumentException>(() => model.LoadStateDict(tied)).Message);

        var sine = StateDicts.Of(model).ToDictionary(kv => kv.Key, kv => kv.Value);
        sine["backbone.layers.0.mixer.filter_fn.implicit_filter.3.freq"] = zeros(1, 64);
        Assert.Contains("share one frequency", Assert.Throws<ArgumentException>(() => model.LoadStateDict(sine)).Message);
    }

    [Fact]
    public void Save_and_load_by_state_dict_give_identical_logits()
    {
        using var model = Build(Small, seed: 6);
        using var copy = Build(Small, seed: 7);
        copy.LoadStateDict(StateDicts.Of(model));
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(2, 50);
        Assert.True(copy.forward(ids).allclose(model.forward(ids), 0, 0));
    }
}
