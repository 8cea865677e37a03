using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Scan;

/// <summary>
/// The selective scan of Mamba (Gu &amp; Dao 2023, Alg. 2; the recurrence of §3.2): the clean reference here, the
/// fused native kernel in <c>SelectiveScan.Native.cs</c> with the same signature, chosen by <see cref="ScanBackend"/>.
/// </summary>
public static partial class SelectiveScan
{
    /// <summary>
    /// The spec, in plain TorchSharp: a sequential loop over positions, differentiable by autograd, any dtype and device.
    /// It materializes (B, D, L, N) three times over, so it is for tests, small sizes and devices the native library
    /// does not serve. Port of mamba_ssm's <c>selective_scan_ref</c>, plus an initial state in and the final state out.
    /// <code>
    ///   Δ_t   = softplus(delta_t + deltaBias)      (softplus when deltaSoftplus; the bias when given)
    ///   h_t   = exp(Δ_t A) ⊙ h_{t-1} + Δ_t B_t u_t    h_{-1} = h0, or 0
    ///   y_t   = C_t · h_t + D u_t                  (D when given)
    ///   out_t = y_t ⊙ silu(z_t)                    (when z is given; else out = y)
    /// </code>
    /// Shapes: u, delta, z (B, D, L); A (D, N); B, C (B, N, L) or (B, G, N, L) with G groups dividing D, channel d
    /// reading group d / (D/G); D, deltaBias (D); h0 (B, D, N). Returns out (B, D, L) and the state after the last
    /// position, finalState (B, D, N): feeding it as the next segment's h0 continues the sequence exactly.
    /// </summary>
    public static (Tensor Out, Tensor FinalState) Reference(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C,
        Tensor? D = null, Tensor? z = null, Tensor? deltaBias = null, bool deltaSoftplus = false, Tensor? h0 = null)
    {
        var s = ScanShapes.Of(u, delta, A, B, C, D, z, deltaBias, h0);
        long b = s.Batch, d = s.Dim, l = s.Length, n = s.DState, g = s.Groups, hg = s.ChannelsPerGroup;
        using var scope = NewDisposeScope();

        var dt = Delta(delta, deltaBias, deltaSoftplus);                              // (b, d, l)
        var dtG = dt.reshape(b, g, hg, l);                                            // (b, g, h, l)
        var uG = u.reshape(b, g, hg, l);
        var bG = B.dim() == 3 ? B.unsqueeze(1) : B;                                   // (b, g, n, l)
        var cG = C.dim() == 3 ? C.unsqueeze(1) : C;
        var decay = exp(einsum("bghl,ghn->bghln", dtG, A.reshape(g, hg, n)));         // (b, g, h, l, n)  exp(Δ A)
        var drive = einsum("bghl,bgnl->bghln", dtG * uG, bG);                         // (b, g, h, l, n)  Δ B u

        // unbind + stack, not select(t): select's backward builds a full-size zero tensor per step (O(L²)).
        var decays = decay.unbind(3);
        var drives = drive.unbind(3);
        var state = h0 is null ? zeros(b, g, hg, n, u.dtype, u.device) : h0.reshape(b, g, hg, n);
        var states = new Tensor[l];
        // TorchSharp's `a + b` hands libtorch a temporary Scalar(1) as alpha that nothing keeps alive during the native
        // call; in a loop of thousands of steps the GC may finalize it mid-call (seen once in CI: "toFloat: Expected
        // false to be true"). One Scalar held for the whole loop.
        using var one = 1.ToScalar();
        for (long t = 0; t < l; t++)
        {
            state = (decays[t] * state).add(drives[t], one);                          // (b, g, h, n)
            states[t] = state;
        }
        var y = einsum("bghln,bgnl->bghl", stack(states, 3), cG).reshape(b, d, l);    // C_t · h_t
        var output = Gate(y, u, D, z);
        return (output.MoveToOuterDisposeScope(), state.reshape(b, d, n).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// One position of <see cref="Reference"/> for recurrent inference: advances <paramref name="state"/> (B, D, N)
    /// in place and returns out (B, D). u, delta, z are (B, D); B, C are (B, N) or (B, G, N); A, D, deltaBias as in
    /// the scan. Not differentiable (it writes in place, under no_grad).
    /// </summary>
    public static Tensor StepReference(Tensor state, Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C,
        Tensor? D = null, Tensor? z = null, Tensor? deltaBias = null, bool deltaSoftplus = false)
    {
        var s = ScanShapes.OfStep(state, u, delta, A, B, C, D, z, deltaBias);
        long b = s.Batch, d = s.Dim, n = s.DState, g = s.Groups, hg = s.ChannelsPerGroup;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var dt = Delta(delta.unsqueeze(-1), deltaBias, deltaSoftplus).reshape(b, g, hg, 1);     // (b, g, h, 1)
        var bG = (B.dim() == 2 ? B.unsqueeze(1) : B).unsqueeze(2);                                // (b, g, 1, n)
        var cG = (C.dim() == 2 ? C.unsqueeze(1) : C).unsqueeze(2);
        var next = exp(dt * A.reshape(g, hg, n)) * state.reshape(b, g, hg, n)
                   + dt * u.reshape(b, g, hg, 1) * bG;                                            // (b, g, h, n)
        state.copy_(next.reshape(b, d, n));
        var y = (next * cG).sum(-1).reshape(b, d);                                                // (b, d)
        return Gate(y.unsqueeze(-1), u.unsqueeze(-1), D, z?.unsqueeze(-1)).reshape(b, d).MoveToOuterDisposeScope();
    }

    /// <summary>Δ = softplus(delta + bias): the bias is per channel, broadcast over the last dimension.</summary>
    static Tensor Delta(Tensor delta, Tensor? deltaBias, bool softplus)
    {
        var dt = deltaBias is null ? delta : delta + deltaBias.unsqueeze(-1);
        return softplus ? nn.functional.softplus(dt) : dt;
    }

    /// <summary>out = (y + D u) ⊙ silu(z), each term when given; y, u, z (b, d, l), D (d).</summary>
    static Tensor Gate(Tensor y, Tensor u, Tensor? D, Tensor? z)
    {
        var output = D is null ? y : y + u * D.unsqueeze(-1);
        return z is null ? output : output * nn.functional.silu(z);
    }
}
