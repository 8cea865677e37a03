using System.Text;
using Genomics.Data;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Modules;
using Xunit.Abstractions;
using static Genomics.Mamba.Tests.Checkpoints.CheckpointTestData;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Checkpoints;

/// <summary>Every way a checkpoint can be wrong is refused with one message naming the file, the problem and what to do.</summary>
public class CheckpointCorruptionTests(ITestOutputHelper log) : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A valid checkpoint of a small Mamba LM at step 10, written once per test.</summary>
    string Good
    {
        get
        {
            string path = _dir.File("good.gmckpt");
            if (!File.Exists(path))
            {
                using var model = Seeded(1, () => new MambaLM(TinyMamba));
                Checkpoint.Of(model, step: 10).Save(path);
            }
            return path;
        }
    }

    DataFormatException Refused(byte[] bytes, string name)
    {
        string path = _dir.File(name);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<DataFormatException>(() => Checkpoint.Load(path));
        log.WriteLine(e.Message);
        Assert.StartsWith(path, e.Message);
        Assert.NotNull(e.Hint);
        return e;
    }

    byte[] GoodBytes() => File.ReadAllBytes(Good);

    static long DataStart(byte[] bytes)
    {
        long header = (long)BitConverter.ToUInt64(bytes, 8);
        return (16 + header + 63) / 64 * 64;
    }

    [Fact]
    public void A_file_that_is_not_a_checkpoint_is_refused_by_its_magic()
    {
        var e = Refused(Encoding.ASCII.GetBytes("hello, this is a text file that is long enough"), "text.gmckpt");
        Assert.Contains("not a genomamba checkpoint", e.Problem);
        Assert.Contains("GMCKPT", e.Problem);
    }

    [Fact]
    public void A_pytorch_zip_is_named_as_such()
    {
        var e = Refused([(byte)'P', (byte)'K', 3, 4, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "pytorch_model.bin");
        Assert.Contains("PyTorch", e.Problem);
        Assert.Contains("PretrainedImport", e.Hint);
    }

    [Fact]
    public void A_safetensors_file_is_named_as_such()
    {
        byte[] bytes = [.. BitConverter.GetBytes(2UL), .. "{}"u8.ToArray()];
        var e = Refused(bytes, "model.safetensors");
        Assert.Contains("safetensors", e.Problem);
    }

    [Fact]
    public void A_newer_format_version_asks_for_an_upgrade()
    {
        var bytes = GoodBytes();
        BitConverter.GetBytes((ushort)(CheckpointFile.Version + 1)).CopyTo(bytes, 6);
        var e = Refused(bytes, "future.gmckpt");
        Assert.Contains($"version {CheckpointFile.Version + 1}", e.Problem);
        Assert.Contains("upgrade genomamba", e.Hint);
    }

    [Fact]
    public void Version_zero_is_damage()
    {
        var bytes = GoodBytes();
        BitConverter.GetBytes((ushort)0).CopyTo(bytes, 6);
        var e = Refused(bytes, "zero.gmckpt");
        Assert.Contains("version 0", e.Problem);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(12)]
    [InlineData(100)]
    public void A_file_cut_anywhere_is_refused_as_truncated(int keep)
    {
        var e = Refused(GoodBytes()[..keep], $"cut{keep}.gmckpt");
        Assert.True(e.Problem.Contains("truncated") || e.Problem.Contains("empty"), e.Problem);
        Assert.Contains("earlier checkpoint", e.Hint);
    }

    [Fact]
    public void A_file_missing_its_last_bytes_is_refused_as_truncated()
    {
        var bytes = GoodBytes();
        foreach (int cut in new[] { 1, 8, 100, bytes.Length - (int)DataStart(bytes) })
        {
            var e = Refused(bytes[..^cut], $"short{cut}.gmckpt");
            Assert.Contains("truncated", e.Problem);
        }
    }

    [Fact]
    public void Appended_bytes_are_refused()
    {
        var e = Refused([.. GoodBytes(), 0, 0, 0, 0], "long.gmckpt");
        Assert.Contains("longer than its header describes", e.Problem);
    }

    [Fact]
    public void A_flipped_bit_in_the_tensor_data_fails_the_checksum()
    {
        var bytes = GoodBytes();
        long data = DataStart(bytes);
        bytes[data + 100] ^= 0x10;
        var e = Refused(bytes, "flip.gmckpt");
        Assert.Contains("checksum mismatch", e.Problem);
        Assert.Contains("earlier checkpoint", e.Hint);
    }

    [Fact]
    public void A_changed_digit_in_the_header_fails_the_checksum()
    {
        var bytes = GoodBytes();
        string text = Encoding.UTF8.GetString(bytes, 16, (int)BitConverter.ToUInt64(bytes, 8));
        int at = text.IndexOf("\"step\": 10", StringComparison.Ordinal) + "\"step\": ".Length;
        Assert.True(at > 20, "step not found in header");
        bytes[16 + at] = (byte)'9';   // still valid JSON, only the checksum can tell
        var e = Refused(bytes, "edited.gmckpt");
        Assert.Contains("checksum mismatch", e.Problem);
    }

    [Fact]
    public void A_header_that_is_not_json_is_refused_as_corrupt()
    {
        var bytes = GoodBytes();
        bytes[16] = (byte)'#';
        var e = Refused(bytes, "garbled.gmckpt");
        Assert.Contains("header is corrupt", e.Problem);
    }

    [Fact]
    public void An_implausible_header_length_is_refused()
    {
        var bytes = GoodBytes();
        BitConverter.GetBytes(ulong.MaxValue / 2).CopyTo(bytes, 8);
        var e = Refused(bytes, "huge.gmckpt");
        Assert.Contains("header length", e.Problem);
    }

    [Fact]
    public void Loading_into_a_model_of_another_config_names_the_fields_that_differ()
    {
        using var loaded = Checkpoint.Load(Good);
        using var other = Seeded(2, () => new MambaLM(TinyMamba with { DModel = 32, DState = 8 }));
        var e = Assert.Throws<DataFormatException>(() => loaded.LoadInto(other));
        log.WriteLine(e.Message);
        Assert.Contains("d_model 32 vs 16", e.Problem);
        Assert.Contains("d_state 8 vs 16", e.Problem);
        Assert.Contains("BuildModel", e.Hint);
    }

    [Fact]
    public void Loading_into_another_architecture_or_head_is_refused()
    {
        using var loaded = Checkpoint.Load(Good);
        using var hyena = Seeded(3, () => new HyenaLM(TinyHyena));
        var e = Assert.Throws<DataFormatException>(() => loaded.LoadInto(hyena));
        Assert.Contains("architecture hyena vs mamba", e.Problem);
        using var classifier = Seeded(4, () => new SequenceClassifier(TinyMamba, 2));
        e = Assert.Throws<DataFormatException>(() => loaded.LoadInto(classifier));
        Assert.Contains("head classifier vs language model", e.Problem);
    }

    [Fact]
    public void Building_the_wrong_model_type_is_refused()
    {
        using var loaded = Checkpoint.Load(Good);
        var e = Assert.Throws<DataFormatException>(() => loaded.BuildModel<HyenaLM>());
        Assert.Contains("MambaLM", e.Problem);
    }

    [Fact]
    public void A_header_whose_config_does_not_match_its_tensors_is_refused_on_build()
    {
        using var model = Seeded(5, () => new MambaLM(TinyMamba));
        // A hand-made inconsistent checkpoint: the header says d_state 8, the tensors are d_state 16.
        var lying = new Checkpoint { Model = ModelSpec.LanguageModel(TinyMamba with { DState = 8 }), Weights = State(model) };
        string path = _dir.File("lying.gmckpt");
        lying.Save(path);
        using var loaded = Checkpoint.Load(path);
        var e = Assert.Throws<DataFormatException>(() => loaded.BuildModel());
        log.WriteLine(e.Message);
        Assert.Contains("A_log", e.Problem);
    }
}
