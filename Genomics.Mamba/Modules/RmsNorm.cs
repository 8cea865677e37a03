using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Genomics.Mamba.Modules;

/// <summary>
/// RMSNorm (Zhang &amp; Sennrich 2019) as mamba_ssm's <c>rms_norm_ref</c> computes it: x / √(mean(x²) + eps) · weight,
/// no bias, no mean subtraction. The one parameter is "weight" (ones), as in mamba_ssm's state dicts.
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    readonly double _eps;
    readonly Parameter weight;

    public RmsNorm(long dim, double eps = 1e-5) : base(nameof(RmsNorm))
    {
        _eps = eps;
        weight = Parameters.Owned(() => ones(dim));
        register_parameter(nameof(weight), weight);
    }

    /// <summary>The gain, (d).</summary>
    public Parameter Weight => weight;

    /// <summary>x (..., d) → (..., d). Computed in the weight's dtype (fp32), as mamba_ssm normalises the fp32 residual.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        // The norm reads x twice (its square and the product). As a view node it hands autograd one gradient for x
        // instead of two, so x's gradient is the same two-term sum — norm path + the residual's — whether the block
        // runs plainly (autograd adds the three terms in arrival order) or is recomputed by a checkpoint (which adds
        // the residual's gradient to the norm's): checkpointed gradients then equal plain ones bit for bit.
        var input = x.view_as(x);
        var rstd = rsqrt(input.square().mean([-1], keepdim: true) + _eps);   // (..., 1)
        return (input * rstd * weight).MoveToOuterDisposeScope();
    }
}
