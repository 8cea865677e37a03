using Genomics.Data;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Modules;
using static Genomics.Mamba.Tests.Checkpoints.CheckpointTestData;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Checkpoints;

/// <summary>A write that fails leaves the previous file byte-for-byte intact and no temporary file behind.</summary>
public class AtomicWriteTests
{
    [Fact]
    public void A_writer_that_throws_midway_leaves_the_previous_file_and_no_temp_file()
    {
        using var dir = new TempDir();
        string path = dir.File("data.bin");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[10_000]);
            throw new IOException("disk full (simulated)");
        }));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal(["data.bin"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_successful_write_replaces_the_file_and_leaves_no_temp_file()
    {
        using var dir = new TempDir();
        string path = dir.File("data.bin");
        File.WriteAllBytes(path, [1, 2, 3]);
        AtomicFile.Write(path, s => s.Write([4, 5]));
        Assert.Equal([4, 5], File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void A_checkpoint_save_that_fails_while_writing_tensors_keeps_the_previous_checkpoint()
    {
        using var dir = new TempDir();
        string path = dir.File("run.gmckpt");
        using var model = Seeded(1, () => new MambaLM(TinyMamba));
        Checkpoint.Of(model, step: 1).Save(path);
        byte[] before = File.ReadAllBytes(path);

        // A tensor on the meta device has a shape and dtype (so the header is written) but no data: the write fails
        // partway through the tensor section, after the temporary file already holds the header and the weights.
        using var ghost = empty([1000], float32, device: META);
        var failing = new Checkpoint
        {
            Model = ModelSpec.Of(model),
            Weights = State(model),
            Step = 2,
            Optimizer = new CheckpointSlot { Tensors = new Dictionary<string, Tensor> { ["exp_avg.0"] = ghost } },
        };
        Assert.ThrowsAny<Exception>(() => failing.Save(path));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["run.gmckpt"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
        using var loaded = Checkpoint.Load(path);
        Assert.Equal(1, loaded.Step);
    }

    [Fact]
    public void An_unsupported_dtype_is_refused_before_any_file_is_touched()
    {
        using var dir = new TempDir();
        string path = dir.File("c.gmckpt");
        using var model = Seeded(1, () => new MambaLM(TinyMamba));
        using var complexTensor = zeros([2], complex64);
        var checkpoint = new Checkpoint
        {
            Model = ModelSpec.Of(model),
            Weights = State(model),
            Scheduler = new CheckpointSlot { Tensors = new Dictionary<string, Tensor> { ["z"] = complexTensor } },
        };
        var e = Assert.Throws<NotSupportedException>(() => checkpoint.Save(path));
        Assert.Contains("float32", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
