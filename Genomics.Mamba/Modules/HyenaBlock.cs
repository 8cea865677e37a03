using Genomics.Mamba.Config;
using Genomics.Mamba.Precision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Genomics.Mamba.Modules;

/// <summary>
/// One HyenaDNA layer (flash-attn <c>Block</c> with prenorm=True, as hyena-dna's create_block builds it): two pre-norm
/// residual sublayers, LayerNorm → Hyena operator and LayerNorm → MLP. Like <see cref="MambaBlock"/> it adds the
/// previous output to the residual first and returns (MLP output, residual): the usual
/// x + Mixer(LN(x)) then + MLP(LN(·)), arranged as upstream so that the residual can be kept in fp32. The first block
/// gets no residual. Keys norm1.*, mixer.*, norm2.*, mlp.*.
/// </summary>
public sealed class HyenaBlock : nn.Module<Tensor, Tensor?, (Tensor Hidden, Tensor Residual)>, IResidualBlock
{
    readonly bool _residualInFp32;

#pragma warning disable IDE1006 // hyena-dna's state-dict keys
    readonly LayerNorm norm1;
    readonly HyenaOperator mixer;
    readonly LayerNorm norm2;
    readonly HyenaMlp mlp;
#pragma warning restore IDE1006

    public HyenaBlock(HyenaConfig config) : base(nameof(HyenaBlock))
    {
        _residualInFp32 = config.ResidualInFp32;
        norm1 = nn.LayerNorm(config.DModel, config.LayerNormEps);
        mixer = new HyenaOperator(config);
        norm2 = nn.LayerNorm(config.DModel, config.LayerNormEps);
        mlp = new HyenaMlp(config);
        register_module(nameof(mixer), mixer);
        register_module(nameof(norm1), norm1);
        register_module(nameof(mlp), mlp);
        register_module(nameof(norm2), norm2);
    }

    /// <summary>The Hyena operator.</summary>
    public HyenaOperator Mixer => mixer;

    /// <summary>The MLP.</summary>
    public HyenaMlp Mlp => mlp;

    /// <summary>The compute dtype of the operator and the MLP (<see cref="ComputePrecision"/>); norms and residual stay fp32.</summary>
    public ComputePrecision Precision
    {
        get => mixer.Precision;
        set
        {
            mixer.Precision = value;
            mlp.Precision = value;
        }
    }

    /// <summary>The pre-norms of the two sublayers.</summary>
    public (LayerNorm Mixer, LayerNorm Mlp) Norms => (norm1, norm2);

    /// <summary>hidden (b, l, d), residual (b, l, d) or null → (MLP output (b, l, d), residual (b, l, d)).</summary>
    public override (Tensor Hidden, Tensor Residual) forward(Tensor hidden, Tensor? residual)
    {
        using var scope = NewDisposeScope();
        var (output, sum) = ((IResidualBlock)this).FromSum(AddResidual(hidden, residual));
        return (output.MoveToOuterDisposeScope(), sum.MoveToOuterDisposeScope());
    }

    Tensor IResidualBlock.Sum(Tensor hidden, Tensor? residual) => AddResidual(hidden, residual);

    /// <summary>From the first sum (b, l, d): the Hyena sublayer, the second residual add, the MLP sublayer.</summary>
    (Tensor Hidden, Tensor Residual) IResidualBlock.FromSum(Tensor sum)
    {
        using var scope = NewDisposeScope();
        var mixed = mixer.forward(norm1.forward(sum.to(norm1.weight!.dtype)));
        sum = AddResidual(mixed, sum);                                     // (b, l, d)
        var output = mlp.forward(norm2.forward(sum.to(norm2.weight!.dtype)));
        return (output.MoveToOuterDisposeScope(), sum.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Stage A of a staged run (<see cref="HyenaStagedRecompute"/>), the position-wise part before the long
    /// convolution: a window of the block's input sum (b, halo + n, d), its first <paramref name="halo"/> positions
    /// left context for the short convolution, → x0 (b, d, n), w (b, d, n) (<see cref="HyenaOperator.Gates"/>).
    /// </summary>
    internal (Tensor X0, Tensor W) Gates(Tensor sumWindow, long halo) =>
        mixer.Gates(norm1.forward(sumWindow.to(norm1.weight!.dtype)), halo);

    /// <summary>
    /// Stage C of a staged run, the position-wise part after the long convolution: the convolution's output z
    /// (b, d, n), the gate x0 (b, d, n) and the block's input sum (b, n, d) at the same positions → (MLP output,
    /// residual), each (b, n, d): what <see cref="forward"/> returns at those positions.
    /// </summary>
    internal (Tensor Hidden, Tensor Residual) Finish(Tensor z, Tensor x0, Tensor sum)
    {
        using var scope = NewDisposeScope();
        sum = AddResidual(mixer.Project(z, x0), sum);                      // (b, n, d)
        var output = mlp.forward(norm2.forward(sum.to(norm2.weight!.dtype)));
        return (output.MoveToOuterDisposeScope(), sum.MoveToOuterDisposeScope());
    }

    /// <summary>residual + hidden (hidden alone for the first block), raised to fp32 when asked; never aliases the input.</summary>
    Tensor AddResidual(Tensor hidden, Tensor? residual)
    {
        var sum = residual is null ? hidden.alias() : residual + hidden;
        return _residualInFp32 && sum.dtype != float32 && sum.dtype != float64 ? sum.to(float32) : sum;
    }
}
