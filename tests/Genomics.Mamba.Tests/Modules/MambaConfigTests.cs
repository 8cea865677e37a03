using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Runtime;
using Xunit.Abstractions;

namespace Genomics.Mamba.Tests.Modules;

public class MambaConfigTests(ITestOutputHelper log)
{
    /// <summary>
    /// The parameter count of a mamba_ssm MambaLMHeadModel, written from its module list rather than from
    /// <see cref="MambaConfig.ParameterCount"/>: each entry is one tensor of mamba_simple.Mamba / Block / MixerModel.
    /// </summary>
    static long CountFromModuleList(int d, int layers, int vocab = 16, int n = 16, int k = 4, int expand = 2)
    {
        int e = expand * d, r = (int)Math.Ceiling(d / 16.0);
        long[] perBlock =
        [
            d,                  // norm.weight
            2L * e * d,         // mixer.in_proj.weight      (2e, d)
            (long)e * 1 * k,    // mixer.conv1d.weight       (e, 1, k)
            e,                  // mixer.conv1d.bias
            (long)(r + 2 * n) * e,  // mixer.x_proj.weight   (r + 2n, e)
            (long)e * r,        // mixer.dt_proj.weight      (e, r)
            e,                  // mixer.dt_proj.bias
            (long)e * n,        // mixer.A_log               (e, n)
            e,                  // mixer.D
            (long)d * e,        // mixer.out_proj.weight     (d, e)
        ];
        return (long)vocab * d      // backbone.embedding.weight (the tied lm_head adds nothing)
               + layers * perBlock.Sum()
               + d;                 // backbone.norm_f.weight
    }

    [Theory]
    [InlineData("tiny-1k", 128, 2)]
    [InlineData("1.4M", 128, 12)]
    [InlineData("small-32k", 256, 4)]
    [InlineData("medium-160k", 256, 8)]
    [InlineData("medium-450k", 256, 8)]
    [InlineData("large-1m", 256, 8)]
    [InlineData("7M", 256, 16)]
    public void Preset_parameter_counts_match_the_module_list_and_the_built_model(string name, int d, int layers)
    {
        TorchRuntime.EnsureLoaded();
        var config = MambaConfig.Preset(name);
        Assert.Equal((d, layers), (config.DModel, config.NLayer));
        long expected = CountFromModuleList(d, layers);
        using var model = new MambaLM(config);
        log.WriteLine($"{name,-12} {config}  built: {model.ParameterCount:N0}");
        Assert.Equal(expected, config.ParameterCount);
        Assert.Equal(expected, model.ParameterCount);
    }

    [Fact]
    public void The_paper_sizes_are_what_their_names_say()
    {
        // d 128: block = 128 + 65,536 + 1,024 + 256 + 10,240 + 2,048 + 256 + 4,096 + 256 + 32,768 = 116,608;
        //        12 blocks + 16·128 embedding + 128 final norm = 1,401,472.
        // d 256: block = 256 + 262,144 + 2,048 + 512 + 24,576 + 8,192 + 512 + 8,192 + 512 + 131,072 = 438,016;
        //        16 blocks + 16·256 + 256 = 7,012,608.
        Assert.Equal(1_401_472, MambaConfig.Preset("1.4M").ParameterCount);
        Assert.Equal(7_012_608, MambaConfig.Preset("7M").ParameterCount);
        Assert.InRange(MambaConfig.Preset("1.4M").ParameterCount / 1.4e6, 0.99, 1.01);
        Assert.InRange(MambaConfig.Preset("7M").ParameterCount / 7.0e6, 0.99, 1.01);
    }

    [Fact]
    public void Defaults_are_mamba_ssm_and_DESIGN_values()
    {
        var c = new MambaConfig();
        Assert.Equal((16, 4, 2, 12, 16), (c.DState, c.DConv, c.Expand, c.VocabSize, c.PaddedVocabSize));
        Assert.Equal((1e-3, 0.1, 1e-4, 1e-5), (c.DtMin, c.DtMax, c.DtInitFloor, c.RmsNormEps));
        Assert.True(c.ResidualInFp32 && c.TieEmbeddings);
        Assert.Equal(256, c.DInner);
        Assert.Equal(8, c.DtRank);
    }

    [Fact]
    public void Auto_dt_rank_follows_d_model_until_set()
    {
        var c = new MambaConfig { DModel = 128 };
        Assert.Equal(8, c.DtRank);
        Assert.Equal(16, (c with { DModel = 256 }).DtRank);
        Assert.Equal(2, (c with { DModel = 17 }).DtRank);
        var fixedRank = c with { DtRank = 3 };
        Assert.Equal(3, (fixedRank with { DModel = 512 }).DtRank);
    }

    [Theory]
    [InlineData(nameof(MambaConfig.DModel))]
    [InlineData(nameof(MambaConfig.NLayer))]
    [InlineData(nameof(MambaConfig.DState))]
    [InlineData(nameof(MambaConfig.DConv))]
    [InlineData(nameof(MambaConfig.DtRank))]
    [InlineData(nameof(MambaConfig.DtMin))]
    [InlineData(nameof(MambaConfig.DtMax))]
    [InlineData(nameof(MambaConfig.RmsNormEps))]
    public void Validate_names_the_bad_field(string field)
    {
        var c = new MambaConfig();
        var bad = field switch
        {
            nameof(MambaConfig.DModel) => c with { DModel = 0 },
            nameof(MambaConfig.NLayer) => c with { NLayer = -1 },
            nameof(MambaConfig.DState) => c with { DState = 0 },
            nameof(MambaConfig.DConv) => c with { DConv = 0 },
            nameof(MambaConfig.DtRank) => c with { DtRank = 0 },
            nameof(MambaConfig.DtMin) => c with { DtMin = 0 },
            nameof(MambaConfig.DtMax) => c with { DtMax = 1e-4 },
            _ => c with { RmsNormEps = 0 },
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => bad.Validate());
        Assert.Equal(field, e.ParamName);
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void Unknown_preset_lists_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => MambaConfig.Preset("3M"));
        Assert.Contains("'3M'", e.Message);
        Assert.Contains("1.4M", e.Message);
        Assert.Contains("large-1m", e.Message);
    }
}
