using System.Text.RegularExpressions;
using Genomics.Mamba.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Genomics.Mamba.Modules;

/// <summary>
/// The implicit long filter of a Hyena operator (Poli et al. 2023 §3.3; hyena-dna <c>HyenaFilter</c>): the filter is not
/// stored tap by tap but generated for any length L ≤ L_max as a function of position,
/// k(t) = Window(t) · FFN(PositionalEncoding(t)), where the FFN is Linear(emb_dim, F) → sin → [Linear(F, F) → sin] × 2
/// → Linear(F, d, no bias) (<see cref="HyenaImplicitFilter"/>; the 2 is FilterInnerLayers), one learnable sine
/// frequency shared by all its sine layers, and the window the exponential
/// decay of <see cref="HyenaModulation"/>. "bias" is the D skip of the long convolution (N(0, 1), upstream's randn).
/// Keys are hyena-dna's: bias, pos_emb.{z,t}, implicit_filter.{0,1,2,4,6}.*, modulation.deltas. Upstream's Sequential
/// holds the shared sine at 1, 3 and 5, so its state dicts also carry implicit_filter.3.freq and .5.freq: the same
/// tensor, accepted on load by <see cref="DropSharedSineAliases"/> and not a parameter of its own here.
/// </summary>
public sealed class HyenaFilter : nn.Module
{
    /// <summary>Largest filter spectrum kept between inference calls, per operator: (d, L + 1) complex64 costs 8·d·(L + 1) bytes.</summary>
    public const long CacheLimitBytes = 256L << 20;

    readonly int _channels;
    Tensor? _cachedSpectrum;
    Tensor[] _cachedInputs = [];

#pragma warning disable IDE1006 // hyena-dna's state-dict keys
    readonly Parameter bias;
    readonly HyenaPositionalEmbedding pos_emb;
    readonly HyenaImplicitFilter implicit_filter;
    readonly HyenaModulation modulation;
#pragma warning restore IDE1006

    public HyenaFilter(HyenaConfig config) : base(nameof(HyenaFilter))
    {
        config.Validate();
        _channels = config.DModel * (config.Order - 1);
        bias = Parameters.Owned(() => randn(_channels));
        pos_emb = new HyenaPositionalEmbedding(config.EmbDim, config.MaxLength);
        implicit_filter = new HyenaImplicitFilter(config, _channels);
        modulation = new HyenaModulation(_channels, config.FastDecayPct, config.SlowDecayPct, config.DecayTarget, config.ModulationShift);

        register_parameter(nameof(bias), bias);
        register_module(nameof(pos_emb), pos_emb);
        register_module(nameof(implicit_filter), implicit_filter);
        register_module(nameof(modulation), modulation);
    }

    /// <summary>The D skip of the long convolution, (d).</summary>
    public Parameter Bias => bias;

    /// <summary>The FFN (Linear layers and the shared sine).</summary>
    public HyenaImplicitFilter Ffn => implicit_filter;

    /// <summary>The decay window.</summary>
    public HyenaModulation Modulation => modulation;

    /// <summary>Positions the filter can be generated for (config MaxLength).</summary>
    public long MaxLength => pos_emb.MaxLength;

    /// <summary>Whether inference (eval mode, no grad) may reuse the last spectrum; see <see cref="SpectrumFor"/>.</summary>
    public bool CacheEnabled { get; set; } = true;

    /// <summary>The filter for the first <paramref name="length"/> positions: k (d, l), in the parameters' dtype.</summary>
    public Tensor Generate(long length) => Generate(0, length);

    /// <summary>
    /// Taps [start, start + count) of the filter: k (d, count), equal to those columns of <see cref="Generate(long)"/>
    /// (the FFN and the window act on each position alone). Lets a long filter be built, and back-propagated
    /// through, a piece at a time (<see cref="HyenaStagedRecompute"/>).
    /// </summary>
    public Tensor Generate(long start, long count)
    {
        if (start < 0 || count < 0 || start + count > MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(count), start + count,
                $"cannot generate a filter of length {start + count}: the positional features cover only {MaxLength} positions " +
                $"(HyenaConfig.MaxLength); build the model with config.ForContext({start + count})");
        }
        using var scope = NewDisposeScope();
        var (z, t) = pos_emb.Take(start, count);                           // (1, n, emb_dim), (1, n, 1)
        var h = implicit_filter.forward(z);                                // (1, n, d)
        h = modulation.Forward(t, h);                                      // (1, n, d)
        return h[0].t().MoveToOuterDisposeScope();                         // (d, n)
    }

    /// <summary>
    /// <see cref="Generate(long)"/> without a graph, <paramref name="chunk"/> positions at a time, so the FFN's
    /// (n, FilterOrder) activations exist for one chunk only: k (d, l), contiguous.
    /// </summary>
    internal Tensor GenerateInChunks(long length, long chunk)
    {
        using var noGrad = no_grad();
        Tensor? k = null;
        for (long start = 0; start < length; start += chunk)
        {
            using var scope = NewDisposeScope();
            long n = Math.Min(chunk, length - start);
            var piece = Generate(start, n);                                // (d, n)
            k ??= empty(piece.shape[0], length, piece.dtype, piece.device).MoveToOuterDisposeScope();
            k.narrow(1, start, n).copy_(piece);
        }
        return k ?? Generate(0, 0);
    }

    /// <summary>
    /// <see cref="HyenaFftConv.Spectrum"/> of the length-l filter. With grad enabled or in training mode it is computed
    /// afresh (autograd needs the graph; parameters move every step). In inference it is cached, one length at a time,
    /// when no larger than <see cref="CacheLimitBytes"/>, and reused only while the FFN parameters, the decay rates and
    /// the positional rows are bitwise what they were (a cheap check: the filter's inputs are ~13k values + 6·l).
    /// The returned tensor may be the cache itself: read it, don't modify or dispose it.
    /// </summary>
    public Tensor SpectrumFor(long length)
    {
        if (!Caches(length))
        {
            using var scope = NewDisposeScope();
            return HyenaFftConv.Spectrum(Generate(length)).MoveToOuterDisposeScope();
        }
        var inputs = CacheInputs(length);
        if (_cachedSpectrum is not null && _cachedSpectrum.shape[^1] == length + 1 && Same(inputs, _cachedInputs))
        {
            return _cachedSpectrum;
        }
        InvalidateCache();
        using (var scope = NewDisposeScope())
        {
            _cachedSpectrum = HyenaFftConv.Spectrum(Generate(length)).DetachFromDisposeScope();
            _cachedInputs = inputs.Select(x => x.clone().DetachFromDisposeScope()).ToArray();
        }
        return _cachedSpectrum;
    }

    /// <summary>Whether <see cref="SpectrumFor"/> would keep (or reuse) a cached spectrum of this length right now.</summary>
    internal bool Caches(long length) =>
        CacheEnabled && !training && !is_grad_enabled() && 8L * _channels * (length + 1) <= CacheLimitBytes;

    /// <summary>Frees the cached spectrum (also done automatically whenever it goes stale).</summary>
    public void InvalidateCache()
    {
        _cachedSpectrum?.Dispose();
        _cachedSpectrum = null;
        foreach (var x in _cachedInputs)
        {
            x.Dispose();
        }
        _cachedInputs = [];
    }

    /// <summary>Everything the spectrum of length l is a function of (views, not copies).</summary>
    Tensor[] CacheInputs(long length)
    {
        var (z, t) = pos_emb.Take(length);
        return [.. implicit_filter.parameters(), modulation.Deltas, z, t];
    }

    static bool Same(Tensor[] now, Tensor[] then) =>
        now.Length == then.Length && now.Zip(then).All(p =>
            p.First.dtype == p.Second.dtype && p.First.device_type == p.Second.device_type && p.First.device_index == p.Second.device_index &&
            p.First.shape.SequenceEqual(p.Second.shape) && p.First.allclose(p.Second, 0, 0));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            InvalidateCache();
        }
        base.Dispose(disposing);
    }

    static readonly Regex SineAlias = new(@"^(?<prefix>.*implicit_filter\.)(?<index>\d+)\.freq$", RegexOptions.CultureInvariant);

    /// <summary>
    /// A hyena-dna state dict without the repeated keys of the shared sine (implicit_filter.3.freq, .5.freq, …): each
    /// is checked to equal implicit_filter.1.freq, which is the one loaded. Throws naming a repeat that differs.
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor> DropSharedSineAliases(IReadOnlyDictionary<string, Tensor> source)
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var (key, value) in source)
        {
            var m = SineAlias.Match(key);
            if (m.Success && m.Groups["index"].Value != "1" && source.TryGetValue(m.Groups["prefix"].Value + "1.freq", out var canonical))
            {
                if (!(value.shape.SequenceEqual(canonical.shape) && value.to(float64).allclose(canonical.to(float64), 0, 0)))
                {
                    throw new ArgumentException($"{key} differs from {m.Groups["prefix"].Value}1.freq, but the filter's sine " +
                                                "layers share one frequency (they are one module upstream)", nameof(source));
                }
                continue;
            }
            result[key] = value;
        }
        return result;
    }
}
