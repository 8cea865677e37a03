using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace Genomics.Mamba.Modules;

/// <summary>
/// <see cref="HyenaFftConv"/> a group of channels at a time, for long sequences. Channels of the long convolution
/// are independent, so the size-2L FFTs can run on G channels at once instead of all d: the transient working set —
/// padded input (b, G, 2L) fp32, its spectrum and the product (b, G, L + 1) complex64, the inverse (b, G, 2L), the
/// filter's spectrum (G, L + 1) — is G/d of the ungrouped one. At L = 2^20 and d = 128 that is ≈ 5 GB all at once
/// against ≈ 0.3 GB in groups of 8. As an autograd function it keeps only its inputs (u, k, D) for backward and
/// recomputes each group's spectra there, so the saved FFT intermediates (≈ 2 GB per operator at 2^20) never exist
/// either. Same math, channel by channel, as the ungrouped path.
/// </summary>
public static class HyenaGroupedFftConv
{
    /// <summary>
    /// The channel group <see cref="AutoChannels"/> aims at: a group's padded fp32 signal, b · G · 2L values, stays
    /// under 2^24 values (64 MB); one group of all channels below that, as the plain path.
    /// </summary>
    public const long AutoGroupValues = 1 << 24;

    /// <summary>Channels per group for a (b, d, l) input under the automatic policy (d when grouping would not help).</summary>
    public static long AutoChannels(long batch, long channels, long length) =>
        Math.Clamp(AutoGroupValues / Math.Max(1, batch * 2 * length), 1, channels);

    /// <summary>
    /// u (b, d, l), filter k (d, l), skip D (d) → (b, d, l) in u's dtype, <paramref name="channels"/> channels at a
    /// time (≥ d: one group). Differentiable in u, k and D.
    /// </summary>
    public static Tensor Apply(Tensor u, Tensor k, Tensor d, long channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        if (u.shape[^1] != k.shape[^1] || u.shape[1] != k.shape[0])
        {
            throw new ArgumentException($"u is (b, {u.shape[1]}, {u.shape[^1]}) but the filter is ({k.shape[0]}, {k.shape[^1]})", nameof(k));
        }
        // The scope also frees TorchSharp's empty_like placeholder for the output (see BlockRecompute.Forward).
        using var scope = NewDisposeScope();
        return Function.apply(u, k, d, channels)[0].MoveToOuterDisposeScope();
    }

    /// <summary>One group: the plain FFT convolution of channels [c0, c0 + n).</summary>
    static Tensor Group(Tensor u, Tensor k, Tensor d, long c0, long n) =>
        HyenaFftConv.Forward(u.narrow(1, c0, n), k.narrow(0, c0, n), d.narrow(0, c0, n));

    /// <summary>The convolution group by group without a graph: u (b, d, l), k (d, l), D (d) → (b, d, l) in u's dtype.</summary>
    internal static Tensor Convolve(Tensor u, Tensor k, Tensor d, long channels)
    {
        using var noGrad = no_grad();
        long width = u.shape[1];
        var output = empty_like(u);                                        // (b, d, l)
        for (long c0 = 0; c0 < width; c0 += channels)
        {
            using var scope = NewDisposeScope();
            long n = Math.Min(channels, width - c0);
            output.narrow(1, c0, n).copy_(Group(u, k, d, c0, n));
        }
        return output;
    }

    /// <summary>
    /// The gradients of <see cref="Convolve"/> for an output gradient dy (b, d, l), group by group, each group's spectra
    /// recomputed: written into du (b, d, l), dk (d, l), dD (d). A group reads only its own channels of u, k, dy and
    /// writes its gradients after computing them, so du may be dy itself and dk may be k itself (overwritten in place:
    /// a caller short of memory saves two (b, d, l)-sized buffers).
    /// </summary>
    internal static void Backward(Tensor u, Tensor k, Tensor d, Tensor dy, long channels, Tensor du, Tensor dk, Tensor dd)
    {
        long width = u.shape[1];
        for (long c0 = 0; c0 < width; c0 += channels)
        {
            using var groupScope = NewDisposeScope();
            long n = Math.Min(channels, width - c0);
            var ug = u.narrow(1, c0, n).detach().requires_grad_(true);
            var kg = k.narrow(0, c0, n).detach().requires_grad_(true);
            var dg = d.narrow(0, c0, n).detach().requires_grad_(true);
            Tensor y;
            using (enable_grad())
            {
                y = HyenaFftConv.Forward(ug, kg, dg);
            }
            var grads = grad([y], [ug, kg, dg], [dy.narrow(1, c0, n)], allow_unused: true);
            du.narrow(1, c0, n).copy_(grads[0]);
            dk.narrow(0, c0, n).copy_(grads[1]);
            dd.narrow(0, c0, n).copy_(grads[2]);
        }
    }

    /// <summary>Inputs: u, k, D, channels per group. Output: the convolution.</summary>
    sealed class Function : MultiTensorFunction<Function>
    {
        public override string Name => "HyenaGroupedFftConv";

        public override List<Tensor> forward(AutogradContext ctx, params object[] vars)
        {
            Tensor u = (Tensor)vars[0], k = (Tensor)vars[1], d = (Tensor)vars[2];
            long channels = (long)vars[3];
            var output = Convolve(u, k, d, channels);                     // (b, d, l)
            ctx.save_for_backward([u, k, d]);
            ctx.save_data("channels", channels);
            ctx.set_materialize_grads(false);
            return [output];
        }

        public override List<Tensor> backward(AutogradContext ctx, List<Tensor> gradOutputs)
        {
            GradientHandOff.ReleasePrevious();
            long channels = (long)ctx.get_data("channels");
            using var scope = NewDisposeScope();
            var saved = ctx.get_saved_variables();
            Tensor u = saved[0], k = saved[1], d = saved[2];
            if (gradOutputs[0] is not { IsInvalid: false } dy)              // (b, d, l); undefined when the output went unused
            {
                GradientHandOff.ReleaseIncoming(gradOutputs);
                return [null!, null!, null!, null!];
            }
            var du = empty_like(u);
            var dk = empty_like(k);
            var dd = empty_like(d);
            Backward(u, k, d, dy, channels, du, dk, dd);
            GradientHandOff.ReleaseIncoming(gradOutputs);
            return [GradientHandOff.Return(du)!, GradientHandOff.Return(dk)!, GradientHandOff.Return(dd)!, null!];
        }
    }
}
