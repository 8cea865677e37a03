using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Genomics.Mamba.Precision;

/// <summary>
/// Mixed precision by hand (TorchSharp has no autocast): the few casts a module makes at the edges of its matmuls.
/// <para>
/// The policy, per tensor: matmul inputs and weights → the compute dtype (<see cref="Linear(Tensor, TorchSharp.Modules.Linear, ComputePrecision)"/>,
/// <see cref="Conv1d"/>); the selective scan, its state and the Hyena FFT → back to the master dtype at their
/// boundary (<see cref="ToMaster"/>: the native scan is fp32 only, libtorch's rfft rejects bf16, and a recurrence
/// over 2^20 steps in bf16 would drift); norms run on the fp32 residual stream and the loss on fp32 logits.
/// </para>
/// <para>
/// Weights are cast on every forward rather than kept as bf16 copies refreshed after each optimizer step: the cast is
/// one pass over the parameters (1.4M values for Mamba 1.4M, well under 1% of a step at L = 4096), autograd returns
/// the gradient to the fp32 master through the cast for free, and there is no copy to go stale when a checkpoint
/// is loaded or a parameter is edited. Copies would only pay off for models whose weights rival their activations.
/// </para>
/// </summary>
public static class MixedPrecision
{
    /// <summary>The dtype matmuls run in, or null when nothing is cast (<see cref="ComputePrecision.Float32"/>).</summary>
    public static ScalarType? ComputeType(this ComputePrecision precision) => precision switch
    {
        ComputePrecision.BFloat16 => ScalarType.BFloat16,
        _ => null,
    };

    /// <summary><paramref name="x"/> in the compute dtype (unchanged for Float32, and when it already is).</summary>
    public static Tensor Compute(Tensor x, ComputePrecision precision) =>
        precision.ComputeType() is { } type && x.dtype != type ? x.to(type) : x;

    /// <summary>
    /// x (…, in) → (…, out) through <paramref name="layer"/>, input, weight and bias in the compute dtype; the output is
    /// in the compute dtype. With Float32 it is exactly <c>layer.forward(x)</c>.
    /// </summary>
    public static Tensor Linear(Tensor x, Linear layer, ComputePrecision precision) =>
        precision == ComputePrecision.Float32
            ? layer.forward(x)
            : Linear(x, layer.weight, layer.bias, precision);

    /// <summary>
    /// F.linear with x, weight and (optional) bias cast to the compute dtype; x (…, in) is folded to (rows, in) first,
    /// so the product is one matrix multiply whatever the grad mode.
    /// </summary>
    /// <remarks>
    /// Why fold here: libtorch's matmul folds a (b, l, in) input into one mm only when it can do so without a copy or
    /// when the weight requires grad; otherwise (a transposed input, as x_proj's and out_proj's are, under no_grad) it
    /// runs a batched bmm. A checkpointed block's first forward runs under no_grad and its recompute with grad, so the
    /// two took different kernels. On AVX-512 CPUs libtorch hands bf16 mm and bmm to oneDNN, which computes them alike;
    /// on AVX2-only CPUs (or with ONEDNN_MAX_CPU_ISA=AVX2) it runs them in ATen's own gemm loops, which sum the fp32
    /// products in different orders for the two, and the bf16 rounding of the output turns that into whole-ulp (2^-8)
    /// differences. One folded mm in both modes makes the checkpointed forward equal the plain one on every CPU.
    /// </remarks>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias, ComputePrecision precision)
    {
        if (x.dim() <= 2)
        {
            return F.linear(Compute(x, precision), Compute(weight, precision), bias is null ? null : Compute(bias, precision));
        }
        using var scope = NewDisposeScope();
        long[] shape = x.shape;
        var rows = Compute(x, precision).reshape(-1, shape[^1]);           // (rows, in): a copy only when x is not foldable
        var y = F.linear(rows, Compute(weight, precision), bias is null ? null : Compute(bias, precision));   // (rows, out)
        shape[^1] = weight.shape[0];
        return y.view(shape).MoveToOuterDisposeScope();                    // (…, out)
    }

    /// <summary>F.conv1d with input, weight and bias cast to the compute dtype (a depthwise conv when groups = channels).</summary>
    public static Tensor Conv1d(Tensor x, Tensor weight, Tensor? bias, long padding, long groups, ComputePrecision precision) =>
        F.conv1d(Compute(x, precision), Compute(weight, precision), bias is null ? null : Compute(bias, precision),
            padding: padding, groups: groups);

    /// <summary>
    /// <paramref name="x"/> in <paramref name="master"/>'s dtype (fp32): what the scan, FFTs, norms and the loss take.
    /// Unchanged when it already is, so the Float32 path makes no copies.
    /// </summary>
    public static Tensor ToMaster(Tensor x, Tensor master) => x.dtype == master.dtype ? x : x.to(master.dtype);
}
