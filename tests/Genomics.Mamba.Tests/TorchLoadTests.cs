using Genomics.Mamba.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests;

public class TorchLoadTests
{
    [Fact]
    public void TorchSharp_loads_and_a_matmul_matches_hand_arithmetic()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        var b = tensor(new float[] { 7, 8, 9, 10, 11, 12 }, [3, 2]);
        var c = matmul(a, b);
        // [[1*7+2*9+3*11, 1*8+2*10+3*12], [4*7+5*9+6*11, 4*8+5*10+6*12]]
        Assert.Equal(new float[] { 58, 64, 139, 154 }, c.data<float>().ToArray());
    }

    [Fact]
    public void TorchSharp_loads_from_the_patched_library_without_a_fallback_copy()
    {
        string so = Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");
        Assert.True(File.Exists(so), $"{so} is missing: the libtorch natives were not copied next to the tests");
        byte[] bytes = File.ReadAllBytes(so);
        // The string is present (we only weaken the requirement) and the library loaded above.
        Assert.Contains("GLIBCXX_3.4.32", System.Text.Encoding.ASCII.GetString(bytes));
        Assert.False(Directory.Exists(Path.Combine(AppContext.BaseDirectory, "cpu")),
            "TorchSharp's fallback copy exists: the first load failed");
    }
}
