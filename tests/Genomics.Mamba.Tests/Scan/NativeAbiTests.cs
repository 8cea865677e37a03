using System.Runtime.InteropServices;
using Genomics.Mamba.Runtime;
using Genomics.Mamba.Scan;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Scan;

/// <summary>The C# mirror of genomamba.h, and how the library's own validation reaches .NET.</summary>
public class NativeAbiTests
{
    [Fact]
    public void Structs_have_the_sizes_the_header_layout_implies()
    {
        // gm_scan_params: 7 int64 + 2 int32 = 64 bytes of sizes, then 61 pointer-or-int64 slots of 8 bytes, then
        // (ABI 2) device, device_index, input_dtype, flags (4 int32) and the stream pointer.
        Assert.Equal(64 + 61 * 8 + 4 * 4 + 8, Marshal.SizeOf<GmScanParams>());
        Assert.Equal(3, NativeMethods.AbiVersion);   // ABI 3 added the gm_dist_* functions; the structs are ABI 2's
        // gm_step_params: 5 int64 + 2 int32 = 48 bytes, then 21 slots.
        Assert.Equal(48 + 21 * 8, Marshal.SizeOf<GmStepParams>());
    }

    [NativeFact]
    public void Struct_sizes_agree_with_what_the_native_library_reports()
    {
        Assert.Equal(NativeMethods.AbiVersion, NativeMethods.gm_abi_version());
        Assert.Equal(Marshal.SizeOf<GmScanParams>(), NativeMethods.gm_scan_params_size());
        Assert.Equal(Marshal.SizeOf<GmStepParams>(), NativeMethods.gm_step_params_size());
        Assert.Equal(ScanBackendKind.Native, ScanBackend.Kind);
        Assert.False(string.IsNullOrEmpty(ScanBackend.NativeVersion));
    }

    [NativeFact]
    public void The_well_formed_call_the_failure_tests_break_succeeds()
    {
        using var call = new ValidCall();
        var p = call.Params;
        NativeMethods.Check(NativeMethods.gm_selective_scan_fwd(in p), "gm_selective_scan_fwd");
        NativeMethods.Check(NativeMethods.gm_selective_scan_bwd(in p), "gm_selective_scan_bwd");
        Assert.InRange(NativeMethods.gm_scan_chunk_states(in p), 1, 1 * 2 * 8 * 4);
    }

    [NativeFact]
    public void A_null_input_pointer_is_an_invalid_argument_with_a_message()
    {
        using var call = new ValidCall();
        var p = call.Params;
        p.U = 0;
        AssertFails(NativeMethods.gm_selective_scan_fwd(in p), GmStatus.InvalidArgument);
    }

    [NativeFact]
    public void A_negative_size_is_an_invalid_argument_with_a_message()
    {
        using var call = new ValidCall();
        var p = call.Params;
        p.SeqLen = -5;
        AssertFails(NativeMethods.gm_selective_scan_fwd(in p), GmStatus.InvalidArgument);
        p = call.Params;
        p.Batch = -1;
        AssertFails(NativeMethods.gm_selective_scan_bwd(in p), GmStatus.InvalidArgument);
    }

    [NativeFact]
    public void A_state_larger_than_256_is_refused_as_unsupported()
    {
        using var call = new ValidCall(dstate: 300);
        var p = call.Params;
        AssertFails(NativeMethods.gm_selective_scan_fwd(in p), GmStatus.Unsupported);
    }

    [NativeFact]
    public void A_refused_call_through_Apply_surfaces_the_library_message()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        var u = randn(1, 2, 8);
        var B = randn(1, 300, 8);
        var e = Assert.Throws<NativeScanException>(() => SelectiveScan.Apply(u, u.abs(), -rand(2, 300), B, B));
        Assert.Equal((int)GmStatus.Unsupported, e.Status);
        Assert.NotEmpty(e.NativeMessage);
        Assert.Contains(e.NativeMessage, e.Message);
    }

    [NativeFact]
    public void A_cuda_call_to_a_library_without_cuda_is_unsupported_and_says_how_to_build_one()
    {
        if ((NativeMethods.gm_features() & Gm.FeatureCuda) != 0)
        {
            return;  // a CUDA build: covered by the native GPU check instead
        }
        Assert.Equal(0, NativeMethods.gm_cuda_device_count());
        using var call = new ValidCall();
        var p = call.Params;
        p.Device = Gm.DeviceCuda;
        AssertFails(NativeMethods.gm_selective_scan_fwd(in p), GmStatus.Unsupported);
        Assert.Contains("built without CUDA", NativeMethods.LastError());
        AssertFails(NativeMethods.gm_selective_scan_bwd(in p), GmStatus.Unsupported);
        Assert.Contains("GenomambaCuda=true", NativeMethods.LastError());
    }

    [NativeFact]
    public void Bfloat16_on_the_cpu_and_unknown_devices_are_refused_by_the_library()
    {
        using var call = new ValidCall();
        var p = call.Params;
        p.InputDType = Gm.DTypeBF16;
        AssertFails(NativeMethods.gm_selective_scan_fwd(in p), GmStatus.Unsupported);
        Assert.Contains("CUDA only", NativeMethods.LastError());
        p = call.Params;
        p.Device = 9;
        AssertFails(NativeMethods.gm_selective_scan_fwd(in p), GmStatus.InvalidArgument);
        Assert.Contains("device = 9", NativeMethods.LastError());
    }

    [NativeFact]
    public void A_null_params_pointer_is_refused()
    {
        unsafe
        {
            // `in` cannot pass null, so go through a raw function pointer to the same export.
            var lib = NativeLibrary.Load("genomamba", typeof(NativeMethods).Assembly, null);
            var fwd = (delegate* unmanaged<GmScanParams*, GmStatus>)NativeLibrary.GetExport(lib, "gm_selective_scan_fwd");
            AssertFails(fwd(null), GmStatus.InvalidArgument);
        }
    }

    static void AssertFails(GmStatus status, GmStatus expected)
    {
        Assert.Equal(expected, status);
        string message = NativeMethods.LastError();
        Assert.False(string.IsNullOrWhiteSpace(message), "gm_last_error() is empty after a failed call");
        var e = Assert.Throws<NativeScanException>(() => NativeMethods.Check(status, "gm_selective_scan_fwd"));
        Assert.Equal(message, e.NativeMessage);
        Assert.Contains(message, e.Message);
    }

    /// <summary>A well-formed forward+backward parameter block over real buffers, for tests to break one field of.</summary>
    sealed class ValidCall : IDisposable
    {
        readonly IDisposable _scope;
        readonly List<Tensor> _keep = [];
        public GmScanParams Params;

        public ValidCall(long batch = 1, long dim = 2, long len = 8, long dstate = 4)
        {
            TorchRuntime.EnsureLoaded();
            _scope = NewDisposeScope();
            nint T(params long[] shape)
            {
                var t = randn(shape);
                _keep.Add(t);
                return NativeTensors.Ptr(t);
            }
            var p = GmScanParams.Create();
            p.Batch = batch; p.Dim = dim; p.SeqLen = len; p.DState = dstate; p.NGroups = 1; p.NThreads = 1;
            p.U = T(batch, dim, len); p.UBatchStride = dim * len; p.UDimStride = len;
            p.Delta = T(batch, dim, len); p.DeltaBatchStride = dim * len; p.DeltaDimStride = len;
            p.A = T(dim, dstate); p.ADimStride = dstate;
            p.Bmat = T(batch, dstate, len); p.BBatchStride = dstate * len; p.BGroupStride = dstate * len; p.BStateStride = len;
            p.Cmat = T(batch, dstate, len); p.CBatchStride = dstate * len; p.CGroupStride = dstate * len; p.CStateStride = len;
            p.Out = T(batch, dim, len); p.OutBatchStride = dim * len; p.OutDimStride = len;
            // Generous: any sane chunking of 8 positions needs at most one state per position.
            p.ChunkStates = T(batch, dim, len, dstate);
            p.DOut = T(batch, dim, len); p.DOutBatchStride = dim * len; p.DOutDimStride = len;
            p.DU = T(batch, dim, len); p.DUBatchStride = dim * len; p.DUDimStride = len;
            p.DDelta = T(batch, dim, len); p.DDeltaBatchStride = dim * len; p.DDeltaDimStride = len;
            p.DA = T(dim, dstate); p.DADimStride = dstate;
            p.DB = T(batch, dstate, len); p.DBBatchStride = dstate * len; p.DBGroupStride = dstate * len; p.DBStateStride = len;
            p.DC = T(batch, dstate, len); p.DCBatchStride = dstate * len; p.DCGroupStride = dstate * len; p.DCStateStride = len;
            Params = p;
        }

        public void Dispose() => _scope.Dispose();
    }
}
