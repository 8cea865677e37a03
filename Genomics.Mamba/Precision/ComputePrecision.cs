namespace Genomics.Mamba.Precision;

/// <summary>
/// The dtype a model's matmuls and their activations run in. Whatever the choice, the parameters stay fp32 master
/// weights (the optimizer never sees anything else), and the residual stream, the norms, the selective scan and its
/// state, the Hyena FFT and the loss stay fp32: see <see cref="MixedPrecision"/> for where each cast happens.
/// </summary>
public enum ComputePrecision
{
    /// <summary>Everything in the parameters' dtype (fp32; fp64 in tests). No casts at all.</summary>
    Float32,

    /// <summary>
    /// Linear layers, the short convolutions and the activations between them in bf16, with weights cast from their
    /// fp32 masters on every forward (autograd casts the gradient back, so the masters receive fp32 gradients).
    /// </summary>
    BFloat16,
}
