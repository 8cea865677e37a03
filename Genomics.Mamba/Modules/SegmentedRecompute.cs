using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace Genomics.Mamba.Modules;

/// <summary>
/// Segmented recompute for a Mamba block (chunked BPTT inside activation checkpointing; mamba_ssm cannot do this):
/// the block's only sequence-wide couplings are the causal conv (d_conv − 1 positions of left context) and the scan
/// (the state h), so a sequence can be run <c>S</c> positions at a time, handing both on. Forward, under no_grad,
/// keeps the block input — the residual sum, (b, l, d), stored once — and at each segment boundary the conv tail
/// (b, e, d_conv − 1) and the scan state (b, e, n). Backward walks the segments in reverse: it recomputes one segment
/// with grad on, back-propagates the segment's output gradient plus the gradients arriving from the segment after it
/// — w.r.t. the scan's final state (the scan's dFinalState, which returns as the next-earlier segment's dh0) and
/// w.r.t. the conv tail it handed on — and carries the two state gradients on to the segment before. The gradients
/// are exact (the same sums in another order), and a block's working memory is O(S), not O(L): in_proj's (b, 2e, S)
/// output, the conv, the projections and the scan's saved tensors exist for one segment at a time. Cost: one extra
/// block forward per backward, as whole-block checkpointing.
/// <para>
/// Saving: the block reads only sum = residual + hidden (<see cref="MambaBlock.Sum"/>), and the gradient of both
/// inputs is the gradient of that sum, so one (b, l, d) tensor is kept instead of the two inputs — and it is the
/// residual output itself, which exists anyway.
/// </para>
/// </summary>
public static class SegmentedRecompute
{
    /// <summary>
    /// <see cref="MambaBlock.forward"/> in segments of <paramref name="segment"/> positions (any length ≥ 1; one
    /// segment when it is ≥ l). With grad enabled the block is recomputed segment by segment in backward; without,
    /// the forward simply runs segment by segment, so its working set is O(segment) too.
    /// </summary>
    public static (Tensor Hidden, Tensor Residual) Forward(MambaBlock block, Tensor hidden, Tensor? residual, long segment)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segment, 1);
        if (!is_grad_enabled())
        {
            using var inference = NewDisposeScope();
            var sum = block.Sum(hidden, residual);                         // (b, l, d)
            var output = Run(block, sum, segment, null, null);
            // The first block's residual is its input; hand out a copy so the output is a tensor of its own.
            return (output.MoveToOuterDisposeScope(), (residual is null ? sum.clone() : sum).MoveToOuterDisposeScope());
        }
        return ResidualRecompute.Apply(Function.apply, block, hidden, residual, segment);
    }

    /// <summary>
    /// The block over sum (b, l, d), segment by segment, without a graph: returns the mixer output (b, l, d). When
    /// <paramref name="tails"/> (segments, b, e, d_conv − 1) and <paramref name="states"/> (segments − 1, b, e, n) are
    /// given, each segment's incoming conv tail and scan state are written into them (the first segment starts from a
    /// zero tail and no state).
    /// </summary>
    /// <remarks>
    /// The states handed from segment to segment live in buffers allocated before the loop and are written in place.
    /// Small tensors created in one segment and kept into the next land in the holes the segment's big intermediates
    /// leave in glibc's heap, and the next segment's big tensors then no longer fit there: with the CLI's malloc
    /// settings the heap grew by about one segment's working set per boundary (Mamba 1.4M, 2^17 in segments of 2^14:
    /// peak RSS 2.5 GB against 1.4 GB live).
    /// </remarks>
    static Tensor Run(MambaBlock block, Tensor sum, long segment, Tensor? tails, Tensor? states)
    {
        long b = sum.shape[0], l = sum.shape[1];
        var mixer = block.Mixer;
        long count = (l + segment - 1) / segment;
        var output = empty(b, l, sum.shape[2], sum.dtype, sum.device);                       // (b, l, d)
        var tailCarry = tails is null ? zeros(b, mixer.DInner, mixer.DConv - 1, sum.dtype, sum.device) : null;
        var stateCarry = states is null && count > 1 ? empty(b, mixer.DInner, mixer.DState, sum.dtype, sum.device) : null;
        for (long j = 0; j < count; j++)
        {
            long start = j * segment, n = Math.Min(segment, l - start);
            using var scope = NewDisposeScope();
            var tailIn = tailCarry ?? tails![j];                                                // (b, e, d_conv − 1)
            var stateIn = j == 0 ? null : stateCarry ?? states![j - 1];                        // (b, e, n)
            var (o, nextTail, nextState) = block.ForwardSegment(sum.narrow(1, start, n), tailIn, stateIn);   // (b, n, d)
            output.narrow(1, start, n).copy_(o);
            if (j + 1 < count)
            {
                (tailCarry ?? tails![j + 1]).copy_(nextTail);
                (stateCarry ?? states![j]).copy_(nextState);
            }
        }
        tailCarry?.Dispose();
        stateCarry?.Dispose();
        return output;
    }

    /// <summary>Inputs: block, hidden, residual (or null), segment length, then the block's parameters. Outputs: hidden, residual.</summary>
    sealed class Function : MultiTensorFunction<Function>
    {
        public override string Name => "MambaBlockSegmentedCheckpoint";

        public override List<Tensor> forward(AutogradContext ctx, params object[] vars)
        {
            var block = (MambaBlock)vars[0];
            long segment = (long)vars[3];
            // Already under no_grad. The scope frees every segment's intermediates; what is saved or returned is moved out.
            using var scope = NewDisposeScope();
            var sum = ResidualRecompute.Sum(block, (Tensor)vars[1], vars[2] as Tensor);   // (b, l, d)
            long b = sum.shape[0], segments = (sum.shape[1] + segment - 1) / segment;
            var mixer = block.Mixer;
            var tails = zeros(segments, b, mixer.DInner, mixer.DConv - 1, sum.dtype, sum.device);                    // (segments, b, e, d_conv − 1)
            var states = segments > 1 ? empty(segments - 1, b, mixer.DInner, mixer.DState, sum.dtype, sum.device) : null;  // (segments − 1, b, e, n)
            var output = Run(block, sum, segment, tails, states);          // (b, l, d)

            // sum is also the residual output.
            ResidualRecompute.Save(ctx, vars, sum, tails, states);
            ctx.save_data("segment", segment);
            return [output.MoveToOuterDisposeScope(), sum.MoveToOuterDisposeScope()];
        }

        public override List<Tensor> backward(AutogradContext ctx, List<Tensor> gradOutputs)
        {
            GradientHandOff.ReleasePrevious();
            var block = (MambaBlock)ctx.get_data("block");
            long segment = (long)ctx.get_data("segment");
            using var scope = NewDisposeScope();
            var saved = ctx.get_saved_variables();
            Tensor sum = saved[0], tails = saved[1];
            Tensor? states = saved[2] is { IsInvalid: false } st ? st : null;
            Tensor? dOut = ResidualRecompute.Defined(gradOutputs[0]), dResidualOut = ResidualRecompute.Defined(gradOutputs[1]);   // (b, l, d) each, or undefined when unused
            long l = sum.shape[1];
            long segments = (l + segment - 1) / segment;
            var parameters = ResidualRecompute.Trainable(block);

            var dSum = empty_like(sum);                                    // (b, l, d)
            var dParameters = new Tensor?[parameters.Length];
            Tensor? dTail = null, dState = null;                           // w.r.t. the states the current segment hands on
            for (long j = segments - 1; j >= 0; j--)
            {
                long start = j * segment, n = Math.Min(segment, l - start);
                using var segmentScope = NewDisposeScope();
                var sumSegment = sum.narrow(1, start, n).detach().requires_grad_(true);   // (b, n, d)
                var tailIn = tails[j].detach().requires_grad_(j > 0);                     // (b, e, d_conv − 1)
                var stateIn = j > 0 ? states![j - 1].detach().requires_grad_(true) : null; // (b, e, n)

                Tensor o, tailOut, stateOut;
                using (enable_grad())
                {
                    (o, tailOut, stateOut) = block.ForwardSegment(sumSegment, tailIn, stateIn);
                }
                var outputs = new List<Tensor>();
                var gradients = new List<Tensor>();
                if (dOut is not null)
                {
                    outputs.Add(o);
                    gradients.Add(dOut.narrow(1, start, n));
                }
                if (dTail is not null && tailOut.numel() > 0)
                {
                    outputs.Add(tailOut);
                    gradients.Add(dTail);
                }
                if (dState is not null)
                {
                    outputs.Add(stateOut);
                    gradients.Add(dState);
                }
                var inputs = new List<Tensor> { sumSegment };
                if (j > 0)
                {
                    inputs.Add(tailIn);
                    inputs.Add(stateIn!);
                }
                inputs.AddRange(parameters);
                // Nothing flows back into this segment (an unused output, and no state gradient yet): only the residual's.
                var grads = outputs.Count > 0
                    ? grad(outputs, inputs, gradients, allow_unused: true)
                    : inputs.Select(_ => (Tensor)null!).ToList();

                int k = 0;
                var dSumSegment = dSum.narrow(1, start, n);
                if (dResidualOut is not null)
                {
                    dSumSegment.copy_(dResidualOut.narrow(1, start, n));
                }
                else
                {
                    dSumSegment.zero_();
                }
                if (ResidualRecompute.Defined(grads[k++]) is { } g)
                {
                    dSumSegment.add_(g);
                }
                dTail?.Dispose();
                dState?.Dispose();
                dTail = dState = null;
                if (j > 0)
                {
                    dTail = ResidualRecompute.Defined(grads[k++])?.MoveToOuterDisposeScope();
                    dState = ResidualRecompute.Defined(grads[k++])?.MoveToOuterDisposeScope();
                }
                for (int i = 0; i < parameters.Length; i++)
                {
                    if (ResidualRecompute.Defined(grads[k++]) is not { } gp)
                    {
                        continue;
                    }
                    if (dParameters[i] is { } acc)
                    {
                        acc.add_(gp);
                    }
                    else
                    {
                        dParameters[i] = gp.MoveToOuterDisposeScope();
                    }
                }
            }

            return ResidualRecompute.InputGradients(ctx, dSum, 4, dParameters, gradOutputs);
        }
    }
}
