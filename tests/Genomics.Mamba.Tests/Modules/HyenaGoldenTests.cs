using System.Text.Json;
using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Runtime;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Modules;

/// <summary>
/// The C# model against tools/golden/make_hyena_golden.py, a CPU port of hyena-dna's ConvLMHeadModel with the order-2
/// HyenaOperator: same weights by hyena-dna key name (the upstream state dict, shared sine repeats and tied head
/// included), same tokens → same logits, loss and gradient of every parameter. The golden outputs were computed in
/// float64 from float32 weights, so a float64 run here must agree to rounding, and a float32 run within float32
/// tolerances.
/// </summary>
public class HyenaGoldenTests(ITestOutputHelper log)
{
    static readonly Lazy<Golden> Tiny = new(() =>
    {
        TorchRuntime.EnsureLoaded();
        return ModuleTestData.LoadGolden("hyena-tiny");
    });

    /// <summary>The config of a hyena golden set, read from the generator's own field names.</summary>
    internal static HyenaConfig ConfigOf(Golden golden)
    {
        var c = golden.ConfigJson;
        int Int(string name) => c.GetProperty(name).GetInt32();
        double Real(string name) => c.GetProperty(name).GetDouble();
        return new HyenaConfig
        {
            DModel = Int("d_model"),
            NLayer = Int("n_layer"),
            DInner = Int("d_inner"),
            VocabSize = Int("vocab_size"),
            PadVocabSizeMultiple = Int("pad_vocab_size_multiple"),
            Order = Int("order"),
            FilterOrder = Int("filter_order"),
            FilterInnerLayers = Int("num_inner_mlps"),
            ShortFilterOrder = Int("short_filter_order"),
            EmbDim = Int("emb_dim"),
            SineFrequency = Real("w"),
            FastDecayPct = Real("fast_decay_pct"),
            SlowDecayPct = Real("slow_decay_pct"),
            DecayTarget = Real("target"),
            ModulationShift = Real("shift"),
            LayerNormEps = Real("layer_norm_epsilon"),
            InitializerRange = Real("initializer_range"),
            MaxLength = Int("l_max"),
        };
    }

    internal static HyenaConfig TinyConfig => ConfigOf(Tiny.Value);

    internal static Dictionary<string, Tensor> TinyWeights => Tiny.Value.Weights;

    [Fact]
    public void Golden_weights_load_by_hyena_dna_key_and_cover_every_parameter_and_buffer()
    {
        var golden = Tiny.Value;
        using var model = new HyenaLM(ConfigOf(golden));
        var own = StateDicts.Of(model).Keys.ToHashSet();
        var upstream = golden.Weights.Keys.ToHashSet();
        // Upstream's extra keys are exactly the tied head and the shared sine's repeats.
        var extra = upstream.Except(own).Order().ToArray();
        log.WriteLine("upstream-only keys: " + string.Join(", ", extra));
        Assert.All(extra, k => Assert.True(k == "lm_head.weight" || k.EndsWith("implicit_filter.3.freq") || k.EndsWith("implicit_filter.5.freq"), k));
        Assert.Empty(own.Except(upstream));

        model.LoadStateDict(golden.Weights);
        foreach (var (name, t) in StateDicts.Of(model))
        {
            Assert.True(t.allclose(golden.Weights[name], 0, 0), name);
        }
        Assert.Equal(ConfigOf(golden).ParameterCount, model.ParameterCount);
        Assert.Equal(golden.Tensors.Keys.Count(k => k.StartsWith("grad/")), model.parameters().Count());
    }

    [Fact]
    public void Positional_features_and_decay_rates_are_built_as_upstream_builds_them()
    {
        var golden = Tiny.Value;
        using var model = new HyenaLM(ConfigOf(golden));                  // not loaded: its own buffers
        foreach (var (name, buffer) in model.named_buffers())
        {
            Compare.Close(log, name, buffer, golden.Weights[name], rtol: 0, atol: 1e-6);
        }
        Assert.Equal(3 * ConfigOf(golden).NLayer, model.named_buffers().Count());
    }

    [Fact]
    public void Float32_logits_loss_and_every_gradient_match_the_hyena_dna_port()
    {
        // float32 against an exact (float64) reference: rtol 1e-4 and an atol of 1e-5 × the tensor's largest value,
        // as the Mamba golden test; the FFT adds O(log L) rounding only.
        double worst = Run(float32, rtol: 1e-4, atol: 1e-5);
        log.WriteLine($"float32 worst max|diff| {worst:E2}");
    }

    [Fact]
    public void Float64_logits_loss_and_every_gradient_match_the_hyena_dna_port_to_rounding()
    {
        double worst = Run(float64, rtol: 1e-9, atol: 1e-9);
        log.WriteLine($"float64 worst max|diff| {worst:E2}");
    }

    double Run(ScalarType dtype, double rtol, double atol)
    {
        var golden = Tiny.Value;
        using var scope = NewDisposeScope();
        using var model = new HyenaLM(ConfigOf(golden));
        model.LoadStateDict(golden.Weights);
        model.to(dtype);

        var tokens = golden.Tensors["tokens"];                             // (b, l + 1)
        long l = tokens.shape[1] - 1;
        var logits = model.forward(tokens.narrow(1, 0, l));                // (b, l, v)
        var loss = HyenaLM.Loss(logits, tokens.narrow(1, 1, l));
        loss.backward();

        double worst = Compare.Close(log, "logits", logits, golden.Tensors["logits"], rtol, atol, scaled: true);
        worst = Math.Max(worst, Compare.Close(log, "loss", loss, golden.Tensors["loss"], rtol, atol, scaled: true));
        foreach (var (name, p) in model.named_parameters())
        {
            Assert.NotNull(p.grad);
            worst = Math.Max(worst, Compare.Close(log, "grad/" + name, p.grad!, golden.Tensors["grad/" + name], rtol, atol, scaled: true));
        }
        return worst;
    }
}
