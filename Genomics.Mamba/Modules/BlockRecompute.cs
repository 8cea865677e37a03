using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace Genomics.Mamba.Modules;

/// <summary>When the backbone recomputes blocks in backward instead of keeping their activations.</summary>
public enum RecomputePolicy
{
    /// <summary>On for sequences of at least <see cref="BlockRecompute.AutoFromLength"/> tokens (DESIGN: 2^16), off below.</summary>
    Auto,
    /// <summary>Always recompute: least memory, about one extra forward per backward.</summary>
    Always,
    /// <summary>Keep every activation: fastest, memory grows with depth × length.</summary>
    Never,
}

/// <summary>
/// Per-block activation checkpointing (Chen et al. 2016), which TorchSharp lacks: forward runs the block under
/// no_grad inside a dispose scope, so its activations (in_proj output, conv, x_proj, scan, …) are freed at once and
/// only what the block reads stays alive; backward re-runs the block with grad enabled and back-propagates through the
/// recomputed graph with torch.autograd.grad. The block's parameters are passed as extra inputs so the engine routes
/// their gradients. Cost: one extra block forward per backward. Memory: one (b, l, d) tensor per block — the sum of its
/// two inputs, all the block reads — instead of O(all block activations); the dispose scopes in both directions are
/// what make the drop real (see field notes). <see cref="SegmentedRecompute"/> also bounds the recompute itself.
/// </summary>
public static class BlockRecompute
{
    /// <summary>
    /// Sequence length from which <see cref="RecomputePolicy.Auto"/> recomputes whole blocks. Segments start one doubling
    /// later, at <see cref="SegmentPolicy.AutoFromLength"/> (2^17), where a whole block's recompute no longer fits easily.
    /// </summary>
    public const long AutoFromLength = 1 << 16;

    /// <summary>
    /// Whether <paramref name="policy"/> recomputes blocks of sequences of <paramref name="length"/> tokens: the one rule,
    /// which the backbones and `bench model`'s prediction share. Unplanned runs (inference, `bench model`) follow it; a
    /// training run's stages set Always or Never from the memory planner instead (<see cref="Training.TrainingStage"/>).
    /// </summary>
    public static bool RecomputesAt(this RecomputePolicy policy, long length) => policy switch
    {
        RecomputePolicy.Always => true,
        RecomputePolicy.Auto => length >= AutoFromLength,
        _ => false,
    };

    /// <summary>Whether a backward will follow and the policy asks for recompute at this length.</summary>
    public static bool Applies(RecomputePolicy policy, long length) => is_grad_enabled() && policy.RecomputesAt(length);

    /// <summary><see cref="MambaBlock.forward"/> (or <see cref="HyenaBlock.forward"/>: any (hidden, residual) block that
    /// adds its inputs first), recomputed in backward instead of storing activations.</summary>
    public static (Tensor Hidden, Tensor Residual) Forward(nn.Module<Tensor, Tensor?, (Tensor Hidden, Tensor Residual)> block,
        Tensor hidden, Tensor? residual)
    {
        if (block is not IResidualBlock)
        {
            throw new ArgumentException($"{block.GetType().Name} is not a residual block this checkpoint knows how to recompute " +
                                        $"(MambaBlock, HyenaBlock)", nameof(block));
        }
        return ResidualRecompute.Apply(Function.apply, block, hidden, residual);
    }

    /// <summary>
    /// Inputs: block, hidden, residual (or null), then the block's parameters. Outputs: hidden, residual. Saves only
    /// sum = residual + hidden (<see cref="IResidualBlock"/>): half of what keeping both inputs costs, and for a Mamba
    /// block it is the residual output itself, which the next block holds anyway.
    /// </summary>
    sealed class Function : MultiTensorFunction<Function>
    {
        public override string Name => "ResidualBlockCheckpoint";

        public override List<Tensor> forward(AutogradContext ctx, params object[] vars)
        {
            var block = (IResidualBlock)vars[0];
            // Already under no_grad here; the scope frees every intermediate as soon as the block returns.
            using var scope = NewDisposeScope();
            var sum = ResidualRecompute.Sum(block, (Tensor)vars[1], vars[2] as Tensor);   // (b, l, d)
            var (h, r) = block.FromSum(sum);
            ResidualRecompute.Save(ctx, vars, sum);
            return [h.MoveToOuterDisposeScope(), r.MoveToOuterDisposeScope()];
        }

        public override List<Tensor> backward(AutogradContext ctx, List<Tensor> gradOutputs)
        {
            GradientHandOff.ReleasePrevious();
            var block = (IResidualBlock)ctx.get_data("block");
            using var scope = NewDisposeScope();
            var sum = ctx.get_saved_variables()[0].detach().requires_grad_(true);
            var parameters = ResidualRecompute.Trainable((nn.Module)block);

            Tensor h, r;
            using (enable_grad())
            {
                (h, r) = block.FromSum(sum);
            }
            bool residualIsSum = ReferenceEquals(r, sum);                  // Mamba: the residual out is the sum itself
            Tensor? dH = ResidualRecompute.Defined(gradOutputs[0]), dR = ResidualRecompute.Defined(gradOutputs[1]);
            var outputs = new List<Tensor>();
            var gradients = new List<Tensor>();
            if (dH is not null)
            {
                outputs.Add(h);
                gradients.Add(dH);
            }
            if (dR is not null && !residualIsSum)
            {
                outputs.Add(r);
                gradients.Add(dR);
            }
            var grads = outputs.Count > 0
                ? grad(outputs, [sum, .. parameters], gradients, allow_unused: true)
                : new Tensor?[1 + parameters.Length].Select(_ => (Tensor)null!).ToList();

            var dSum = ResidualRecompute.Defined(grads[0]) ?? zeros_like(sum);
            if (residualIsSum && dR is not null)
            {
                dSum = dSum + dR;
            }
            return ResidualRecompute.InputGradients(ctx, dSum, 3, grads.Skip(1).ToList(), gradOutputs);
        }
    }
}
