using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Modules;

/// <summary><see cref="SequenceClassifier"/> on a HyenaDNA trunk: the species task's head on the other backbone.</summary>
public class HyenaClassifierTests
{
    static readonly HyenaConfig Small = new HyenaConfig { DModel = 32, NLayer = 2 }.ForContext(128);

    public HyenaClassifierTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void Last_token_pooling_reads_only_the_last_position_and_mean_pooling_reads_all()
    {
        using var last = new SequenceClassifier(Small, classes: 5);
        using var mean = new SequenceClassifier(Small, classes: 5, Pooling.Mean);
        mean.load_state_dict(last.state_dict());
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(3, 50);
        Assert.Equal([3L, 5], last.forward(ids).shape);
        var hidden = last.HyenaBackbone.forward(ids);                      // (3, 50, 32)
        Assert.True(last.forward(ids).allclose(last.Head.forward(hidden.select(1, -1)), 1e-6, 1e-7));
        Assert.True(mean.forward(ids).allclose(last.Head.forward(hidden.mean([1])), 1e-6, 1e-7));
        Assert.Throws<InvalidOperationException>(() => last.Backbone);
    }

    [Fact]
    public void A_pretrained_HyenaDNA_backbone_loads_and_the_head_stays_fresh()
    {
        manual_seed(2);
        using var lm = new HyenaLM(Small);
        manual_seed(3);
        using var classifier = new SequenceClassifier(Small, classes: 5);
        var headBefore = classifier.Head.weight!.detach().clone();
        classifier.LoadBackbone(StateDicts.Of(lm));

        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(2, 40);
        Assert.True(classifier.HyenaBackbone.forward(ids).allclose(lm.Backbone.forward(ids), 0, 0));
        Assert.True(classifier.Head.weight!.allclose(headBefore, 0, 0));

        using var other = new SequenceClassifier(Small, classes: 5);
        other.LoadBackbone(lm);                                            // live, copied
        Assert.True(other.HyenaBackbone.forward(ids).allclose(lm.Backbone.forward(ids), 0, 0));
    }

    [Fact]
    public void The_golden_hyena_dna_state_dict_loads_as_a_backbone()
    {
        // Upstream's keys, with lm_head.weight (ignored) and the shared sine's repeats (checked, dropped).
        using var classifier = new SequenceClassifier(HyenaGoldenTests.TinyConfig, classes: 2);
        classifier.LoadBackbone(HyenaGoldenTests.TinyWeights);
        Assert.True(classifier.HyenaBackbone.Embedding.weight!.allclose(HyenaGoldenTests.TinyWeights["backbone.embeddings.word_embeddings.weight"], 0, 0));
    }

    [Fact]
    public void Gradients_reach_the_trunk_and_the_head_and_groups_cover_everything()
    {
        manual_seed(4);
        using var classifier = new SequenceClassifier(Small, classes: 3);
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(4, 64);
        var loss = nn.functional.cross_entropy(classifier.forward(ids), tensor(new long[] { 0, 1, 2, 1 }));
        loss.backward();
        foreach (var (name, p) in classifier.named_parameters())
        {
            Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0, $"{name} got no gradient");
        }
        var groups = classifier.ParameterGroups();
        Assert.Contains(groups.Decay, p => p.Name == "head.weight");
        Assert.Contains(groups.NoDecay, p => p.Name == "backbone.layers.1.mixer.filter_fn.implicit_filter.2.weight");
        Assert.Equal(classifier.parameters().Count(), groups.Decay.Count + groups.NoDecay.Count);
    }
}
