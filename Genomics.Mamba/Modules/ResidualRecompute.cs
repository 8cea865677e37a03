using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace Genomics.Mamba.Modules;

/// <summary>
/// What every recomputing residual-block function shares (<see cref="BlockRecompute"/>, <see cref="SegmentedRecompute"/>,
/// <see cref="HyenaStagedRecompute"/>): the argument layout, saving the block's input sum, and handing the gradient of
/// that sum back to both inputs. Each function keeps only its own recompute.
/// </summary>
/// <remarks>
/// Argument layout: block, hidden, residual (or null), <c>extras</c> (e.g. the segment length), then the block's
/// trainable parameters, so the autograd engine routes their gradients back.
/// </remarks>
internal static class ResidualRecompute
{
    /// <summary>The parameters gradients are asked for (a frozen one would make autograd.grad throw).</summary>
    public static TorchSharp.Modules.Parameter[] Trainable(nn.Module block) => block.parameters().Where(p => p.requires_grad).ToArray();

    /// <summary>An incoming or computed gradient, or null when autograd left it undefined.</summary>
    public static Tensor? Defined(Tensor? t) => t is null || t.IsInvalid ? null : t;

    /// <summary>
    /// Runs <paramref name="apply"/> (a function's <c>apply</c>) on the layout above and returns its (hidden, residual).
    /// The scope also frees the empty_like placeholder TorchSharp allocates per output to materialise undefined
    /// gradients, which these functions handle themselves: otherwise 2 × (b, l, d) of address space per block until
    /// the caller's scope ends.
    /// </summary>
    public static (Tensor Hidden, Tensor Residual) Apply(Func<object[], List<Tensor>> apply, nn.Module block, Tensor hidden, Tensor? residual,
        params object[] extras)
    {
        var parameters = Trainable(block);
        var vars = new object?[3 + extras.Length + parameters.Length];
        vars[0] = block;
        vars[1] = hidden;
        vars[2] = residual;
        extras.CopyTo(vars, 3);
        parameters.CopyTo(vars, 3 + extras.Length);
        using var scope = NewDisposeScope();
        var outputs = apply(vars!);
        return (outputs[0].MoveToOuterDisposeScope(), outputs[1].MoveToOuterDisposeScope());
    }

    /// <summary>residual + hidden, a tensor of its own even for the first block (whose sum may be a view of its input).</summary>
    public static Tensor Sum(IResidualBlock block, Tensor hidden, Tensor? residual)
    {
        var sum = block.Sum(hidden, residual);                             // (b, l, d)
        return residual is null ? sum.clone() : sum;
    }

    /// <summary>
    /// In forward: saves <paramref name="sum"/> and what <see cref="InputGradients"/> needs, and asks for undefined
    /// gradients of unused outputs. The saved sum is a detached alias — the same storage, no copy, no reference from
    /// the graph back to its own output — moved out of the caller's scope.
    /// </summary>
    public static void Save(AutogradContext ctx, object[] vars, Tensor sum, params Tensor?[] more)
    {
        ctx.save_for_backward([sum.detach().MoveToOuterDisposeScope(), .. more.Select(t => t?.MoveToOuterDisposeScope()!)]);
        ctx.save_data("block", vars[0]);
        ctx.save_data("count", vars.Length);
        ctx.save_data("hidden", ((Tensor)vars[1]).dtype);
        ctx.save_data("residual", (vars[2] as Tensor)?.dtype);
        ctx.set_materialize_grads(false);                                  // an unused output's gradient arrives undefined
    }

    /// <summary>
    /// In backward: the gradients of every input in the layout above. hidden and residual enter the block only through
    /// their sum, so each gets <paramref name="dSum"/> (an alias for the second, never the same handle); the
    /// parameters get <paramref name="dParameters"/>, which start at <paramref name="firstParameter"/>. Releases the
    /// incoming gradients (<see cref="GradientHandOff"/>).
    /// </summary>
    public static List<Tensor> InputGradients(AutogradContext ctx, Tensor dSum, int firstParameter, IReadOnlyList<Tensor?> dParameters,
        List<Tensor> gradOutputs)
    {
        var result = new Tensor?[(int)ctx.get_data("count")];
        result[1] = GradientHandOff.Return(dSum.to((ScalarType)ctx.get_data("hidden")));
        result[2] = ctx.get_data("residual") is ScalarType type ? GradientHandOff.Return(dSum.to(type).alias()) : null;
        for (int i = 0; i < dParameters.Count; i++)
        {
            result[firstParameter + i] = GradientHandOff.Return(dParameters[i]);
        }
        GradientHandOff.ReleaseIncoming(gradOutputs);
        return result.Select(g => g!).ToList();
    }
}
