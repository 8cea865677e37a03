using System.Globalization;
using Genomics.Mamba.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Genomics.Mamba.Modules;

/// <summary>
/// The FFN of the implicit filter (hyena-dna's <c>implicit_filter</c> Sequential): Linear(emb_dim, F) → sin →
/// [Linear(F, F) → sin] × inner → Linear(F, channels, no bias), with one <see cref="HyenaSin"/> shared by every sine
/// layer. Children are registered under upstream's Sequential indices — Linears at 0, 2, 4, …, the sine once at 1 —
/// so the keys match (implicit_filter.0.weight, .1.freq, …, .6.weight); upstream also lists the sine at 3 and 5 (see
/// <see cref="HyenaFilter.DropSharedSineAliases"/>). A module of its own rather than TorchSharp's ModuleDict, whose two
/// indexers break <c>Module.to(dtype)</c>.
/// </summary>
public sealed class HyenaImplicitFilter : nn.Module<Tensor, Tensor>
{
    readonly Linear[] _layers;
    readonly HyenaSin _sin;

    public HyenaImplicitFilter(HyenaConfig config, int channels) : base(nameof(HyenaImplicitFilter))
    {
        int f = config.FilterOrder;
        _sin = new HyenaSin(f, config.SineFrequency);
        _layers =
        [
            nn.Linear(config.EmbDim, f),
            .. Enumerable.Range(0, config.FilterInnerLayers).Select(_ => nn.Linear(f, f)),
            nn.Linear(f, channels, hasBias: false),
        ];
        for (int i = 0; i < _layers.Length; i++)
        {
            register_module((2 * i).ToString(CultureInfo.InvariantCulture), _layers[i]);
            if (i == 0)
            {
                register_module("1", _sin);
            }
        }
    }

    /// <summary>
    /// Children are registered above under upstream's indices. TorchSharp would otherwise also register every Module
    /// field by its field name when this module is attached to its parent — the sine a second time, as "_sin".
    /// </summary>
    protected override void RegisterComponents()
    {
    }

    /// <summary>The Linear layers in order (input, inner…, output).</summary>
    public IReadOnlyList<Linear> Layers => _layers;

    /// <summary>The shared sine activation.</summary>
    public HyenaSin Sin => _sin;

    /// <summary>z (1, l, emb_dim) → h (1, l, channels).</summary>
    public override Tensor forward(Tensor z)
    {
        using var scope = NewDisposeScope();
        var h = _sin.forward(_layers[0].forward(z));                       // (1, l, F)
        for (int i = 1; i < _layers.Length - 1; i++)
        {
            h = _sin.forward(_layers[i].forward(h));                       // (1, l, F)
        }
        return _layers[^1].forward(h).MoveToOuterDisposeScope();           // (1, l, channels)
    }
}
