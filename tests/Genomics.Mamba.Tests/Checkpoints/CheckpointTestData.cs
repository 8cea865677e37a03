using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Runtime;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Checkpoints;

/// <summary>Small models, tokens, a scratch directory and the repository root for the checkpoint tests.</summary>
public static class CheckpointTestData
{
    public static readonly MambaConfig TinyMamba = new() { DModel = 16, NLayer = 2 };

    public static readonly HyenaConfig TinyHyena = new HyenaConfig { DModel = 16, NLayer = 2, FilterOrder = 16 }.ForContext(32);

    static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "genomamba.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("cannot find genomamba.sln above " + AppContext.BaseDirectory);
    });

    /// <summary>The checkout's root (where genomamba.sln is).</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>A committed fixture under tests/Genomics.Mamba.Tests/Golden/checkpoints.</summary>
    public static string Fixture(params string[] parts) =>
        Path.Combine([RepoRoot, "tests", "Genomics.Mamba.Tests", "Golden", "checkpoints", .. parts]);

    /// <summary>Seeded model: the same weights every run.</summary>
    public static T Seeded<T>(int seed, Func<T> build)
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(seed);
        return build();
    }

    /// <summary>(b, l) int64 DNA-like ids (A C G T = 7..10, a few N = 11), seeded.</summary>
    public static Tensor Tokens(int batch = 2, int length = 24, int seed = 7)
    {
        TorchRuntime.EnsureLoaded();
        var g = new Generator((ulong)seed);
        var ids = randint(7, 11, [batch, length], generator: g);
        ids[rand([batch, length], generator: g) < 0.05] = 11;
        return ids;
    }

    /// <summary>Logits of <paramref name="model"/> on <paramref name="ids"/>, without gradients.</summary>
    public static Tensor Logits(nn.Module<Tensor, Tensor> model, Tensor ids)
    {
        using var noGrad = no_grad();
        model.eval();
        return model.forward(ids);
    }

    /// <summary>Bitwise equality of values (allclose with zero tolerances), dtype and shape.</summary>
    public static void AssertIdentical(Tensor expected, Tensor actual, string what = "tensor")
    {
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.allclose(actual, 0, 0), $"{what} differs");
    }

    /// <summary>Parameters and buffers of the model by name, for comparisons (views).</summary>
    public static Dictionary<string, Tensor> State(nn.Module model) => StateDicts.Of(model);
}

/// <summary>A fresh directory under the system temp folder, deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => System.IO.Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "gm-ckpt-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
