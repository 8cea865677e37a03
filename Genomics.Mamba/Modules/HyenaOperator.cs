using Genomics.Mamba.Config;
using Genomics.Mamba.Precision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Genomics.Mamba.Modules;

/// <summary>
/// The order-2 Hyena operator (Poli et al. 2023, Alg. 1 and §3; hyena-dna <c>src/models/sequence/hyena.py</c>,
/// HyenaOperator): a projection to three streams, a short causal depthwise convolution on each, then
/// y = x⁰ ⊙ (h ∗ (x¹ ⊙ v) + D ⊙ x¹ ⊙ v), with h the implicit long filter (<see cref="HyenaFilter"/>) applied by FFT
/// (<see cref="HyenaFftConv"/>), and an output projection. Glossary (code → paper): x0, x1 the gates x¹, x² of the
/// recurrence in upstream's split order (x1 gates before the long convolution, x0 after), v the value, k = h the long
/// filter, D the filter's "bias". Causal throughout: every step looks only backwards. Keys are hyena-dna's.
/// </summary>
public sealed class HyenaOperator : nn.Module<Tensor, Tensor>
{
    readonly int _dModel;
    readonly int _shortOrder;

#pragma warning disable IDE1006 // hyena-dna's state-dict keys
    readonly Linear in_proj;
    readonly Conv1d short_filter;
    readonly HyenaFilter filter_fn;
    readonly Linear out_proj;
#pragma warning restore IDE1006

    /// <summary>Builds the operator with PyTorch's default Linear/Conv1d draws; <see cref="HyenaBackbone"/> then applies
    /// hyena-dna's model-level <c>_init_weights</c> (normal 0.02 Linears, zero biases, out_proj rescaled).</summary>
    public HyenaOperator(HyenaConfig config) : base(nameof(HyenaOperator))
    {
        config.Validate();
        _dModel = config.DModel;
        _shortOrder = config.ShortFilterOrder;
        long d = config.DModel, width = d * (config.Order + 1);
        in_proj = nn.Linear(d, width, hasBias: true);
        short_filter = nn.Conv1d(width, width, config.ShortFilterOrder, padding: config.ShortFilterOrder - 1, groups: width, bias: true);
        filter_fn = new HyenaFilter(config);
        out_proj = nn.Linear(d, d, hasBias: true);
        register_module(nameof(in_proj), in_proj);
        register_module(nameof(out_proj), out_proj);
        register_module(nameof(short_filter), short_filter);
        register_module(nameof(filter_fn), filter_fn);
    }

    internal Linear InProj => in_proj;
    internal Conv1d ShortFilter => short_filter;
    internal Linear OutProj => out_proj;

    /// <summary>The implicit long filter.</summary>
    public HyenaFilter Filter => filter_fn;

    /// <summary>
    /// The dtype of the projections, the short convolution and the gating products (<see cref="ComputePrecision"/>).
    /// The filter is generated and the long convolution transformed in fp32 whatever this says (rfft rejects bf16).
    /// </summary>
    public ComputePrecision Precision { get; set; } = ComputePrecision.Float32;

    /// <summary>
    /// Channels per FFT group for the long convolution (<see cref="HyenaGroupedFftConv"/>), or null for the automatic
    /// choice (<see cref="HyenaGroupedFftConv.AutoChannels"/>: ungrouped while the padded signal b · d · 2L stays under 2^24
    /// values — up to L = 2^16 for d = 128, batch 1 — then groups that keep it there).
    /// The inference path that reuses a cached filter spectrum is never grouped (a cached spectrum is ≤ 256 MB anyway).
    /// Staged recompute (<see cref="HyenaStagedRecompute"/>) uses the same groups for its stage B.
    /// </summary>
    public long? FftChannels { get; set; }

    /// <summary>u (b, l, d) → (b, l, d); l must not exceed the filter's MaxLength.</summary>
    public override Tensor forward(Tensor u)
    {
        long l = u.shape[1];
        CheckLength(l);
        using var scope = NewDisposeScope();
        var (x0, w) = Gates(u, 0);                                         // (b, d, l) each
        long group = FftGroup(u.shape[0], l);
        Tensor v;
        if (group < _dModel && !filter_fn.Caches(l))
        {
            // Long sequences: the FFTs a channel group at a time, spectra recomputed in backward.
            v = HyenaGroupedFftConv.Apply(w, filter_fn.Generate(l), filter_fn.Bias, group);   // (b, d, l)
        }
        else
        {
            var spectrum = filter_fn.SpectrumFor(l);                       // (d, l + 1) complex; may be the inference cache
            v = HyenaFftConv.Apply(w, spectrum, filter_fn.Bias);           // (b, d, l) = k ∗ (x1 v) + D x1 v
        }
        return Project(v, x0).MoveToOuterDisposeScope();                  // (b, l, d)
    }

    /// <summary>Throws when <paramref name="length"/> exceeds what the filter's positional features cover.</summary>
    internal void CheckLength(long length)
    {
        if (length > filter_fn.MaxLength)
        {
            throw new ArgumentException($"cannot forward length {length}: the Hyena filter covers only {filter_fn.MaxLength} positions " +
                                        $"(HyenaConfig.MaxLength); build the model with config.ForContext({length})", nameof(length));
        }
    }

    /// <summary>Channels per FFT group for a batch of <paramref name="batch"/> sequences of <paramref name="length"/>.</summary>
    internal long FftGroup(long batch, long length) => FftChannels ?? HyenaGroupedFftConv.AutoChannels(batch, _dModel, length);

    /// <summary>
    /// The position-wise part before the long convolution: u (b, halo + n, d) → x0 (b, d, n), the gate applied after
    /// it, and w = x1 · v (b, d, n), its input, for the last n positions. The first <paramref name="halo"/> positions
    /// are left context only, for the short convolution (which reads ShortFilterOrder − 1 positions back); with no
    /// halo the convolution sees zeros before the first position, as at the start of the sequence.
    /// </summary>
    internal (Tensor X0, Tensor W) Gates(Tensor u, long halo)
    {
        long n = u.shape[1] - halo, d = _dModel;
        using var scope = NewDisposeScope();
        var projected = MixedPrecision.Linear(u, in_proj, Precision).transpose(1, 2);   // (b, 3d, halo + n)
        var uc = (Precision == ComputePrecision.Float32
            ? short_filter.forward(projected)
            : MixedPrecision.Conv1d(projected, short_filter.weight, short_filter.bias, _shortOrder - 1, 3L * d, Precision))
            .narrow(2, halo, n);                                           // (b, 3d, n): padded k−1 both sides, keep the causal part
        var x0 = uc.narrow(1, 0, d);                                       // (b, d, n) gate after the long convolution
        var x1 = uc.narrow(1, d, d);                                       // (b, d, n) gate before it
        var v = uc.narrow(1, 2 * d, d);                                    // (b, d, n)
        return (x0.MoveToOuterDisposeScope(), (v * x1).MoveToOuterDisposeScope());
    }

    /// <summary>The position-wise part after the long convolution: z (b, d, n), x0 (b, d, n) → out_proj(z · x0), (b, n, d).</summary>
    internal Tensor Project(Tensor z, Tensor x0)
    {
        using var scope = NewDisposeScope();
        var y = (z * x0).transpose(1, 2);                                  // (b, n, d)
        return MixedPrecision.Linear(y, out_proj, Precision).MoveToOuterDisposeScope();
    }

    /// <summary>Positions of left context <see cref="Gates"/> needs: the short convolution's width − 1.</summary>
    internal long Halo => _shortOrder - 1;
}
