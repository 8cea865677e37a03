using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Genomics.Mamba.Modules;

/// <summary>
/// The periodic activation of the Hyena filter MLP (hyena-dna <c>Sin</c>): sin(freq ⊙ x) with a learnable frequency
/// per MLP channel, freq (1, width), initialised to w. One instance is shared by every sine layer of a filter, so the
/// frequency is one parameter ("freq") however many layers use it.
/// </summary>
public sealed class HyenaSin : nn.Module<Tensor, Tensor>
{
    readonly Parameter freq;

    public HyenaSin(long width, double w) : base(nameof(HyenaSin))
    {
        freq = Parameters.Owned(() => full(1, width, w));
        register_parameter(nameof(freq), freq);
    }

    /// <summary>The shared frequency, (1, width).</summary>
    public Parameter Freq => freq;

    /// <summary>x (..., width) → (..., width).</summary>
    public override Tensor forward(Tensor x) => sin(freq * x);
}
