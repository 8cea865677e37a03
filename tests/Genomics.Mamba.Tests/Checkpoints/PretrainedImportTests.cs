using Genomics.Data;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Tests.Modules;
using Xunit.Abstractions;
using static Genomics.Mamba.Tests.Checkpoints.CheckpointTestData;

namespace Genomics.Mamba.Tests.Checkpoints;

/// <summary>
/// torch.save files made by tools/golden/make_pytorch_checkpoints.py from the golden tiny models — pytorch_model.bin,
/// a Lightning .ckpt ("model." prefix) and one from a gradient-checkpointed run (".mixer.layer.") — imported through
/// TorchSharp.PyBridge give the golden logits.
/// </summary>
public class PretrainedImportTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData("pytorch_model.bin")]
    [InlineData("lightning.ckpt")]
    public void Mamba_torch_save_files_import_to_the_golden_logits(string file)
    {
        using var model = PretrainedImport.Load(Fixture("mamba-tiny", file));
        var mamba = Assert.IsType<MambaLM>(model);
        Assert.Equal(GoldenModels.Mamba.Config.ParameterCount, mamba.ParameterCount);
        GoldenModels.AssertGoldenLogits(log, model, GoldenModels.Mamba, file);
    }

    [Theory]
    [InlineData("pytorch_model.bin")]
    [InlineData("lightning.ckpt")]
    [InlineData("lightning-checkpointed.ckpt")]
    public void Hyena_torch_save_files_import_to_the_golden_logits(string file)
    {
        using var model = PretrainedImport.Load(Fixture("hyena-tiny", file));
        Assert.IsType<HyenaLM>(model);
        GoldenModels.AssertGoldenLogits(log, model, GoldenModels.Hyena, file);
    }

    [Fact]
    public void A_lightning_state_dict_comes_back_with_bare_model_keys()
    {
        var ignored = new List<string>();
        var state = PretrainedImport.ReadStateDict(Fixture("hyena-tiny", "lightning-checkpointed.ckpt"), ignored);
        try
        {
            Assert.Equal(GoldenModels.KeyShapes(GoldenModels.Hyena.Weights), GoldenModels.KeyShapes(state));
            foreach (var (key, t) in state)
            {
                AssertIdentical(GoldenModels.Hyena.Weights[key], t, key);
            }
            Assert.Empty(ignored);
        }
        finally
        {
            foreach (var t in state.Values)
            {
                t.Dispose();
            }
        }
    }

    [Fact]
    public void The_lightning_fixtures_carry_the_python_objects_real_runs_pickle()
    {
        // hyena-dna's runs pickle an OmegaConf DictConfig (hyper_parameters) and defaultdicts (callback state) beside
        // the weights; Razorvine alone throws on them, so the fixtures must hold them for the import tests to mean it.
        using var zip = System.IO.Compression.ZipFile.OpenRead(Fixture("hyena-tiny", "lightning.ckpt"));
        using var pkl = zip.Entries.First(e => e.FullName.EndsWith("data.pkl", StringComparison.Ordinal)).Open();
        using var buffer = new MemoryStream();
        pkl.CopyTo(buffer);
        var classes = PickleClasses.Classes(buffer.ToArray()).Select(c => $"{c.Module}.{c.Name}").ToHashSet();
        log.WriteLine(string.Join(", ", classes.Order()));
        Assert.Contains("omegaconf.dictconfig.DictConfig", classes);
        Assert.Contains("collections.defaultdict", classes);
        Assert.Contains("torch._utils._rebuild_tensor_v2", classes);
    }

    [Fact]
    public void Without_config_json_the_config_is_read_off_the_tensor_shapes()
    {
        using var dir = new TempDir();
        File.Copy(Fixture("mamba-tiny", "lightning.ckpt"), dir.File("last.ckpt"));
        File.Copy(Fixture("hyena-tiny", "lightning.ckpt"), dir.File("hyena.ckpt"));
        using (var mamba = PretrainedImport.Load(dir.File("last.ckpt")))
        {
            GoldenModels.AssertGoldenLogits(log, mamba, GoldenModels.Mamba, "mamba (inferred config)");
        }
        using var hyena = PretrainedImport.Load(dir.File("hyena.ckpt"));
        var config = ((HyenaLM)hyena).Config;
        var golden = HyenaGoldenTests.ConfigOf(GoldenModels.Hyena);
        Assert.Equal((golden.DModel, golden.NLayer, golden.DInner, golden.FilterOrder, golden.EmbDim, golden.MaxLength),
            (config.DModel, config.NLayer, config.DInner, config.FilterOrder, config.EmbDim, config.MaxLength));
        GoldenModels.AssertGoldenLogits(log, hyena, GoldenModels.Hyena, "hyena (inferred config)");
    }

    [Fact]
    public void An_explicit_config_is_used_as_given()
    {
        using var model = PretrainedImport.LoadMamba(Fixture("mamba-tiny", "pytorch_model.bin"), GoldenModels.Mamba.Config);
        GoldenModels.AssertGoldenLogits(log, model, GoldenModels.Mamba, "explicit config");
        var e = Assert.Throws<DataFormatException>(() =>
            PretrainedImport.LoadMamba(Fixture("mamba-tiny", "pytorch_model.bin"), GoldenModels.Mamba.Config with { DState = 8 }));
        log.WriteLine(e.Message);
        Assert.Contains("A_log", e.Problem);
    }

    [Fact]
    public void A_legacy_pickle_is_refused_with_how_to_resave_it()
    {
        using var dir = new TempDir();
        string path = dir.File("old.bin");
        File.WriteAllBytes(path, [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]);
        var e = Assert.Throws<DataFormatException>(() => PretrainedImport.Load(path));
        log.WriteLine(e.Message);
        Assert.Contains("legacy", e.Problem);
        Assert.Contains("torch.save", e.Hint);
    }

    [Fact]
    public void A_genomamba_checkpoint_or_safetensors_file_is_pointed_to_its_own_loader()
    {
        using var dir = new TempDir();
        using (var model = Seeded(1, () => new MambaLM(TinyMamba)))
        {
            Checkpoint.Of(model).Save(dir.File("a.gmckpt"));
        }
        var e = Assert.Throws<DataFormatException>(() => PretrainedImport.Load(dir.File("a.gmckpt")));
        Assert.Contains("Checkpoint.Load", e.Hint);
        e = Assert.Throws<DataFormatException>(() => PretrainedImport.Load(Fixture("mamba-tiny", WeightsExport.WeightsFile)));
        Assert.Contains("WeightsExport", e.Hint);
    }
}
