using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Modules;

/// <summary>
/// The window on the implicit filter (hyena-dna <c>ExponentialModulation</c>): h_c(t) · (exp(−t·|δ_c|) + shift), with the
/// decay rates δ = linspace(ln(target)/slow, ln(target)/fast, d) spread over the channels, so channel c has decayed to
/// the target (1e-2) somewhere between t = fast (0.3) and t = slow (1.5) of the normalised time. δ is a buffer
/// ("deltas", (1, 1, d)): hyena-dna registers it with modulation_lr = 0.
/// </summary>
public sealed class HyenaModulation : nn.Module
{
    readonly double _shift;
    readonly Tensor deltas;

    public HyenaModulation(int channels, double fastDecayPct, double slowDecayPct, double target, double shift)
        : base(nameof(HyenaModulation))
    {
        _shift = shift;
        double maxDecay = Math.Log(target) / fastDecayPct;
        double minDecay = Math.Log(target) / slowDecayPct;
        using (var scope = NewDisposeScope())
        {
            deltas = linspace(minDecay, maxDecay, channels, dtype: float32).reshape(1, 1, channels).DetachFromDisposeScope();
        }
        register_buffer(nameof(deltas), deltas);
    }

    /// <summary>The decay rates, (1, 1, d).</summary>
    public Tensor Deltas => deltas;

    /// <summary>t (1, l, 1), h (1, l, d) → h · (exp(−t|δ|) + shift), (1, l, d).</summary>
    public Tensor Forward(Tensor t, Tensor h)
    {
        using var scope = NewDisposeScope();
        var decay = exp(-t * deltas.abs());                                // (1, l, d)
        return (h * (decay + _shift)).MoveToOuterDisposeScope();
    }
}
