using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace Genomics.Mamba.Scan;

/// <summary>
/// The autograd node around gm_selective_scan_fwd / _bwd. Inputs (in apply order): u, delta, A, B, C, D, z,
/// deltaBias, h0, deltaSoftplus (bool), options (<see cref="NativeScanOptions"/>). Outputs: out, finalState.
/// TorchSharp keeps one instance of this class, so all per-call state lives in the context.
/// </summary>
internal sealed class SelectiveScanFunction : MultiTensorFunction<SelectiveScanFunction>
{
    public override string Name => "SelectiveScan";

    // Positions of the tensor inputs in `vars` and in the gradient list.
    const int IU = 0, IDelta = 1, IA = 2, IB = 3, IC = 4, ID = 5, IZ = 6, IBias = 7, IH0 = 8, InputCount = 11;

    public override List<Tensor> forward(AutogradContext ctx, params object[] vars)
    {
        var t = new Tensor?[9];
        for (int i = 0; i < t.Length; i++)
        {
            t[i] = vars[i] as Tensor;
        }
        bool softplus = (bool)vars[9];
        var options = (NativeScanOptions)vars[10];
        var s = ScanShapes.Of(t[IU]!, t[IDelta]!, t[IA]!, t[IB]!, t[IC]!, t[ID], t[IZ], t[IBias], t[IH0]);

        // No dispose scope here: everything made below is either returned or saved for backward, and TorchSharp
        // only commits saved tensors after forward returns.
        var needs = t.Select(x => x is not null && x.requires_grad).ToArray();
        var u = NativeTensors.LastContiguous(t[IU]!);
        var delta = NativeTensors.LastContiguous(t[IDelta]!);
        // Weights and the state are fp32 whatever the activations' dtype (bfloat16 on CUDA): the header says so.
        var A = F32(NativeTensors.LastContiguous(t[IA]!));
        var B = AsGroups(t[IB]!);
        var C = AsGroups(t[IC]!);
        var D = t[ID] is { } dd ? F32(dd.contiguous()) : null;
        var z = t[IZ] is { } zz ? NativeTensors.LastContiguous(zz) : null;
        var bias = t[IBias] is { } bb ? F32(bb.contiguous()) : null;
        var h0 = t[IH0] is { } hh ? F32(NativeTensors.LastContiguous(hh)) : null;

        var p = Params(s, options, softplus, u, delta, A, B, C, D, z, bias, h0);
        var output = empty(s.Batch, s.Dim, s.Length, dtype: u.dtype, device: u.device);
        var final = empty(s.Batch, s.Dim, s.DState, dtype: float32, device: u.device);
        long stateFloats = NativeMethods.gm_scan_chunk_states(in p);
        if (stateFloats <= 0)
        {
            // The size query fails the same validation as the scan but returns no status; the scan itself
            // (no workspace yet, so it cannot run) reports the real one: unsupported vs invalid.
            var status = NativeMethods.gm_selective_scan_fwd(in p);
            NativeMethods.Check(status == GmStatus.Ok ? GmStatus.Internal : status, "gm_selective_scan_fwd");
        }
        var chunkStates = empty(stateFloats, dtype: float32, device: u.device);
        p.Out = NativeTensors.Ptr(output); p.OutBatchStride = output.stride(0); p.OutDimStride = output.stride(1);
        p.FinalState = NativeTensors.Ptr(final); p.FinalStateBatchStride = final.stride(0); p.FinalStateDimStride = final.stride(1);
        p.ChunkStates = NativeTensors.Ptr(chunkStates);
        NativeMethods.Check(NativeMethods.gm_selective_scan_fwd(in p), "gm_selective_scan_fwd");

        ctx.save_for_backward([u, delta, A, B, C, D!, z!, bias!, h0!, chunkStates]);
        ctx.save_data("shapes", s);
        ctx.save_data("options", options);
        ctx.save_data("softplus", softplus);
        ctx.save_data("needs", needs);
        ctx.save_data("dtypes", t.Select(x => x?.dtype ?? ScalarType.Float32).ToArray());
        ctx.save_data("b3d", t[IB]!.dim() == 3);
        ctx.save_data("c3d", t[IC]!.dim() == 3);
        // An unused output's gradient arrives undefined rather than as zeros: no dfinal_state means "zero" to the kernel.
        ctx.set_materialize_grads(false);
        return [output, final];
    }

    public override List<Tensor> backward(AutogradContext ctx, List<Tensor> gradOutputs)
    {
        var s = (ScanShapes)ctx.get_data("shapes");
        var options = (NativeScanOptions)ctx.get_data("options");
        bool softplus = (bool)ctx.get_data("softplus");
        var needs = (bool[])ctx.get_data("needs");
        var dtypes = (ScalarType[])ctx.get_data("dtypes");
        using var scope = NewDisposeScope();
        var saved = ctx.get_saved_variables();
        Tensor u = saved[0], delta = saved[1], A = saved[2], B = saved[3], C = saved[4];
        Tensor? D = Defined(saved[5]), z = Defined(saved[6]), bias = Defined(saved[7]), h0 = Defined(saved[8]);
        Tensor chunkStates = saved[9];

        var act = u.dtype;   // float32, or bfloat16 on CUDA
        var dev = u.device;
        var dout = Defined(gradOutputs[0]) is { } go ? NativeTensors.LastContiguous(go.to(act)) : zeros(s.Batch, s.Dim, s.Length, dtype: act, device: dev);
        var dfinal = Defined(gradOutputs[1]) is { } gf ? NativeTensors.LastContiguous(F32(gf)) : null;

        var du = empty(s.Batch, s.Dim, s.Length, dtype: act, device: dev);
        var ddelta = empty(s.Batch, s.Dim, s.Length, dtype: act, device: dev);
        var dA = empty(s.Dim, s.DState, dtype: float32, device: dev);
        var dB = empty(s.Batch, s.Groups, s.DState, s.Length, dtype: float32, device: dev);
        var dC = empty(s.Batch, s.Groups, s.DState, s.Length, dtype: float32, device: dev);
        var dD = D is null ? null : empty(s.Dim, dtype: float32, device: dev);
        var dz = z is null ? null : empty(s.Batch, s.Dim, s.Length, dtype: act, device: dev);
        var dBias = bias is null ? null : empty(s.Dim, dtype: float32, device: dev);
        var dh0 = h0 is not null && needs[IH0] ? empty(s.Batch, s.Dim, s.DState, dtype: float32, device: dev) : null;

        var p = Params(s, options, softplus, u, delta, A, B, C, D, z, bias, h0);
        p.ChunkStates = NativeTensors.Ptr(chunkStates);
        p.DOut = NativeTensors.Ptr(dout); p.DOutBatchStride = dout.stride(0); p.DOutDimStride = dout.stride(1);
        if (dfinal is not null)
        {
            p.DFinalState = NativeTensors.Ptr(dfinal); p.DFinalStateBatchStride = dfinal.stride(0); p.DFinalStateDimStride = dfinal.stride(1);
        }
        p.DU = NativeTensors.Ptr(du); p.DUBatchStride = du.stride(0); p.DUDimStride = du.stride(1);
        p.DDelta = NativeTensors.Ptr(ddelta); p.DDeltaBatchStride = ddelta.stride(0); p.DDeltaDimStride = ddelta.stride(1);
        p.DA = NativeTensors.Ptr(dA); p.DADimStride = dA.stride(0);
        p.DB = NativeTensors.Ptr(dB); p.DBBatchStride = dB.stride(0); p.DBGroupStride = dB.stride(1); p.DBStateStride = dB.stride(2);
        p.DC = NativeTensors.Ptr(dC); p.DCBatchStride = dC.stride(0); p.DCGroupStride = dC.stride(1); p.DCStateStride = dC.stride(2);
        p.DD = NativeTensors.Ptr(dD);
        p.DDeltaBias = NativeTensors.Ptr(dBias);
        if (dz is not null)
        {
            p.DZ = NativeTensors.Ptr(dz); p.DZBatchStride = dz.stride(0); p.DZDimStride = dz.stride(1);
        }
        if (dh0 is not null)
        {
            p.DH0 = NativeTensors.Ptr(dh0); p.DH0BatchStride = dh0.stride(0); p.DH0DimStride = dh0.stride(1);
        }
        NativeMethods.Check(NativeMethods.gm_selective_scan_bwd(in p), "gm_selective_scan_bwd");

        var grads = new Tensor?[InputCount];
        grads[IU] = Keep(du, needs[IU]);
        grads[IDelta] = Keep(ddelta, needs[IDelta]);
        // The kernel's fp32 gradients go back in their inputs' dtypes (a no-op for float32).
        grads[IA] = Keep(As(dA, dtypes[IA]), needs[IA]);
        grads[IB] = Keep(As((bool)ctx.get_data("b3d") ? dB.squeeze(1) : dB, dtypes[IB]), needs[IB]);
        grads[IC] = Keep(As((bool)ctx.get_data("c3d") ? dC.squeeze(1) : dC, dtypes[IC]), needs[IC]);
        grads[ID] = Keep(As(dD, dtypes[ID]), needs[ID]);
        grads[IZ] = Keep(dz, needs[IZ]);
        grads[IBias] = Keep(As(dBias, dtypes[IBias]), needs[IBias]);
        grads[IH0] = Keep(As(dh0, dtypes[IH0]), needs[IH0]);
        return grads.Select(g => g!).ToList();
    }

    /// <summary>Sizes, thread count and input pointers/strides; outputs are filled in by the caller.</summary>
    static GmScanParams Params(ScanShapes s, NativeScanOptions options, bool softplus, Tensor u, Tensor delta, Tensor A,
        Tensor B, Tensor C, Tensor? D, Tensor? z, Tensor? bias, Tensor? h0)
    {
        var p = GmScanParams.Create();
        p.Batch = s.Batch; p.Dim = s.Dim; p.SeqLen = s.Length; p.DState = s.DState; p.NGroups = s.Groups;
        p.ChunkSize = options.ChunkSize;
        p.NThreads = options.Threads;
        p.DeltaSoftplus = softplus ? 1 : 0;
        if (u.device_type == DeviceType.CUDA)
        {
            p.Device = Gm.DeviceCuda;
            p.DeviceIndex = u.device_index;
        }
        p.InputDType = u.dtype == ScalarType.BFloat16 ? Gm.DTypeBF16 : Gm.DTypeF32;
        p.Flags = options.Deterministic ? Gm.FlagDeterministic : 0;
        p.U = NativeTensors.Ptr(u); p.UBatchStride = u.stride(0); p.UDimStride = u.stride(1);
        p.Delta = NativeTensors.Ptr(delta); p.DeltaBatchStride = delta.stride(0); p.DeltaDimStride = delta.stride(1);
        p.A = NativeTensors.Ptr(A); p.ADimStride = A.stride(0);
        p.Bmat = NativeTensors.Ptr(B); p.BBatchStride = B.stride(0); p.BGroupStride = B.stride(1); p.BStateStride = B.stride(2);
        p.Cmat = NativeTensors.Ptr(C); p.CBatchStride = C.stride(0); p.CGroupStride = C.stride(1); p.CStateStride = C.stride(2);
        p.DSkip = NativeTensors.Ptr(D);
        p.DeltaBias = NativeTensors.Ptr(bias);
        if (z is not null)
        {
            p.Z = NativeTensors.Ptr(z); p.ZBatchStride = z.stride(0); p.ZDimStride = z.stride(1);
        }
        if (h0 is not null)
        {
            p.H0 = NativeTensors.Ptr(h0); p.H0BatchStride = h0.stride(0); p.H0DimStride = h0.stride(1);
        }
        return p;
    }

    /// <summary>(B, N, L) becomes a (B, 1, N, L) view; either way the last dimension is made contiguous.</summary>
    static Tensor AsGroups(Tensor t) => NativeTensors.LastContiguous(t.dim() == 3 ? t.unsqueeze(1) : t);

    static Tensor? Defined(Tensor? t) => t is null || t.IsInvalid ? null : t;

    static Tensor F32(Tensor t) => t.dtype == ScalarType.Float32 ? t : t.to(ScalarType.Float32);

    static Tensor? As(Tensor? t, ScalarType dtype) => t is null || t.dtype == dtype ? t : t.to(dtype);

    /// <summary>A gradient survives the backward's dispose scope only when its input asked for one.</summary>
    static Tensor? Keep(Tensor? grad, bool needed) => needed && grad is not null ? grad.MoveToOuterDisposeScope() : null;
}
