using Genomics.Mamba.Modules;
using Genomics.Mamba.Runtime;
using Genomics.Mamba.Tests.Modules;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Checkpoints;

/// <summary>The golden tiny models (Golden/mamba-tiny, Golden/hyena-tiny) and their logits check, for import/export tests.</summary>
public static class GoldenModels
{
    static readonly Lazy<Golden> MambaSet = new(() =>
    {
        TorchRuntime.EnsureLoaded();
        return ModuleTestData.LoadGolden("mamba-tiny");
    });

    static readonly Lazy<Golden> HyenaSet = new(() =>
    {
        TorchRuntime.EnsureLoaded();
        return ModuleTestData.LoadGolden("hyena-tiny");
    });

    public static Golden Mamba => MambaSet.Value;

    public static Golden Hyena => HyenaSet.Value;

    /// <summary>A MambaLM holding the golden weights.</summary>
    public static MambaLM MambaModel()
    {
        var model = new MambaLM(Mamba.Config);
        model.LoadStateDict(Mamba.Weights);
        return model;
    }

    /// <summary>A HyenaLM holding the golden weights.</summary>
    public static HyenaLM HyenaModel()
    {
        var model = new HyenaLM(HyenaGoldenTests.ConfigOf(Hyena));
        model.LoadStateDict(Hyena.Weights);
        return model;
    }

    /// <summary>
    /// Runs <paramref name="model"/> in float64 on the golden tokens and holds its logits to the golden ones to rounding
    /// (the golden logits were computed in float64 from these float32 weights; tolerance as the golden tests': 1e-9).
    /// </summary>
    public static void AssertGoldenLogits(ITestOutputHelper log, nn.Module<Tensor, Tensor> model, Golden golden, string what)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.to(float64);
        var tokens = golden.Tensors["tokens"];
        long l = tokens.shape[1] - 1;
        var logits = model.forward(tokens.narrow(1, 0, l));
        Compare.Close(log, what + " logits", logits, golden.Tensors["logits"], rtol: 1e-9, atol: 1e-9, scaled: true);
    }

    /// <summary>(name, shape) of every golden weight: the upstream state dict's key list.</summary>
    public static SortedDictionary<string, string> KeyShapes(IEnumerable<KeyValuePair<string, Tensor>> tensors) =>
        new(tensors.ToDictionary(kv => kv.Key, kv => $"{kv.Value.dtype} ({string.Join(", ", kv.Value.shape)})"), StringComparer.Ordinal);
}
