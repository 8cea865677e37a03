using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Modules;

/// <summary>
/// One forward and backward of a residual block (hidden, residual) → (hidden, residual) — plain or through a recompute
/// (<see cref="Genomics.Mamba.Modules.SegmentedRecompute"/>, <see cref="Genomics.Mamba.Modules.HyenaStagedRecompute"/>,
/// <see cref="Genomics.Mamba.Modules.BlockRecompute"/>) — with what the recompute tests compare: both outputs, both
/// input gradients and every trainable parameter's gradient.
/// </summary>
sealed record BlockRun(Tensor Hidden, Tensor Residual, Tensor DHidden, Tensor? DResidual, Dictionary<string, Tensor> DParameters)
{
    /// <summary>
    /// Runs <paramref name="forward"/> on fresh leaves of <paramref name="hidden"/> and <paramref name="residual"/>, then
    /// back-propagates a generic weighted sum of both outputs. A null weight leaves that output unused, so its gradient
    /// arrives undefined.
    /// </summary>
    public static BlockRun Of(nn.Module block, Tensor hidden, Tensor? residual, Tensor? wHidden, Tensor? wResidual,
        Func<Tensor, Tensor?, (Tensor Hidden, Tensor Residual)> forward)
    {
        block.zero_grad();
        var h = hidden.detach().requires_grad_(true);
        var r = residual?.detach().requires_grad_(true);
        var (outHidden, outResidual) = forward(h, r);
        var loss = wHidden is null ? (outResidual * wResidual!).sum()
            : wResidual is null ? (outHidden * wHidden).sum()
            : (outHidden * wHidden).sum() + (outResidual * wResidual).sum();
        loss.backward();
        var grads = block.named_parameters().Where(p => p.parameter.requires_grad)
            .ToDictionary(p => p.name, p => p.parameter.grad?.clone() ?? zeros_like(p.parameter));
        return new BlockRun(outHidden.detach(), outResidual.detach(), h.grad!.clone(), r?.grad?.clone(), grads);
    }

    /// <summary>
    /// This run against <paramref name="expected"/>: outputs and input gradients within (rtol, atol) of the largest
    /// expected value; the residual output bit for bit when <paramref name="exactResidual"/> (a block whose residual out
    /// is its input sum); parameter gradients — sums over every position, added up in another order by a recompute —
    /// within atol × <paramref name="parameterAtolScale"/>, and none of them zero.
    /// </summary>
    public void AssertClose(ITestOutputHelper log, BlockRun expected, double rtol, double atol, string tag, bool exactResidual = false,
        double parameterAtolScale = 1)
    {
        Compare.Close(log, $"{tag} hidden out", Hidden, expected.Hidden, rtol, atol, scaled: true);
        if (exactResidual)
        {
            Compare.Close(log, $"{tag} residual out", Residual, expected.Residual, 0, 0);
        }
        else
        {
            Compare.Close(log, $"{tag} residual out", Residual, expected.Residual, rtol, atol, scaled: true);
        }
        Compare.Close(log, $"{tag} d hidden", DHidden, expected.DHidden, rtol, atol, scaled: true);
        if (expected.DResidual is not null)
        {
            Compare.Close(log, $"{tag} d residual", DResidual!, expected.DResidual, rtol, atol, scaled: true);
        }
        Assert.Equal(expected.DParameters.Keys.Order(), DParameters.Keys.Order());
        foreach (var (name, g) in expected.DParameters)
        {
            Assert.True(g.abs().sum().to(float64).item<double>() > 0, $"{name}: zero gradient");
            Compare.Close(log, $"{tag} d {name}", DParameters[name], g, rtol, parameterAtolScale * atol, scaled: true);
        }
    }
}
