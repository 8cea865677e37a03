using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace Genomics.Mamba.Modules;

/// <summary>
/// Staged recompute for a HyenaDNA block, the Hyena counterpart of <see cref="SegmentedRecompute"/>. A block is
/// position-wise except for the short convolution (ShortFilterOrder − 1 positions of left context) and the long
/// convolution (every position, but each channel on its own), so it runs in three stages, each over pieces:
/// <list type="bullet">
/// <item>A, position chunks: LayerNorm → in_proj → short conv → x0 and w = x1 · v (<see cref="HyenaBlock.Gates"/>), each
/// chunk reading a halo of ShortFilterOrder − 1 earlier positions of the block's input;</item>
/// <item>B, channel groups: z = k ∗ w + D · w (<see cref="HyenaGroupedFftConv"/>), the filter k (d, l) generated a chunk of
/// positions at a time (<see cref="HyenaFilter.Generate(long, long)"/>);</item>
/// <item>C, position chunks: out_proj(z · x0) + residual → LayerNorm → MLP (<see cref="HyenaBlock.Finish"/>).</item>
/// </list>
/// Forward runs them without a graph and keeps only the block's input sum (b, l, d), as whole-block checkpointing
/// does. Backward recomputes z, then walks C chunk by chunk with grad (→ dz, dx0, the residual's share of dsum),
/// B group by group (→ dw over dz's storage, dk over k's), the filter chunk by chunk (→ its FFN's gradients from
/// dk), and A chunk by chunk (→ the rest of dsum, a halo's gradient landing on the positions before the chunk).
/// Gradients are exact — the same sums in another order — and a block's working set is a handful of (b, l, d)-sized
/// buffers (at most 8 of them, counting the saved sum and the two incoming gradients) plus one chunk's or group's
/// graph, where recomputing a whole block with grad holds ≈ 26. Cost: stage A three times and the filter twice per
/// backward besides the usual one extra forward; the FFTs, which dominate at long lengths, run once more per group
/// than with whole-block checkpointing (spectra recomputed for the gradients), as in <see cref="HyenaGroupedFftConv"/>.
/// </summary>
public static class HyenaStagedRecompute
{
    /// <summary>
    /// <see cref="HyenaBlock.forward"/> staged, stages A and C in chunks of <paramref name="chunk"/> positions (any
    /// length ≥ 1) and B in the operator's FFT groups (<see cref="HyenaOperator.FftChannels"/>). With grad enabled the
    /// block is recomputed stage by stage in backward; without, the forward simply runs staged.
    /// </summary>
    public static (Tensor Hidden, Tensor Residual) Forward(HyenaBlock block, Tensor hidden, Tensor? residual, long chunk)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        block.Mixer.CheckLength(hidden.shape[1]);
        if (!is_grad_enabled())
        {
            using var inference = NewDisposeScope();
            var (output, residualOut) = Run(block, ((IResidualBlock)block).Sum(hidden, residual), chunk);
            return (output.MoveToOuterDisposeScope(), residualOut.MoveToOuterDisposeScope());
        }
        return ResidualRecompute.Apply(Function.apply, block, hidden, residual, chunk);
    }

    /// <summary>The block over its input sum (b, l, d), stage by stage, without a graph: (MLP output, residual), (b, l, d) each.</summary>
    static (Tensor Hidden, Tensor Residual) Run(HyenaBlock block, Tensor sum, long chunk)
    {
        using var noGrad = no_grad();
        long b = sum.shape[0], l = sum.shape[1];
        var filter = block.Mixer.Filter;
        var (x0, w) = GatesInChunks(block, sum, chunk, keepX0: true);     // (b, d, l) each
        Tensor z;                                                          // (b, d, l)
        if (filter.Caches(l))
        {
            z = HyenaFftConv.Apply(w, filter.SpectrumFor(l), filter.Bias);   // inference: the cached spectrum
        }
        else
        {
            using var k = filter.GenerateInChunks(l, chunk);               // (d, l)
            z = HyenaGroupedFftConv.Convolve(w, k, filter.Bias, block.Mixer.FftGroup(b, l));
        }
        w.Dispose();
        Tensor? output = null, residual = null;
        for (long start = 0; start < l; start += chunk)
        {
            using var scope = NewDisposeScope();
            long n = Math.Min(chunk, l - start);
            var (o, r) = block.Finish(z.narrow(2, start, n), x0!.narrow(2, start, n), sum.narrow(1, start, n));   // (b, n, d) each
            output ??= empty(b, l, o.shape[2], o.dtype, o.device).MoveToOuterDisposeScope();
            residual ??= empty(b, l, r.shape[2], r.dtype, r.device).MoveToOuterDisposeScope();
            output.narrow(1, start, n).copy_(o);
            residual.narrow(1, start, n).copy_(r);
        }
        z.Dispose();
        x0!.Dispose();
        return (output!, residual!);
    }

    /// <summary>Stage A over the whole sequence, chunk by chunk, without a graph: x0 (when asked) and w, (b, d, l) each.</summary>
    static (Tensor? X0, Tensor W) GatesInChunks(HyenaBlock block, Tensor sum, long chunk, bool keepX0)
    {
        using var noGrad = no_grad();
        long b = sum.shape[0], l = sum.shape[1];
        Tensor? x0 = null, w = null;
        for (long start = 0; start < l; start += chunk)
        {
            using var scope = NewDisposeScope();
            long n = Math.Min(chunk, l - start), halo = Math.Min(block.Mixer.Halo, start);
            var (x0c, wc) = block.Gates(sum.narrow(1, start - halo, n + halo), halo);   // (b, d, n) each
            w ??= empty(b, wc.shape[1], l, wc.dtype, wc.device).MoveToOuterDisposeScope();
            w.narrow(2, start, n).copy_(wc);
            if (keepX0)
            {
                x0 ??= empty(b, x0c.shape[1], l, x0c.dtype, x0c.device).MoveToOuterDisposeScope();
                x0.narrow(2, start, n).copy_(x0c);
            }
        }
        return (x0, w!);
    }


    /// <summary>
    /// The gradient of the block's input sum for output gradients dOut and dResidualOut (either may be null: that
    /// output went unused), the parameters' gradients added into <paramref name="dParameters"/> (null where none flowed).
    /// </summary>
    static Tensor Gradients(HyenaBlock block, Tensor sum, Tensor? dOut, Tensor? dResidualOut, long chunk,
        TorchSharp.Modules.Parameter[] parameters, Tensor?[] dParameters)
    {
        if (dOut is null && dResidualOut is null)
        {
            return zeros_like(sum);
        }
        long b = sum.shape[0], l = sum.shape[1], halo = block.Mixer.Halo;
        var filter = block.Mixer.Filter;
        long channels = block.Mixer.FftGroup(b, l);

        // The long convolution's output, recomputed: stage C needs it at every position.
        Tensor z;                                                          // (b, d, l)
        using (no_grad())
        {
            var (_, w) = GatesInChunks(block, sum, chunk, keepX0: false);
            using var k = filter.GenerateInChunks(l, chunk);
            z = HyenaGroupedFftConv.Convolve(w, k, filter.Bias, channels);
            w.Dispose();
        }

        // Stage C, chunk by chunk: dz, dx0, and the residual's share of dsum.
        var dSum = empty_like(sum);                                        // (b, l, d)
        Tensor? dz = null, dx0 = null;                                     // (b, d, l) each
        for (long start = 0; start < l; start += chunk)
        {
            using var scope = NewDisposeScope();
            long n = Math.Min(chunk, l - start), h = Math.Min(halo, start);
            Tensor x0c;
            using (no_grad())
            {
                x0c = block.Gates(sum.narrow(1, start - h, n + h), h).X0.detach().requires_grad_(true);   // (b, d, n)
            }
            var zc = z.narrow(2, start, n).detach().requires_grad_(true);
            var sc = sum.narrow(1, start, n).detach().requires_grad_(true);
            Tensor o, r;
            using (enable_grad())
            {
                (o, r) = block.Finish(zc, x0c, sc);
            }
            var outputs = new List<Tensor>();
            var gradients = new List<Tensor>();
            if (dOut is not null)
            {
                outputs.Add(o);
                gradients.Add(dOut.narrow(1, start, n));
            }
            if (dResidualOut is not null)
            {
                outputs.Add(r);
                gradients.Add(dResidualOut.narrow(1, start, n));
            }
            var grads = grad(outputs, [zc, x0c, sc, .. parameters], gradients, allow_unused: true);
            dz ??= empty(b, zc.shape[1], l, zc.dtype, zc.device).MoveToOuterDisposeScope();
            dx0 ??= empty(b, x0c.shape[1], l, x0c.dtype, x0c.device).MoveToOuterDisposeScope();
            CopyOrZero(dz.narrow(2, start, n), grads[0]);
            CopyOrZero(dx0.narrow(2, start, n), grads[1]);
            CopyOrZero(dSum.narrow(1, start, n), grads[2]);
            Accumulate(dParameters, grads, 3);
        }
        z.Dispose();

        // Stage B, group by group: dw over dz's storage, dk over the regenerated filter's.
        var dD = zeros_like(filter.Bias);                                  // (d)
        Tensor dk;                                                         // (d, l)
        using (no_grad())
        {
            var (_, w) = GatesInChunks(block, sum, chunk, keepX0: false);
            dk = filter.GenerateInChunks(l, chunk);
            HyenaGroupedFftConv.Backward(w, dk, filter.Bias, dz!, channels, dz!, dk, dD);
            w.Dispose();
        }
        var dw = dz!;
        AddGradient(dParameters, parameters, filter.Bias, dD);

        // The filter, chunk by chunk: its FFN's gradients from dk.
        for (long start = 0; start < l && parameters.Length > 0; start += chunk)
        {
            using var scope = NewDisposeScope();
            long n = Math.Min(chunk, l - start);
            Tensor kc;
            using (enable_grad())
            {
                kc = filter.Generate(start, n);                            // (d, n)
            }
            if (!kc.requires_grad)
            {
                break;                                                     // a frozen filter
            }
            Accumulate(dParameters, grad([kc], parameters, [dk.narrow(1, start, n)], allow_unused: true), 0);
        }
        dk.Dispose();

        // Stage A, chunk by chunk: the rest of dsum; a halo's share lands on the positions before the chunk.
        for (long start = 0; start < l; start += chunk)
        {
            using var scope = NewDisposeScope();
            long n = Math.Min(chunk, l - start), h = Math.Min(halo, start);
            var window = sum.narrow(1, start - h, n + h).detach().requires_grad_(true);   // (b, h + n, d)
            Tensor x0c, wc;
            using (enable_grad())
            {
                (x0c, wc) = block.Gates(window, h);
            }
            var grads = grad([x0c, wc], [window, .. parameters], [dx0!.narrow(2, start, n), dw.narrow(2, start, n)], allow_unused: true);
            if (ResidualRecompute.Defined(grads[0]) is { } g)
            {
                dSum.narrow(1, start - h, n + h).add_(g);
            }
            Accumulate(dParameters, grads, 1);
        }
        dw.Dispose();
        dx0!.Dispose();
        return dSum;
    }

    static void CopyOrZero(Tensor target, Tensor? gradient)
    {
        if (ResidualRecompute.Defined(gradient) is { } g)
        {
            target.copy_(g);
        }
        else
        {
            target.zero_();
        }
    }

    /// <summary>Adds grads[offset + i] into dParameters[i]; a first gradient is copied out of the current scope (parameters are small).</summary>
    static void Accumulate(Tensor?[] dParameters, IList<Tensor> grads, int offset)
    {
        for (int i = 0; i < dParameters.Length; i++)
        {
            if (ResidualRecompute.Defined(grads[offset + i]) is not { } g)
            {
                continue;
            }
            if (dParameters[i] is { } acc)
            {
                acc.add_(g);
            }
            else
            {
                dParameters[i] = g.detach().clone().MoveToOuterDisposeScope();
            }
        }
    }

    /// <summary>Adds <paramref name="gradient"/> into the slot of <paramref name="parameter"/> when it is trainable.</summary>
    static void AddGradient(Tensor?[] dParameters, TorchSharp.Modules.Parameter[] parameters, Tensor parameter, Tensor gradient)
    {
        int i = Array.FindIndex(parameters, p => ReferenceEquals(p, parameter) || p.Handle == parameter.Handle);
        if (i < 0)
        {
            return;
        }
        if (dParameters[i] is { } acc)
        {
            acc.add_(gradient);
        }
        else
        {
            dParameters[i] = gradient;
        }
    }

    /// <summary>Inputs: block, hidden, residual (or null), chunk length, then the block's parameters. Outputs: hidden, residual.</summary>
    sealed class Function : MultiTensorFunction<Function>
    {
        public override string Name => "HyenaBlockStagedCheckpoint";

        public override List<Tensor> forward(AutogradContext ctx, params object[] vars)
        {
            var block = (HyenaBlock)vars[0];
            long chunk = (long)vars[3];
            // Already under no_grad. The scope frees every stage's intermediates; what is saved or returned is moved out.
            using var scope = NewDisposeScope();
            var sum = ResidualRecompute.Sum(block, (Tensor)vars[1], vars[2] as Tensor);   // (b, l, d)
            var (output, residualOut) = Run(block, sum, chunk);
            ResidualRecompute.Save(ctx, vars, sum);
            ctx.save_data("chunk", chunk);
            return [output.MoveToOuterDisposeScope(), residualOut.MoveToOuterDisposeScope()];
        }

        public override List<Tensor> backward(AutogradContext ctx, List<Tensor> gradOutputs)
        {
            GradientHandOff.ReleasePrevious();
            var block = (HyenaBlock)ctx.get_data("block");
            long chunk = (long)ctx.get_data("chunk");
            using var scope = NewDisposeScope();
            var sum = ctx.get_saved_variables()[0];
            var parameters = ResidualRecompute.Trainable(block);
            var dParameters = new Tensor?[parameters.Length];
            var dSum = Gradients(block, sum, ResidualRecompute.Defined(gradOutputs[0]), ResidualRecompute.Defined(gradOutputs[1]), chunk, parameters, dParameters);
            return ResidualRecompute.InputGradients(ctx, dSum, 4, dParameters, gradOutputs);
        }
    }
}
