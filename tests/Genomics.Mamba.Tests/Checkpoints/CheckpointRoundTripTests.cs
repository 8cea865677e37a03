using System.Text.Json.Nodes;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Modules;
using TorchSharp;
using static Genomics.Mamba.Tests.Checkpoints.CheckpointTestData;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Checkpoints;

/// <summary>Save → load gives back the same model (bit-identical logits) and every training slot unchanged.</summary>
public class CheckpointRoundTripTests
{
    static void RoundTrip<T>(T model) where T : nn.Module<Tensor, Tensor>
    {
        using var dir = new TempDir();
        string path = dir.File("model" + CheckpointFile.Extension);
        using var ids = Tokens();
        using var before = Logits(model, ids);

        Checkpoint.Of(model, step: 3).Save(path);
        using var loaded = Checkpoint.Load(path);
        using var rebuilt = loaded.BuildModel<T>();

        using var after = Logits(rebuilt, ids);
        AssertIdentical(before, after, "logits");
        var original = State(model);
        var restored = State(rebuilt);
        Assert.Equal(original.Keys.Order(), restored.Keys.Order());
        foreach (var (name, t) in original)
        {
            AssertIdentical(t, restored[name], name);
        }
        Assert.Equal(3, loaded.Step);
        Assert.Equal(Path.GetFullPath(path), Path.GetFullPath(loaded.SourcePath!));
    }

    [Fact]
    public void Mamba_language_model_comes_back_with_bit_identical_logits()
    {
        using var model = Seeded(1, () => new MambaLM(TinyMamba));
        RoundTrip(model);
    }

    [Fact]
    public void Untied_mamba_head_is_stored_and_restored()
    {
        using var model = Seeded(2, () => new MambaLM(TinyMamba with { TieEmbeddings = false }));
        RoundTrip(model);
    }

    [Fact]
    public void Hyena_language_model_comes_back_with_bit_identical_logits()
    {
        using var model = Seeded(3, () => new HyenaLM(TinyHyena));
        RoundTrip(model);
    }

    [Fact]
    public void Classifiers_on_both_trunks_come_back_with_their_head_and_pooling()
    {
        using (var mamba = Seeded(4, () => new SequenceClassifier(TinyMamba, classes: 3, Pooling.Mean)))
        {
            RoundTrip(mamba);
        }
        using var hyena = Seeded(5, () => new SequenceClassifier(TinyHyena, classes: 2));
        RoundTrip(hyena);

        using var dir = new TempDir();
        Checkpoint.Of(hyena).Save(dir.File("c.gmckpt"));
        using var loaded = Checkpoint.Load(dir.File("c.gmckpt"));
        Assert.Equal(ModelKind.Hyena, loaded.Model.Kind);
        Assert.Equal(2, loaded.Model.Classes);
        Assert.Equal(Pooling.Last, loaded.Model.Pooling);
    }

    [Fact]
    public void Bfloat16_weights_keep_their_dtype_and_bits()
    {
        using var model = Seeded(6, () => new MambaLM(TinyMamba));
        model.to(bfloat16);
        using var dir = new TempDir();
        Checkpoint.Of(model).Save(dir.File("bf16.gmckpt"));
        using var loaded = Checkpoint.Load(dir.File("bf16.gmckpt"));
        foreach (var (name, t) in State(model))
        {
            AssertIdentical(t, loaded.Weights[name], name);
        }
    }

    [Fact]
    public void Training_slots_step_data_position_rng_and_metadata_round_trip()
    {
        using var model = Seeded(7, () => new MambaLM(TinyMamba));
        using var expAvg = randn(4, 3);
        using var count = tensor(new long[] { 5, 6 });
        var checkpoint = new Checkpoint
        {
            Model = ModelSpec.Of(model),
            Weights = State(model),
            Step = 1234,
            Data = new DataPosition(Epoch: 2, Sample: 40_000, Batch: 625, Source: "hg38.2bit#sha256:ab12"),
            Rng = new RngState(Seed: 42)
            {
                Counters = new Dictionary<string, long> { ["sampler"] = 99, ["dropout"] = 7 },
                State = [1, 2, 3, 250],
            },
            Optimizer = new CheckpointSlot
            {
                State = JsonNode.Parse("""{"kind":"adamw","lr":0.0006,"betas":[0.9,0.95],"groups":[{"params":[0,1],"weight_decay":0.1}]}"""),
                Tensors = new Dictionary<string, Tensor> { ["exp_avg.0"] = expAvg, ["step_counts"] = count },
            },
            Scheduler = new CheckpointSlot { State = JsonNode.Parse("""{"last_epoch":1234}""") },
            Metadata = new Dictionary<string, string> { ["run"] = "test", ["commit"] = "abc" },
        };
        using var dir = new TempDir();
        checkpoint.Save(dir.File("train.gmckpt"));
        using var loaded = Checkpoint.Load(dir.File("train.gmckpt"));

        Assert.Equal(1234, loaded.Step);
        Assert.Equal(checkpoint.Data, loaded.Data);
        Assert.Equal(42, loaded.Rng!.Seed);
        Assert.Equal(checkpoint.Rng.Counters, loaded.Rng.Counters);
        Assert.Equal(checkpoint.Rng.State, loaded.Rng.State);
        Assert.Equal(checkpoint.Optimizer.State!.ToJsonString(), loaded.Optimizer!.State!.ToJsonString());
        AssertIdentical(expAvg, loaded.Optimizer.Tensors["exp_avg.0"]);
        AssertIdentical(count, loaded.Optimizer.Tensors["step_counts"]);
        Assert.Equal("""{"last_epoch":1234}""", loaded.Scheduler!.State!.ToJsonString());
        Assert.Empty(loaded.Scheduler.Tensors);
        Assert.Equal(checkpoint.Metadata, loaded.Metadata);
        Assert.Equal(Checkpoint.CurrentVersion, loaded.GenomambaVersion);
    }

    [Fact]
    public void Absent_slots_stay_absent()
    {
        using var model = Seeded(8, () => new HyenaLM(TinyHyena));
        using var dir = new TempDir();
        Checkpoint.Of(model).Save(dir.File("bare.gmckpt"));
        using var loaded = Checkpoint.Load(dir.File("bare.gmckpt"));
        Assert.Null(loaded.Optimizer);
        Assert.Null(loaded.Scheduler);
        Assert.Null(loaded.Rng);
        Assert.Null(loaded.Data);
        Assert.Empty(loaded.Metadata);
    }

    [Fact]
    public void Load_into_a_live_model_of_the_same_config_restores_it()
    {
        using var source = Seeded(9, () => new MambaLM(TinyMamba));
        using var target = Seeded(10, () => new MambaLM(TinyMamba));
        using var dir = new TempDir();
        Checkpoint.Of(source).Save(dir.File("a.gmckpt"));
        using var loaded = Checkpoint.Load(dir.File("a.gmckpt"));
        loaded.LoadInto(target);
        using var ids = Tokens();
        using var a = Logits(source, ids);
        using var b = Logits(target, ids);
        AssertIdentical(a, b, "logits");
    }

    [Fact]
    public void File_starts_with_magic_and_version_and_its_header_is_readable_json()
    {
        using var model = Seeded(11, () => new MambaLM(TinyMamba));
        using var dir = new TempDir();
        string path = dir.File("h.gmckpt");
        Checkpoint.Of(model).Save(path);
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal("GMCKPT"u8.ToArray(), bytes[..6]);
        Assert.Equal(CheckpointFile.Version, BitConverter.ToUInt16(bytes, 6));
        long headerLength = (long)BitConverter.ToUInt64(bytes, 8);
        var header = JsonNode.Parse(bytes.AsSpan(16, (int)headerLength))!;
        Assert.Equal("genomamba-checkpoint", header["format"]!.GetValue<string>());
        Assert.Equal("mamba", header["model"]!["kind"]!.GetValue<string>());
        Assert.Equal(16, header["model"]!["config"]!["d_model"]!.GetValue<int>());
        Assert.Null(header["model"]!["config"]!["parameter_count"]);   // derived values are not stored
        var tensors = header["tensors"]!.AsArray();
        Assert.Equal(State(model).Count, tensors.Count);
        Assert.All(tensors, t => Assert.Equal(0, t!["offset"]!.GetValue<long>() % CheckpointFile.Alignment));
    }
}
