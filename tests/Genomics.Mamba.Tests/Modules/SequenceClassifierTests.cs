using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Modules;

public class SequenceClassifierTests
{
    static readonly MambaConfig Small = new() { DModel = 32, NLayer = 2 };

    public SequenceClassifierTests() => TorchRuntime.EnsureLoaded();

    [Theory]
    [InlineData(Pooling.Last)]
    [InlineData(Pooling.Mean)]
    public void Logits_are_one_row_per_sequence(Pooling pooling)
    {
        using var model = new SequenceClassifier(Small, classes: 5, pooling);
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(3, 50);
        Assert.Equal([3L, 5], model.forward(ids).shape);
        Assert.Equal(pooling, model.Pooling);
    }

    [Fact]
    public void Last_token_pooling_reads_only_the_last_position_and_mean_pooling_reads_all()
    {
        using var last = new SequenceClassifier(Small, classes: 4);
        using var mean = new SequenceClassifier(Small, classes: 4, Pooling.Mean);
        mean.load_state_dict(last.state_dict());
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(2, 30);
        var hidden = last.Backbone.forward(ids);                           // (2, 30, 32)
        Assert.True(last.forward(ids).allclose(last.Head.forward(hidden.select(1, -1)), 1e-6, 1e-7));
        Assert.True(mean.forward(ids).allclose(last.Head.forward(hidden.mean([1])), 1e-6, 1e-7));
    }

    [Fact]
    public void A_pretrained_backbone_loads_and_the_head_stays_fresh()
    {
        manual_seed(2);
        using var lm = new MambaLM(Small);
        manual_seed(3);
        using var classifier = new SequenceClassifier(Small, classes: 5);
        var headBefore = classifier.Head.weight!.detach().clone();
        classifier.LoadBackbone(lm.state_dict());

        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(2, 40);
        Assert.True(classifier.Backbone.forward(ids).allclose(lm.Backbone.forward(ids), 0, 0));
        Assert.True(classifier.Head.weight!.allclose(headBefore, 0, 0));

        // From a live model too, copied rather than shared.
        using var other = new SequenceClassifier(Small, classes: 5);
        other.LoadBackbone(lm);
        using (no_grad())
        {
            other.Backbone.NormF.Weight.mul_(2);
        }
        Assert.True(lm.Backbone.NormF.Weight.allclose(ones(32), 0, 0));
    }

    [Fact]
    public void The_golden_mamba_ssm_state_dict_loads_as_a_backbone()
    {
        var golden = ModuleTestData.LoadGolden("mamba-tiny");
        using var classifier = new SequenceClassifier(golden.Config, classes: 2);
        classifier.LoadBackbone(golden.Weights);                           // lm_head.weight is ignored
        Assert.True(classifier.Backbone.Embedding.weight!.allclose(golden.Weights["backbone.embedding.weight"], 0, 0));
        var e = Assert.Throws<ArgumentException>(() => classifier.LoadBackbone(new Dictionary<string, Tensor> { ["x"] = zeros(1) }));
        Assert.Contains("backbone.*", e.Message);
    }

    [Fact]
    public void The_head_weight_decays_and_its_bias_does_not()
    {
        using var classifier = new SequenceClassifier(Small, classes: 3);
        var groups = classifier.ParameterGroups();
        Assert.Contains(groups.Decay, p => p.Name == "head.weight");
        Assert.Contains(groups.NoDecay, p => p.Name == "head.bias");
        Assert.Contains(groups.NoDecay, p => p.Name == "backbone.layers.1.mixer.A_log");
        Assert.Equal(classifier.parameters().Count(), groups.Decay.Count + groups.NoDecay.Count);
    }

    [Fact]
    public void Fewer_than_two_classes_is_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceClassifier(Small, classes: 1));
        Assert.Equal("classes", e.ParamName);
    }
}
