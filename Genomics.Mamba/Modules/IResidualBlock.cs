using static TorchSharp.torch;

namespace Genomics.Mamba.Modules;

/// <summary>
/// A pre-norm residual block in mamba_ssm's "add first" arrangement (<see cref="MambaBlock"/>, <see cref="HyenaBlock"/>):
/// its two inputs meet only in their sum, residual + hidden, and everything after reads that sum alone. So a
/// checkpoint need keep just the sum, (b, l, d), instead of both inputs, and the gradient of both inputs is the
/// gradient of the sum (<see cref="BlockRecompute"/>, <see cref="SegmentedRecompute"/>).
/// </summary>
internal interface IResidualBlock
{
    /// <summary>residual + hidden (hidden alone for the first block, possibly a view of it), in fp32 when configured.</summary>
    Tensor Sum(Tensor hidden, Tensor? residual);

    /// <summary>
    /// The rest of the block: sum (b, l, d) → (output, residual out), exactly what forward(hidden, residual) returns
    /// for inputs with that sum. A block whose residual out is the sum itself returns <paramref name="sum"/>, the same object.
    /// </summary>
    (Tensor Hidden, Tensor Residual) FromSum(Tensor sum);
}
