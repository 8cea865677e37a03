using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace Genomics.Mamba.Modules;

/// <summary>When the backbone recomputes blocks in backward instead of keeping their activations.</summary>
public enum ActivationCheckpointing
{
    /// <summary>On for sequences of at least <see cref="BlockCheckpoint.AutoFromLength"/> tokens (DESIGN: 2^16), off below.</summary>
    Auto,
    /// <summary>Always recompute: least memory, about one extra forward per backward.</summary>
    Always,
    /// <summary>Keep every activation: fastest, memory grows with depth × length.</summary>
    Never,
}

/// <summary>
/// Per-block activation checkpointing (Chen et al. 2016), which TorchSharp lacks: forward runs the block under
/// no_grad inside a dispose scope, so its activations (in_proj output, conv, x_proj, scan, …) are freed at once and
/// only the block's inputs stay alive; backward re-runs the block with grad enabled and back-propagates through the
/// recomputed graph with torch.autograd.grad. The block's parameters are passed as extra inputs so the engine routes
/// their gradients. Cost: one extra block forward per backward. Memory: O(block input) per block instead of
/// O(all block activations); the dispose scopes in both directions are what make the drop real (see field notes).
/// </summary>
public static class BlockCheckpoint
{
    /// <summary>Sequence length from which <see cref="ActivationCheckpointing.Auto"/> turns checkpointing on.</summary>
    public const long AutoFromLength = 1 << 16;

    /// <summary>Whether a backward will follow and the policy asks for recompute at this length.</summary>
    public static bool Applies(ActivationCheckpointing policy, long length) =>
        is_grad_enabled() && policy switch
        {
            ActivationCheckpointing.Always => true,
            ActivationCheckpointing.Auto => length >= AutoFromLength,
            _ => false,
        };

    /// <summary><see cref="MambaBlock.forward"/> (or <see cref="HyenaBlock.forward"/>: any (hidden, residual) block),
    /// recomputed in backward instead of storing activations.</summary>
    public static (Tensor Hidden, Tensor Residual) Forward(nn.Module<Tensor, Tensor?, (Tensor Hidden, Tensor Residual)> block,
        Tensor hidden, Tensor? residual)
    {
        var parameters = Trainable(block);
        var vars = new object?[3 + parameters.Length];
        vars[0] = block;
        vars[1] = hidden;
        vars[2] = residual;
        parameters.CopyTo(vars, 3);
        var outputs = Function.apply(vars!);
        return (outputs[0], outputs[1]);
    }

    /// <summary>The parameters gradients are asked for (a frozen one would make autograd.grad throw).</summary>
    static TorchSharp.Modules.Parameter[] Trainable(nn.Module block) => block.parameters().Where(p => p.requires_grad).ToArray();

    /// <summary>Inputs: block, hidden, residual (or null), then the block's parameters. Outputs: hidden, residual.</summary>
    sealed class Function : MultiTensorFunction<Function>
    {
        public override string Name => "MambaBlockCheckpoint";

        public override List<Tensor> forward(AutogradContext ctx, params object[] vars)
        {
            var block = (nn.Module<Tensor, Tensor?, (Tensor Hidden, Tensor Residual)>)vars[0];
            var hidden = (Tensor)vars[1];
            var residual = vars[2] as Tensor;
            // Already under no_grad here; the scope frees every intermediate as soon as the block returns.
            using var scope = NewDisposeScope();
            var (h, r) = block.forward(hidden, residual);
            ctx.save_for_backward([hidden, residual!]);
            ctx.save_data("block", block);
            ctx.save_data("count", vars.Length);
            // The first block's residual is its input; hand out a copy so the output is a tensor of its own.
            var rOut = residual is null ? r.clone() : r;
            return [h.MoveToOuterDisposeScope(), rOut.MoveToOuterDisposeScope()];
        }

        public override List<Tensor> backward(AutogradContext ctx, List<Tensor> gradOutputs)
        {
            var block = (nn.Module<Tensor, Tensor?, (Tensor Hidden, Tensor Residual)>)ctx.get_data("block");
            int count = (int)ctx.get_data("count");
            using var scope = NewDisposeScope();
            var saved = ctx.get_saved_variables();
            var hidden = saved[0].detach().requires_grad_(true);
            var residual = saved[1] is { IsInvalid: false } r0 ? r0.detach().requires_grad_(true) : null;
            var parameters = Trainable(block);

            Tensor h, r;
            using (enable_grad())
            {
                (h, r) = block.forward(hidden, residual);
            }
            var inputs = new List<Tensor> { hidden };
            if (residual is not null)
            {
                inputs.Add(residual);
            }
            inputs.AddRange(parameters);
            var grads = grad([h, r], inputs, [gradOutputs[0], gradOutputs[1]], allow_unused: true);

            var result = new Tensor?[count];
            int k = 0;
            result[1] = Keep(grads[k++]);
            result[2] = residual is null ? null : Keep(grads[k++]);
            for (int i = 0; i < parameters.Length; i++)
            {
                result[3 + i] = Keep(grads[k++]);
            }
            return result.Select(g => g!).ToList();
        }

        static Tensor? Keep(Tensor g) => g is null || g.IsInvalid ? null : g.MoveToOuterDisposeScope();
    }
}
