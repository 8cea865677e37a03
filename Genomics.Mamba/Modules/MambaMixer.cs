using Genomics.Mamba.Config;
using Genomics.Mamba.Precision;
using Genomics.Mamba.Scan;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Genomics.Mamba.Modules;

/// <summary>
/// The Mamba mixer (Gu &amp; Dao 2023, §3.4 Fig. 3; mamba_ssm <c>modules/mamba_simple.py</c>, class Mamba): a gated
/// MLP whose inner path is a short causal convolution followed by the selective SSM (S6, Alg. 2).
/// Glossary (code → paper): x/u the SSM input, z the gate branch, dt → Δ (before bias and softplus), b/c → B, C,
/// a → A = −exp(A_log), D → the skip D, d_inner (e) → ED, d_state (n) → N, dt_rank (r) → the rank of s_Δ.
/// Parameter names are mamba_ssm's, so its state dicts load by key. The scan runs on <see cref="ScanBackend"/>
/// (libgenomamba's fused kernel when present, else the TorchSharp reference); as in mamba_ssm's fast path, the
/// dt_proj bias is not added by the Linear but handed to the scan as its delta bias, with softplus inside the scan.
/// </summary>
public sealed class MambaMixer : nn.Module<Tensor, Tensor>
{
    readonly int _dInner, _dState, _dConv, _dtRank;

#pragma warning disable IDE1006 // mamba_ssm's names: they are the state-dict keys
    readonly Linear in_proj;
    readonly Conv1d conv1d;
    readonly Linear x_proj;
    readonly Linear dt_proj;
    readonly Parameter A_log;
    readonly Parameter D;
    readonly Linear out_proj;
#pragma warning restore IDE1006

    /// <summary>Builds the mixer with mamba_ssm's own initialisation (Mamba.__init__); <see cref="MambaBackbone"/>
    /// then applies the model-level <c>_init_weights</c> (out_proj re-drawn and rescaled).</summary>
    public MambaMixer(MambaConfig config) : base(nameof(MambaMixer))
    {
        config.Validate();
        _dInner = config.DInner;
        _dState = config.DState;
        _dConv = config.DConv;
        _dtRank = config.DtRank;
        long d = config.DModel, e = _dInner, n = _dState, r = _dtRank;

        // PyTorch's default Linear/Conv1d initialisation (kaiming_uniform a=√5, bias U(±1/√fan_in)) is what
        // mamba_ssm keeps for in_proj, conv1d (weight and bias) and x_proj; TorchSharp's modules draw the same.
        in_proj = nn.Linear(d, 2 * e, hasBias: false);
        conv1d = nn.Conv1d(e, e, _dConv, padding: _dConv - 1, groups: e, bias: true);
        x_proj = nn.Linear(e, r + 2 * n, hasBias: false);
        dt_proj = nn.Linear(r, e, hasBias: true);
        out_proj = nn.Linear(e, d, hasBias: false);

        using (no_grad())
        {
            // dt_proj.weight ~ U(±dt_scale·dt_rank^-0.5): preserves the variance of Δ at initialisation.
            double std = config.DtScale / Math.Sqrt(r);
            nn.init.uniform_(dt_proj.weight, -std, std);
            using var bias = InitialDtBias(e, config.DtMin, config.DtMax, config.DtInitFloor);
            dt_proj.bias!.copy_(bias);
        }
        // S4D-real initialisation: A = −(1, 2, …, N) for every channel, stored as its log (kept in fp32).
        A_log = Parameters.Owned(() => log(arange(1, n + 1, dtype: float32)).repeat(e, 1));   // (e, n)
        D = Parameters.Owned(() => ones(e));                                                  // (e)

        register_module(nameof(in_proj), in_proj);
        register_module(nameof(conv1d), conv1d);
        register_module(nameof(x_proj), x_proj);
        register_module(nameof(dt_proj), dt_proj);
        register_parameter(nameof(A_log), A_log);
        register_parameter(nameof(D), D);
        register_module(nameof(out_proj), out_proj);
    }

    internal Linear InProj => in_proj;
    internal Conv1d Conv => conv1d;
    internal Linear XProj => x_proj;
    internal Linear DtProj => dt_proj;
    internal Parameter ALog => A_log;
    internal Parameter DSkip => D;
    internal Linear OutProj => out_proj;

    /// <summary>Channels of the SSM, d_inner (e).</summary>
    internal int DInner => _dInner;

    /// <summary>Width of the causal conv, d_conv (k): a segment needs the k − 1 inputs before it.</summary>
    internal int DConv => _dConv;

    /// <summary>SSM state size N: the scan state a segment hands on is (b, d_inner, N).</summary>
    internal int DState => _dState;

    /// <summary>
    /// dt_proj.bias = softplus⁻¹(Δ₀) with Δ₀ ~ exp(U[ln dt_min, ln dt_max]) clamped below at the floor, so that
    /// softplus(bias) starts log-uniform in [dt_min, dt_max]. softplus⁻¹(y) = y + log(−expm1(−y)).
    /// </summary>
    static Tensor InitialDtBias(long dInner, double dtMin, double dtMax, double floor)
    {
        using var scope = NewDisposeScope();
        var dt = exp(rand(dInner) * (Math.Log(dtMax) - Math.Log(dtMin)) + Math.Log(dtMin)).clamp_min(floor);
        return (dt + log(-expm1(-dt))).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The dtype of the matmuls, the short convolution and the activations between them (<see cref="ComputePrecision"/>);
    /// the scan always runs in the parameters' dtype, its inputs cast at the boundary.
    /// </summary>
    public ComputePrecision Precision { get; set; } = ComputePrecision.Float32;

    /// <summary>hidden (b, l, d) → (b, l, d). The parallel (training) path.</summary>
    public override Tensor forward(Tensor hidden) => Forward(hidden, null);

    /// <summary>
    /// The parallel path; with <paramref name="state"/> (fresh, zeroed) it also leaves there what <see cref="Step"/>
    /// needs to continue after the last position — the last d_conv conv inputs and the scan's final state — as
    /// mamba_ssm does when it prefills a prompt.
    /// </summary>
    public Tensor Forward(Tensor hidden, (Tensor Conv, Tensor Ssm)? state)
    {
        long l = hidden.shape[1];
        using var scope = NewDisposeScope();
        var (x, z) = InProject(hidden);                                    // (b, e, l) each
        if (state is { Conv: var convState })
        {
            // The window Step expects: the last d_conv inputs, zeros in front when the prompt is shorter.
            long keep = Math.Min(l, _dConv);
            convState.zero_();
            convState.narrow(2, _dConv - keep, keep).copy_(x.narrow(2, l - keep, keep));
        }

        // Causal depthwise conv: pad k−1 on both sides, keep the first l outputs (position t sees t−k+1 … t).
        x = F.silu(Precision == ComputePrecision.Float32
            ? conv1d.forward(x)
            : MixedPrecision.Conv1d(x, conv1d.weight, conv1d.bias, _dConv - 1, _dInner, Precision)).narrow(2, 0, l);   // (b, e, l)

        var (y, last) = Ssm(x, z, null);                                   // (b, e, l), (b, e, n)
        if (state is { Ssm: var ssmState })
        {
            ssmState.copy_(last);
        }
        return OutProject(y).MoveToOuterDisposeScope();                    // (b, l, d)
    }

    /// <summary>
    /// One segment of a longer sequence, for recompute segment by segment (<see cref="SegmentedRecompute"/>):
    /// hidden (b, s, d) holds positions t₀ … t₀+s−1; <paramref name="convTail"/> (b, e, d_conv−1) the conv inputs at
    /// t₀−d_conv+1 … t₀−1 (zeros before the sequence starts), <paramref name="ssmState"/> (b, e, n) the scan state after
    /// t₀−1 (null at the start). Returns the segment's output (b, s, d) and the same two states for the next segment.
    /// Chaining segments reproduces <see cref="Forward(Tensor, ValueTuple{Tensor, Tensor}?)"/> exactly, and every
    /// output — the states included — is differentiable, so gradients can be chained backwards too.
    /// </summary>
    internal (Tensor Out, Tensor ConvTail, Tensor SsmState) ForwardSegment(Tensor hidden, Tensor convTail, Tensor? ssmState)
    {
        long s = hidden.shape[1], k1 = _dConv - 1;
        using var scope = NewDisposeScope();
        var (x, z) = InProject(hidden);                                    // (b, e, s) each
        var window = cat([convTail.to(x.dtype), x], 2);                   // (b, e, k−1 + s): left context, then the segment
        // A copy, not a view: a view would keep the whole window alive for as long as the tail is.
        var nextTail = window.narrow(2, s, k1).clone();                    // (b, e, k−1) the last k−1 conv inputs so far
        x = F.silu(MixedPrecision.Conv1d(window, conv1d.weight, conv1d.bias, 0, _dInner, Precision));   // (b, e, s): the window is the padding
        var (y, last) = Ssm(x, z, ssmState);                               // (b, e, s), (b, e, n)
        return (OutProject(y).MoveToOuterDisposeScope(), nextTail.MoveToOuterDisposeScope(), last.MoveToOuterDisposeScope());
    }

    /// <summary>hidden (b, l, d) → x, z (b, e, l) each: in_proj, split into the SSM input and the gate.</summary>
    (Tensor X, Tensor Z) InProject(Tensor hidden)
    {
        var xz = MixedPrecision.Linear(hidden, in_proj, Precision).transpose(1, 2);   // (b, 2e, l)
        var xAndZ = xz.chunk(2, 1);
        return (xAndZ[0], xAndZ[1]);
    }

    /// <summary>
    /// After the conv: x (b, e, l), gate z (b, e, l), initial state h0 (b, e, n) or null → y (b, e, l) in the scan's
    /// dtype and the final state (b, e, n). The projections run in the compute dtype; the scan in A_log's (fp32).
    /// </summary>
    (Tensor Y, Tensor Last) Ssm(Tensor x, Tensor z, Tensor? h0)
    {
        var xDbl = MixedPrecision.Linear(x.transpose(1, 2), x_proj, Precision);   // (b, l, r + 2n)
        var parts = xDbl.split([_dtRank, _dState, _dState], -1);
        var dt = MixedPrecision.Linear(parts[0], dt_proj.weight, null, Precision).transpose(1, 2);   // (b, e, l)  bias goes to the scan
        var b = parts[1].transpose(1, 2);                                  // (b, n, l)
        var c = parts[2].transpose(1, 2);                                  // (b, n, l)
        var a = -exp(A_log);                                               // (e, n)

        // The native scan is fp32 only, and a state carried over 2^20 steps must be: cast at the boundary.
        return ScanBackend.Scan(MixedPrecision.ToMaster(x, A_log), MixedPrecision.ToMaster(dt, A_log), a,
            MixedPrecision.ToMaster(b, A_log), MixedPrecision.ToMaster(c, A_log), D, MixedPrecision.ToMaster(z, A_log),
            dt_proj.bias, deltaSoftplus: true, h0: h0);                    // (b, e, l), (b, e, n)
    }

    /// <summary>y (b, e, l) → out_proj → (b, l, d) in the compute dtype.</summary>
    Tensor OutProject(Tensor y) => MixedPrecision.Linear(y.transpose(1, 2), out_proj, Precision);

    /// <summary>Zeroed recurrent state for <paramref name="batch"/> sequences: conv (b, e, d_conv), ssm (b, e, N).</summary>
    public (Tensor Conv, Tensor Ssm) NewState(long batch, ScalarType? dtype = null, Device? device = null)
    {
        var type = dtype ?? A_log.dtype;
        var where = device ?? A_log.device;
        return (zeros(batch, _dInner, _dConv, type, where), zeros(batch, _dInner, _dState, type, where));
    }

    /// <summary>
    /// One token of recurrent inference (mamba_simple's <c>step</c>): x (b, d) → (b, d). <paramref name="convState"/>
    /// (b, e, d_conv) holds the last d_conv conv inputs and <paramref name="ssmState"/> (b, e, N) the SSM state; both
    /// are advanced in place, as mamba_ssm does, so the caller keeps ownership. No gradients.
    /// </summary>
    public Tensor Step(Tensor x, Tensor convState, Tensor ssmState)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var xz = in_proj.forward(x).chunk(2, -1);
        var u = xz[0];                                                     // (b, e)
        var z = xz[1];                                                     // (b, e)

        convState.copy_(convState.roll(-1, -1));                           // shift the window left by one
        convState.select(2, _dConv - 1).copy_(u);
        u = F.silu((convState * conv1d.weight.squeeze(1)).sum(-1) + conv1d.bias!);   // (b, e)

        var parts = x_proj.forward(u).split([_dtRank, _dState, _dState], -1);
        var dt = F.linear(parts[0], dt_proj.weight);                       // (b, e)  bias goes to the step
        var a = -exp(A_log);                                               // (e, n)
        var y = ScanBackend.Step(ssmState, u, dt, a, parts[1], parts[2], D, z, dt_proj.bias, deltaSoftplus: true);
        return out_proj.forward(y).MoveToOuterDisposeScope();              // (b, d)
    }
}
