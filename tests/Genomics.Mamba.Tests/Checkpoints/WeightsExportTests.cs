using System.Text.Json;
using System.Text.Json.Nodes;
using Genomics.Data;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Tests.Modules;
using Xunit.Abstractions;
using static Genomics.Mamba.Tests.Checkpoints.CheckpointTestData;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Checkpoints;

/// <summary>
/// safetensors + config.json export and import: round trips, the upstream key/shape mapping against the golden sets,
/// files written by Python (tools/golden/make_pytorch_checkpoints.py) read here, and files written here read by Python.
/// </summary>
public class WeightsExportTests(ITestOutputHelper log)
{
    [Fact]
    public void Mamba_export_then_import_gives_identical_logits()
    {
        using var model = GoldenModels.MambaModel();
        using var dir = new TempDir();
        WeightsExport.Export(model, dir.Path);
        using var back = WeightsExport.ImportMamba(dir.Path);
        using var ids = Tokens();
        using var a = Logits(model, ids);
        using var b = Logits(back, ids);
        AssertIdentical(a, b, "logits");
    }

    [Fact]
    public void Hyena_export_then_import_gives_identical_logits()
    {
        using var model = GoldenModels.HyenaModel();
        using var dir = new TempDir();
        WeightsExport.Export(model, dir.Path);
        using var back = WeightsExport.ImportHyena(dir.Path);
        using var ids = Tokens();
        using var a = Logits(model, ids);
        using var b = Logits(back, ids);
        AssertIdentical(a, b, "logits");
    }

    [Fact]
    public void Exported_keys_and_shapes_are_the_golden_upstream_state_dicts()
    {
        using var dir = new TempDir();
        using (var mamba = GoldenModels.MambaModel())
        {
            WeightsExport.Export(mamba, dir.File("mamba"));
        }
        using (var hyena = GoldenModels.HyenaModel())
        {
            WeightsExport.Export(hyena, dir.File("hyena"));
        }
        foreach (var (name, golden) in new[] { ("mamba", GoldenModels.Mamba), ("hyena", GoldenModels.Hyena) })
        {
            var (tensors, metadata) = SafetensorsFile.Read(Path.Combine(dir.File(name), WeightsExport.WeightsFile));
            Assert.Equal(GoldenModels.KeyShapes(golden.Weights), GoldenModels.KeyShapes(tensors));
            foreach (var (key, t) in tensors)
            {
                AssertIdentical(golden.Weights[key], t, key);
            }
            Assert.Equal("pt", metadata["format"]);
            log.WriteLine($"{name}: {tensors.Count} tensors, keys = golden keys (lm_head.weight and shared sines included)");
        }
    }

    [Fact]
    public void Exported_tensors_and_config_match_the_files_python_wrote()
    {
        using var dir = new TempDir();
        using (var mamba = GoldenModels.MambaModel())
        {
            WeightsExport.Export(mamba, dir.File("mamba-tiny"));
        }
        using (var hyena = GoldenModels.HyenaModel())
        {
            WeightsExport.Export(hyena, dir.File("hyena-tiny"));
        }
        foreach (string name in new[] { "mamba-tiny", "hyena-tiny" })
        {
            var (ours, _) = SafetensorsFile.Read(Path.Combine(dir.File(name), WeightsExport.WeightsFile));
            var (theirs, _) = SafetensorsFile.Read(Fixture(name, WeightsExport.WeightsFile));
            Assert.Equal(GoldenModels.KeyShapes(theirs), GoldenModels.KeyShapes(ours));
            foreach (var (key, t) in theirs)
            {
                AssertIdentical(t, ours[key], key);
            }
            var ourConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.File(name), WeightsExport.ConfigFile)))!;
            var theirConfig = JsonNode.Parse(File.ReadAllText(Fixture(name, WeightsExport.ConfigFile)))!;
            AssertSameJson(theirConfig, ourConfig, name);
        }
    }

    static void AssertSameJson(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected)
        {
            case JsonObject e:
                var a = Assert.IsType<JsonObject>(actual);
                Assert.Equal(e.Select(kv => kv.Key).Order(), a.Select(kv => kv.Key).Order());
                foreach (var (k, v) in e)
                {
                    AssertSameJson(v, a[k], $"{path}.{k}");
                }
                break;
            case JsonArray e:
                var arr = Assert.IsType<JsonArray>(actual);
                Assert.Equal(e.Count, arr.Count);
                for (int i = 0; i < e.Count; i++)
                {
                    AssertSameJson(e[i], arr[i], $"{path}[{i}]");
                }
                break;
            case JsonValue e when e.GetValueKind() == JsonValueKind.Number:
                Assert.True(actual is JsonValue av && av.GetValueKind() == JsonValueKind.Number, $"{path}: {actual} is not a number");
                Assert.True(e.GetValue<double>() == actual!.GetValue<double>(), $"{path}: {e} vs {actual}");
                break;
            default:
                Assert.True(expected?.ToJsonString() == actual?.ToJsonString(), $"{path}: {expected} vs {actual}");
                break;
        }
    }

    [Fact]
    public void Safetensors_written_by_python_import_to_the_golden_logits()
    {
        using (var mamba = WeightsExport.ImportMamba(Fixture("mamba-tiny")))
        {
            GoldenModels.AssertGoldenLogits(log, mamba, GoldenModels.Mamba, "mamba");
        }
        using var hyena = WeightsExport.ImportHyena(Fixture("hyena-tiny"));
        Assert.Equal(HyenaGoldenTests.ConfigOf(GoldenModels.Hyena).MaxLength, hyena.Config.MaxLength);
        GoldenModels.AssertGoldenLogits(log, hyena, GoldenModels.Hyena, "hyena");
    }

    [PythonTorchFact]
    public void Python_reads_our_export_and_its_port_of_upstream_gives_the_golden_logits()
    {
        using var dir = new TempDir();
        using (var mamba = GoldenModels.MambaModel())
        {
            WeightsExport.Export(mamba, dir.File("mamba"));
        }
        using (var hyena = GoldenModels.HyenaModel())
        {
            WeightsExport.Export(hyena, dir.File("hyena"));
        }
        foreach (var (sub, golden) in new[] { ("mamba", "mamba-tiny"), ("hyena", "hyena-tiny") })
        {
            var (code, output) = PythonTorch.Run($"tools/golden/make_pytorch_checkpoints.py --verify \"{dir.File(sub)}\" --golden {golden}");
            log.WriteLine($"{golden}: {output.Trim()}");
            Assert.True(code == 0, output);
            Assert.Contains("\"ok\": true", output);
        }
    }

    [PythonTorchFact]
    public void Python_reads_a_genomamba_checkpoint_by_its_documented_layout()
    {
        using var dir = new TempDir();
        using (var mamba = GoldenModels.MambaModel())
        {
            Checkpoint.Of(mamba, step: 5).Save(dir.File("mamba.gmckpt"));
        }
        using (var hyena = GoldenModels.HyenaModel())
        {
            Checkpoint.Of(hyena, step: 6).Save(dir.File("hyena.gmckpt"));
        }
        foreach (var (file, golden) in new[] { ("mamba.gmckpt", "mamba-tiny"), ("hyena.gmckpt", "hyena-tiny") })
        {
            var (code, output) = PythonTorch.Run($"tools/golden/make_pytorch_checkpoints.py --verify-checkpoint \"{dir.File(file)}\" --golden {golden}");
            log.WriteLine($"{golden}: {output.Trim()}");
            Assert.True(code == 0, output);
            Assert.Contains("\"ok\": true", output);
        }
    }

    [Fact]
    public void Fields_upstream_config_json_cannot_hold_survive_in_the_metadata()
    {
        using var model = Seeded(1, () => new MambaLM(TinyMamba with { RmsNormEps = 1e-6, InitializerRange = 0.05 }));
        using var dir = new TempDir();
        WeightsExport.Export(model, dir.Path);
        using var back = WeightsExport.ImportMamba(dir.Path);
        Assert.Equal(1e-6, back.Config.RmsNormEps);
        Assert.Equal(0.05, back.Config.InitializerRange);
    }

    [Fact]
    public void Without_config_json_the_config_is_read_off_the_tensor_shapes()
    {
        using var dir = new TempDir();
        File.Copy(Fixture("hyena-tiny", WeightsExport.WeightsFile), dir.File(WeightsExport.WeightsFile));
        using var hyena = WeightsExport.ImportHyena(dir.Path);
        GoldenModels.AssertGoldenLogits(log, hyena, GoldenModels.Hyena, "hyena (inferred config)");
    }

    [Fact]
    public void An_unsupported_upstream_config_is_refused_naming_the_field()
    {
        using var dir = new TempDir();
        File.Copy(Fixture("mamba-tiny", WeightsExport.WeightsFile), dir.File(WeightsExport.WeightsFile));
        var config = JsonNode.Parse(File.ReadAllText(Fixture("mamba-tiny", WeightsExport.ConfigFile)))!;
        config["rms_norm"] = false;
        File.WriteAllText(dir.File(WeightsExport.ConfigFile), config.ToJsonString());
        var e = Assert.Throws<DataFormatException>(() => WeightsExport.Import(dir.Path));
        log.WriteLine(e.Message);
        Assert.Contains("rms_norm", e.Problem);
    }

    [Fact]
    public void A_config_json_of_another_size_is_refused_with_the_mismatched_keys()
    {
        using var dir = new TempDir();
        File.Copy(Fixture("mamba-tiny", WeightsExport.WeightsFile), dir.File(WeightsExport.WeightsFile));
        var config = JsonNode.Parse(File.ReadAllText(Fixture("mamba-tiny", WeightsExport.ConfigFile)))!;
        config["d_model"] = 32;
        File.WriteAllText(dir.File(WeightsExport.ConfigFile), config.ToJsonString());
        var e = Assert.Throws<DataFormatException>(() => WeightsExport.Import(dir.Path));
        log.WriteLine(e.Message);
        Assert.Contains("backbone.embedding.weight", e.Problem);
        Assert.Contains("config.json", e.Hint);
    }

    [Fact]
    public void Truncated_or_garbled_safetensors_are_refused()
    {
        using var dir = new TempDir();
        byte[] good = File.ReadAllBytes(Fixture("mamba-tiny", WeightsExport.WeightsFile));
        string path = dir.File("bad.safetensors");
        foreach (var (bytes, expected) in new (byte[], string)[]
                 {
                     (good[..4], "truncated"),
                     (good[..^10], "truncated"),
                     ([.. good, 1, 2, 3], "after the last tensor"),
                     ([.. good[..8], (byte)'#', .. good[9..]], "header is corrupt"),
                 })
        {
            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<DataFormatException>(() => SafetensorsFile.Read(path));
            log.WriteLine(e.Message);
            Assert.Contains(expected, e.Problem);
        }
    }
}
