using Genomics.Mamba.Config;
using Genomics.Mamba.Precision;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Modules;

/// <summary>
/// One residual block of a Mamba model (mamba_ssm <c>modules/block.py</c>, Block with fused_add_norm and RMSNorm):
/// Add → RMSNorm → Mixer. Instead of the textbook "norm → mixer → add" it adds the previous block's output to the
/// residual first and returns both the mixer output and the new residual; the model is the same, and this is the
/// order whose residual mamba_ssm keeps in fp32. The first block gets no residual.
/// </summary>
public sealed class MambaBlock : nn.Module<Tensor, Tensor?, (Tensor Hidden, Tensor Residual)>, IResidualBlock
{
    readonly bool _residualInFp32;

#pragma warning disable IDE1006 // mamba_ssm's state-dict keys
    readonly RmsNorm norm;
    readonly MambaMixer mixer;
#pragma warning restore IDE1006

    public MambaBlock(MambaConfig config) : base(nameof(MambaBlock))
    {
        _residualInFp32 = config.ResidualInFp32;
        norm = new RmsNorm(config.DModel, config.RmsNormEps);
        mixer = new MambaMixer(config);
        register_module(nameof(norm), norm);
        register_module(nameof(mixer), mixer);
    }

    /// <summary>The pre-norm.</summary>
    public RmsNorm Norm => norm;

    /// <summary>The Mamba mixer.</summary>
    public MambaMixer Mixer => mixer;

    /// <summary>The mixer's compute dtype (<see cref="ComputePrecision"/>); the norm and the residual stay fp32.</summary>
    public ComputePrecision Precision
    {
        get => mixer.Precision;
        set => mixer.Precision = value;
    }

    /// <summary>
    /// hidden (b, l, d), residual (b, l, d) or null → (mixer output (b, l, d), residual (b, l, d)).
    /// The residual sum is taken in fp32 when <see cref="MambaConfig.ResidualInFp32"/>.
    /// </summary>
    public override (Tensor Hidden, Tensor Residual) forward(Tensor hidden, Tensor? residual) => Forward(hidden, residual, null);

    /// <summary><see cref="forward"/>, optionally leaving the mixer's recurrent state for <see cref="Step"/> (prefill).</summary>
    public (Tensor Hidden, Tensor Residual) Forward(Tensor hidden, Tensor? residual, (Tensor Conv, Tensor Ssm)? state)
    {
        using var scope = NewDisposeScope();
        var sum = AddResidual(hidden, residual);                           // (b, l, d)
        var output = mixer.Forward(norm.forward(sum.to(norm.Weight.dtype)), state);
        return (output.MoveToOuterDisposeScope(), sum.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// One segment of the block after the residual add (<see cref="SegmentedRecompute"/>): sum (b, s, d) is
    /// residual + hidden at the segment's positions (<see cref="Sum"/>); the states are the mixer's
    /// (<see cref="MambaMixer.ForwardSegment"/>). Returns the mixer output (b, s, d) and the states after the segment.
    /// </summary>
    internal (Tensor Hidden, Tensor ConvTail, Tensor SsmState) ForwardSegment(Tensor sum, Tensor convTail, Tensor? ssmState)
    {
        using var scope = NewDisposeScope();
        var (output, tail, state) = mixer.ForwardSegment(norm.forward(sum.to(norm.Weight.dtype)), convTail, ssmState);
        return (output.MoveToOuterDisposeScope(), tail.MoveToOuterDisposeScope(), state.MoveToOuterDisposeScope());
    }

    /// <summary>The block's new residual, residual + hidden (b, l, d): everything the rest of the block reads.</summary>
    internal Tensor Sum(Tensor hidden, Tensor? residual) => AddResidual(hidden, residual);

    Tensor IResidualBlock.Sum(Tensor hidden, Tensor? residual) => AddResidual(hidden, residual);

    /// <summary>Norm → mixer on the sum; the residual out is the sum itself.</summary>
    (Tensor Hidden, Tensor Residual) IResidualBlock.FromSum(Tensor sum) => (mixer.forward(norm.forward(sum.to(norm.Weight.dtype))), sum);

    /// <summary>One token of recurrent inference: hidden (b, d), residual (b, d) or null; states advance in place.</summary>
    public (Tensor Hidden, Tensor Residual) Step(Tensor hidden, Tensor? residual, Tensor convState, Tensor ssmState)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var sum = AddResidual(hidden, residual);                           // (b, d)
        var output = mixer.Step(norm.forward(sum.to(norm.Weight.dtype)), convState, ssmState);
        return (output.MoveToOuterDisposeScope(), sum.MoveToOuterDisposeScope());
    }

    /// <summary>residual + hidden (hidden alone for the first block), in fp32 when asked; never aliases the input.</summary>
    Tensor AddResidual(Tensor hidden, Tensor? residual)
    {
        var sum = residual is null ? hidden.alias() : residual + hidden;
        return _residualInFp32 && sum.dtype != float32 && sum.dtype != float64 ? sum.to(float32) : sum;
    }
}
