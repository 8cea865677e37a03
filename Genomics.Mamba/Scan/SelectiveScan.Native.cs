using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Scan;

public static partial class SelectiveScan
{
    /// <summary>
    /// <see cref="Reference"/>'s math and signature on libgenomamba's fused kernel: forward keeps only the state at
    /// chunk boundaries (O(B·D·L) saved, never (B, D, L, N)); backward recomputes inside each chunk. Differentiable
    /// in every tensor input, and accepts a gradient for finalState, so segments chained through h0 get exact
    /// gradients. CPU float32, or CUDA float32/bfloat16 when libgenomamba has the CUDA scan (anything else throws
    /// <see cref="NotSupportedException"/>). On CUDA with bfloat16 inputs the arithmetic and the state stay fp32: out
    /// and the per-position gradients come back in bfloat16, finalState in float32, and the gradients of A, D,
    /// deltaBias, h0, B and C in their inputs' dtype. The last (L) dimension is made contiguous where it is not, other
    /// strides pass through. CPU: torch.get_num_threads() threads, results independent of the count. CUDA: the
    /// legacy default stream, the call waits for the kernels; <see cref="ScanBackend.DeterministicCuda"/> picks the
    /// fixed-order dB/dC sums.
    /// </summary>
    public static (Tensor Out, Tensor FinalState) Apply(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C,
        Tensor? D = null, Tensor? z = null, Tensor? deltaBias = null, bool deltaSoftplus = false, Tensor? h0 = null)
        => Apply(u, delta, A, B, C, D, z, deltaBias, deltaSoftplus, h0,
            new NativeScanOptions(get_num_threads(), 0, ScanBackend.DeterministicCuda));

    /// <summary><see cref="Apply(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor?, Tensor?, Tensor?, bool, Tensor?)"/> with an explicit thread count and chunk size (tests, benchmarks).</summary>
    internal static (Tensor Out, Tensor FinalState) Apply(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C,
        Tensor? D, Tensor? z, Tensor? deltaBias, bool deltaSoftplus, Tensor? h0, NativeScanOptions options)
    {
        ScanShapes.Of(u, delta, A, B, C, D, z, deltaBias, h0);
        // Device and dtype first (their messages say what to convert); with no library at all, RequireNative says why.
        ScanShapes.RequireNativeSupported(u, ScanBackend.NativeAvailable ? ScanBackend.NativeFeatures : Gm.FeatureCuda);
        ScanBackend.RequireNative();
        var outputs = SelectiveScanFunction.apply(u, delta, A, B, C, D, z, deltaBias, h0, deltaSoftplus, options);
        return (outputs[0], outputs[1]);
    }

    /// <summary>
    /// <see cref="StepReference"/> on libgenomamba: advances <paramref name="state"/> (B, D, N, N contiguous) in
    /// place and returns out (B, D). CPU float32 only; not differentiable.
    /// </summary>
    public static Tensor Step(Tensor state, Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C,
        Tensor? D = null, Tensor? z = null, Tensor? deltaBias = null, bool deltaSoftplus = false)
    {
        var s = ScanShapes.OfStep(state, u, delta, A, B, C, D, z, deltaBias);
        if (u.device_type != TorchSharp.DeviceType.CPU)
        {
            throw new NotSupportedException(
                $"the native recurrent step runs on CPU only; got tensors on {u.device}. Use SelectiveScan.StepReference " +
                "(ScanBackend.Step does) for other devices.");
        }
        ScanShapes.RequireNativeSupported(u, 0);
        ScanBackend.RequireNative();
        if (state.stride(2) != 1 && s.DState > 1)
        {
            throw new ArgumentException("state must have a contiguous last (N) dimension: it is updated in place", nameof(state));
        }
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        // One token: every (B, D) vector is tiny, so make the rows contiguous rather than reason about strides.
        u = RowContiguous(u);
        delta = RowContiguous(delta);
        z = z is null ? null : RowContiguous(z);
        A = NativeTensors.LastContiguous(A);
        var b3 = (B.dim() == 2 ? B.unsqueeze(1) : B).contiguous();   // (b, g, n)
        var c3 = (C.dim() == 2 ? C.unsqueeze(1) : C).contiguous();
        var dSkip = D?.contiguous();
        var bias = deltaBias?.contiguous();
        var output = empty(s.Batch, s.Dim, dtype: float32);

        var p = GmStepParams.Create();
        p.Batch = s.Batch; p.Dim = s.Dim; p.DState = s.DState; p.NGroups = s.Groups;
        p.NThreads = get_num_threads();
        p.DeltaSoftplus = deltaSoftplus ? 1 : 0;
        p.U = NativeTensors.Ptr(u); p.UBatchStride = u.stride(0);
        p.Delta = NativeTensors.Ptr(delta); p.DeltaBatchStride = delta.stride(0);
        p.A = NativeTensors.Ptr(A); p.ADimStride = A.stride(0);
        p.Bmat = NativeTensors.Ptr(b3); p.BBatchStride = b3.stride(0); p.BGroupStride = b3.stride(1);
        p.Cmat = NativeTensors.Ptr(c3); p.CBatchStride = c3.stride(0); p.CGroupStride = c3.stride(1);
        p.DSkip = NativeTensors.Ptr(dSkip);
        p.DeltaBias = NativeTensors.Ptr(bias);
        p.Z = NativeTensors.Ptr(z); p.ZBatchStride = z?.stride(0) ?? 0;
        p.State = NativeTensors.Ptr(state); p.StateBatchStride = state.stride(0); p.StateDimStride = state.stride(1);
        p.Out = NativeTensors.Ptr(output); p.OutBatchStride = output.stride(0);
        NativeMethods.Check(NativeMethods.gm_selective_scan_step(in p), "gm_selective_scan_step");
        GC.KeepAlive(state);
        return output.MoveToOuterDisposeScope();
    }

    static Tensor RowContiguous(Tensor t) => t.stride(1) == 1 || t.shape[1] == 1 ? t : t.contiguous();
}

/// <summary>
/// Thread count (CPU) and chunk size for one native scan call (chunk size 0 is the library's default); Deterministic
/// asks CUDA for fixed-order dB/dC sums (GM_FLAG_DETERMINISTIC).
/// </summary>
internal readonly record struct NativeScanOptions(int Threads, long ChunkSize, bool Deterministic = false);
