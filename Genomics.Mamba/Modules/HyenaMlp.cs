using Genomics.Mamba.Config;
using Genomics.Mamba.Precision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Genomics.Mamba.Modules;

/// <summary>
/// The channel-mixing half of a HyenaDNA block (flash-attn <c>Mlp</c> as hyena-dna's create_mlp_cls builds it):
/// fc1 (d → d_inner) → GELU (tanh approximation, as upstream) → fc2 (d_inner → d). Keys fc1.*, fc2.*.
/// </summary>
public sealed class HyenaMlp : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // hyena-dna's state-dict keys
    readonly Linear fc1;
    readonly Linear fc2;
#pragma warning restore IDE1006

    public HyenaMlp(HyenaConfig config) : base(nameof(HyenaMlp))
    {
        fc1 = nn.Linear(config.DModel, config.DInner, hasBias: true);
        fc2 = nn.Linear(config.DInner, config.DModel, hasBias: true);
        register_module(nameof(fc1), fc1);
        register_module(nameof(fc2), fc2);
    }

    internal Linear Fc1 => fc1;
    internal Linear Fc2 => fc2;

    /// <summary>The dtype of both Linears and the GELU between them (<see cref="ComputePrecision"/>).</summary>
    public ComputePrecision Precision { get; set; } = ComputePrecision.Float32;

    /// <summary>x (b, l, d) → (b, l, d), in the compute dtype.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = F.gelu(MixedPrecision.Linear(x, fc1, Precision), TorchSharp.Modules.GELU.Approximate.tanh);   // (b, l, d_inner)
        return MixedPrecision.Linear(h, fc2, Precision).MoveToOuterDisposeScope();                             // (b, l, d)
    }
}
