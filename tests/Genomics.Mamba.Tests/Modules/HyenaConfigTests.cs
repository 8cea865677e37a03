using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Runtime;
using Xunit.Abstractions;

namespace Genomics.Mamba.Tests.Modules;

public class HyenaConfigTests(ITestOutputHelper log)
{
    /// <summary>
    /// The parameter count of a hyena-dna ConvLMHeadModel (order 2, emb_dim 5, filter_order 64, 2 inner filter layers,
    /// short conv 3, d_inner 4d, vocab 16, tied head), written from its module list rather than from
    /// <see cref="HyenaConfig.ParameterCount"/>: each entry is one tensor of named_parameters(); buffers (pos_emb.z/t,
    /// modulation.deltas) are not parameters, and the shared sine counts once.
    /// </summary>
    static long CountFromModuleList(int d, int layers, int vocab = 16, int f = 64, int emb = 5, int k = 3)
    {
        int inner = 4 * d;
        long[] perLayer =
        [
            3L * d * d, 3L * d,           // mixer.in_proj.weight (3d, d), .bias
            d * d, d,                     // mixer.out_proj.weight (d, d), .bias
            3L * d * k, 3L * d,           // mixer.short_filter.weight (3d, 1, k), .bias
            d,                            // mixer.filter_fn.bias (the D skip)
            (long)f * emb, f,             // mixer.filter_fn.implicit_filter.0.weight (f, 5), .bias
            f,                            // mixer.filter_fn.implicit_filter.1.freq (1, f) — also .3 and .5
            (long)f * f, f,               // mixer.filter_fn.implicit_filter.2.weight, .bias
            (long)f * f, f,               // mixer.filter_fn.implicit_filter.4.weight, .bias
            (long)d * f,                  // mixer.filter_fn.implicit_filter.6.weight (d, f), no bias
            d, d,                         // norm1.weight, .bias
            (long)inner * d, inner,       // mlp.fc1.weight (4d, d), .bias
            (long)d * inner, d,           // mlp.fc2.weight (d, 4d), .bias
            d, d,                         // norm2.weight, .bias
        ];
        return (long)vocab * d            // backbone.embeddings.word_embeddings.weight (the tied lm_head adds nothing)
               + layers * perLayer.Sum()
               + 2L * d;                  // backbone.ln_f.weight, .bias
    }

    [Theory]
    [InlineData("tiny-1k", 128, 2, 1_026)]
    [InlineData("1.4M", 128, 6, 1_026)]
    [InlineData("small-32k", 256, 4, 32_770)]
    [InlineData("medium-160k", 256, 8, 160_002)]
    [InlineData("medium-450k", 256, 8, 450_002)]
    [InlineData("large-1m", 256, 8, 1_000_002)]
    [InlineData("7M", 256, 8, 1_026)]
    public void Preset_parameter_counts_match_the_module_list_and_the_built_model(string name, int d, int layers, int maxLength)
    {
        TorchRuntime.EnsureLoaded();
        var config = HyenaConfig.Preset(name);
        Assert.Equal((d, layers, maxLength), (config.DModel, config.NLayer, config.MaxLength));
        long expected = CountFromModuleList(d, layers);
        Assert.Equal(expected, config.ParameterCount);
        // Building the long presets would allocate their positional buffers (1M × 5 per layer); the count does not depend on them.
        using var model = new HyenaLM(config with { MaxLength = 64 });
        log.WriteLine($"{name,-12} {config}  built: {model.ParameterCount:N0}");
        Assert.Equal(expected, model.ParameterCount);
    }

    [Fact]
    public void The_paper_sizes_are_what_the_reference_configs_call_them()
    {
        // d 128: layer = 12·128² + 90·128 + 8,768 = 216,896; 6 layers + 16·128 embedding + 256 final norm = 1,303,680
        //        (the Mamba paper: "6 layers by width 128, about 1.3M–1.4M parameters").
        // d 256: layer = 12·256² + 90·256 + 8,768 = 818,240; 8 layers + 16·256 + 512 = 6,550,528.
        Assert.Equal(1_303_680, HyenaConfig.Preset("1.4M").ParameterCount);
        Assert.Equal(6_550_528, HyenaConfig.Preset("7M").ParameterCount);
        // The neighbours are further from 1.4M at width 128 (7 layers: 1,520,576); at width 256, 9 layers (7,368,768)
        // would be nearer 7M by count but is not the reference's "hyena_7M" nor the peer of Mamba's 16 blocks.
        Assert.Equal(1_520_576, (HyenaConfig.Preset("1.4M") with { NLayer = 7 }).ParameterCount);
        Assert.Equal(7_368_768, (HyenaConfig.Preset("7M") with { NLayer = 9 }).ParameterCount);
    }

    [Fact]
    public void Defaults_are_hyena_dna_and_DESIGN_values()
    {
        var c = new HyenaConfig();
        Assert.Equal((2, 64, 2, 3, 5), (c.Order, c.FilterOrder, c.FilterInnerLayers, c.ShortFilterOrder, c.EmbDim));
        Assert.Equal((10.0, 0.3, 1.5, 1e-2, 0.0), (c.SineFrequency, c.FastDecayPct, c.SlowDecayPct, c.DecayTarget, c.ModulationShift));
        Assert.Equal((12, 16, 1e-5, 0.0, 0.02), (c.VocabSize, c.PaddedVocabSize, c.LayerNormEps, c.EmbeddingDropout, c.InitializerRange));
        Assert.True(c.ResidualInFp32);
        Assert.Equal(512, c.DInner);
        Assert.Equal(1024, (c with { DModel = 256 }).DInner);
        Assert.Equal(100, (c with { DInner = 100 } with { DModel = 256 }).DInner);
        Assert.Equal(4098, c.ForContext(4096).MaxLength);
    }

    [Theory]
    [InlineData(nameof(HyenaConfig.DModel))]
    [InlineData(nameof(HyenaConfig.NLayer))]
    [InlineData(nameof(HyenaConfig.MaxLength))]
    [InlineData(nameof(HyenaConfig.Order))]
    [InlineData(nameof(HyenaConfig.FilterOrder))]
    [InlineData(nameof(HyenaConfig.EmbDim))]
    [InlineData(nameof(HyenaConfig.DecayTarget))]
    [InlineData(nameof(HyenaConfig.EmbeddingDropout))]
    [InlineData(nameof(HyenaConfig.LayerNormEps))]
    public void Validate_names_the_bad_field(string field)
    {
        var c = new HyenaConfig();
        var bad = field switch
        {
            nameof(HyenaConfig.DModel) => c with { DModel = 0 },
            nameof(HyenaConfig.NLayer) => c with { NLayer = -1 },
            nameof(HyenaConfig.MaxLength) => c with { MaxLength = 0 },
            nameof(HyenaConfig.Order) => c with { Order = 3 },
            nameof(HyenaConfig.FilterOrder) => c with { FilterOrder = 0 },
            nameof(HyenaConfig.EmbDim) => c with { EmbDim = 4 },
            nameof(HyenaConfig.DecayTarget) => c with { DecayTarget = 1 },
            nameof(HyenaConfig.EmbeddingDropout) => c with { EmbeddingDropout = 1 },
            _ => c with { LayerNormEps = 0 },
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => bad.Validate());
        Assert.Equal(field, e.ParamName);
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void Unknown_preset_lists_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => HyenaConfig.Preset("3M"));
        Assert.Contains("'3M'", e.Message);
        Assert.Contains("1.4M", e.Message);
        Assert.Contains("large-1m", e.Message);
    }
}
