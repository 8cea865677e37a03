using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

[assembly: InternalsVisibleTo("Genomics.Mamba.Tests")]

namespace Genomics.Mamba.Scan;

/// <summary>gm_status of native/include/genomamba.h.</summary>
internal enum GmStatus
{
    Ok = 0,
    InvalidArgument = 1,
    Unsupported = 2,
    OutOfMemory = 3,
    Internal = 4,
}

/// <summary>
/// gm_scan_params, field for field (same order, same types). Pointers are <see cref="nint"/> so the struct stays
/// blittable; a test checks <c>Marshal.SizeOf</c> against <c>gm_scan_params_size()</c>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GmScanParams
{
    public long StructSize;
    public long Batch;
    public long Dim;
    public long SeqLen;
    public long DState;
    public long NGroups;
    public long ChunkSize;
    public int NThreads;
    public int DeltaSoftplus;

    // forward inputs
    public nint U; public long UBatchStride, UDimStride;
    public nint Delta; public long DeltaBatchStride, DeltaDimStride;
    public nint A; public long ADimStride;
    public nint Bmat; public long BBatchStride, BGroupStride, BStateStride;
    public nint Cmat; public long CBatchStride, CGroupStride, CStateStride;
    public nint DSkip;
    public nint DeltaBias;
    public nint Z; public long ZBatchStride, ZDimStride;
    public nint H0; public long H0BatchStride, H0DimStride;

    // forward outputs
    public nint Out; public long OutBatchStride, OutDimStride;
    public nint FinalState; public long FinalStateBatchStride, FinalStateDimStride;
    public nint ChunkStates;

    // backward inputs
    public nint DOut; public long DOutBatchStride, DOutDimStride;
    public nint DFinalState; public long DFinalStateBatchStride, DFinalStateDimStride;

    // backward outputs
    public nint DU; public long DUBatchStride, DUDimStride;
    public nint DDelta; public long DDeltaBatchStride, DDeltaDimStride;
    public nint DA; public long DADimStride;
    public nint DB; public long DBBatchStride, DBGroupStride, DBStateStride;
    public nint DC; public long DCBatchStride, DCGroupStride, DCStateStride;
    public nint DD;
    public nint DDeltaBias;
    public nint DZ; public long DZBatchStride, DZDimStride;
    public nint DH0; public long DH0BatchStride, DH0DimStride;

    // where and how (ABI 2; zero = CPU, fp32)
    public int Device;       // GM_DEVICE_CPU / GM_DEVICE_CUDA
    public int DeviceIndex;
    public int InputDType;   // GM_DTYPE_F32 / GM_DTYPE_BF16
    public int Flags;        // GM_FLAG_DETERMINISTIC
    public nint Stream;      // cudaStream_t; 0 = the legacy default stream

    /// <summary>A zeroed struct with <see cref="StructSize"/> set, as the header asks.</summary>
    public static GmScanParams Create() => new() { StructSize = Marshal.SizeOf<GmScanParams>() };
}

/// <summary>The GM_DEVICE_*, GM_DTYPE_*, GM_FLAG_* and feature constants of genomamba.h.</summary>
internal static class Gm
{
    public const int DeviceCpu = 0, DeviceCuda = 1;
    public const int DTypeF32 = 0, DTypeBF16 = 1;
    public const int FlagDeterministic = 1;
    /// <summary>gm_features() bit 8: the CUDA scan is compiled in.</summary>
    public const int FeatureCuda = 1 << 8;
}

/// <summary>gm_step_params, field for field.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GmStepParams
{
    public long StructSize;
    public long Batch, Dim, DState, NGroups;
    public int NThreads;
    public int DeltaSoftplus;
    public nint U; public long UBatchStride;
    public nint Delta; public long DeltaBatchStride;
    public nint A; public long ADimStride;
    public nint Bmat; public long BBatchStride, BGroupStride;
    public nint Cmat; public long CBatchStride, CGroupStride;
    public nint DSkip;
    public nint DeltaBias;
    public nint Z; public long ZBatchStride;
    public nint State; public long StateBatchStride, StateDimStride;
    public nint Out; public long OutBatchStride;

    public static GmStepParams Create() => new() { StructSize = Marshal.SizeOf<GmStepParams>() };
}

/// <summary>
/// Every native import of Genomics.Mamba, mirroring native/include/genomamba.h (plus the one LibTorchSharp export
/// we need for raw tensor pointers). Calls that return a status go through <see cref="Check"/>.
/// </summary>
internal static partial class NativeMethods
{
    const string Lib = "genomamba";
    const string TorchLib = "LibTorchSharp";

    /// <summary>Overrides where libgenomamba is loaded from (a full path), e.g. a CMake build tree.</summary>
    public const string PathVariable = "GENOMAMBA_NATIVE_LIB";

    /// <summary>The ABI this binding was written against (GM_ABI_VERSION).</summary>
    public const int AbiVersion = 3;

    [LibraryImport(Lib)] internal static partial int gm_abi_version();
    [LibraryImport(Lib)] internal static partial nint gm_version_string();
    [LibraryImport(Lib)] internal static partial long gm_scan_params_size();
    [LibraryImport(Lib)] internal static partial long gm_step_params_size();
    [LibraryImport(Lib)] internal static partial int gm_features();
    [LibraryImport(Lib)] internal static partial int gm_cuda_device_count();
    [LibraryImport(Lib)] internal static partial nint gm_last_error();
    [LibraryImport(Lib)] internal static partial long gm_scan_chunk_size(in GmScanParams p);
    [LibraryImport(Lib)] internal static partial long gm_scan_chunk_states(in GmScanParams p);
    [LibraryImport(Lib)] internal static partial GmStatus gm_selective_scan_fwd(in GmScanParams p);
    [LibraryImport(Lib)] internal static partial GmStatus gm_selective_scan_bwd(in GmScanParams p);
    [LibraryImport(Lib)] internal static partial GmStatus gm_selective_scan_step(in GmStepParams p);

    // Collectives across processes (ABI 3): MPI is opened by the library on the first gm_dist_init (see Distributed/).
    [LibraryImport(Lib)] internal static partial GmStatus gm_dist_init(out int rank, out int worldSize);
    [LibraryImport(Lib)] internal static unsafe partial GmStatus gm_dist_allreduce_sum_f32(float* data, long count, int deterministic);
    [LibraryImport(Lib)] internal static unsafe partial GmStatus gm_dist_allreduce_sum_f64(double* data, long count, int deterministic);
    [LibraryImport(Lib)] internal static unsafe partial GmStatus gm_dist_broadcast(void* data, long bytes, int root);
    [LibraryImport(Lib)] internal static partial GmStatus gm_dist_barrier();
    [LibraryImport(Lib)] internal static partial GmStatus gm_dist_finalize();
    [LibraryImport(Lib)] internal static partial void gm_dist_abort(int code);

    /// <summary>Raw data pointer of a tensor (storage offset included, any device). TorchSharp has no data_ptr().</summary>
    [LibraryImport(TorchLib)] internal static partial nint THSTensor_data(nint tensorHandle);

    static NativeMethods() => NativeLibrary.SetDllImportResolver(typeof(NativeMethods).Assembly, Resolve);

    /// <summary>
    /// "genomamba" means $GENOMAMBA_NATIVE_LIB, else libgenomamba next to the assemblies, else the loader's search
    /// path. Spelled out because the CLI's own executable is also called genomamba, and default probing tries
    /// bare names too.
    /// </summary>
    static nint Resolve(string name, System.Reflection.Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Lib)
        {
            return 0;
        }
        if (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } path)
        {
            return NativeLibrary.Load(path);
        }
        string file = OperatingSystem.IsWindows() ? "genomamba.dll" : OperatingSystem.IsMacOS() ? "libgenomamba.dylib" : "libgenomamba.so";
        return NativeLibrary.TryLoad(Path.Combine(AppContext.BaseDirectory, file), out var handle) ? handle
            : NativeLibrary.TryLoad(file, out handle) ? handle
            : 0;
    }

    /// <summary>The thread-local message of the last failed call on this thread.</summary>
    internal static string LastError() => Marshal.PtrToStringUTF8(gm_last_error()) ?? "";

    internal static string VersionString() => Marshal.PtrToStringUTF8(gm_version_string()) ?? "";

    /// <summary>Throws a <see cref="NativeScanException"/> carrying gm_last_error() when <paramref name="status"/> is not OK.</summary>
    internal static void Check(GmStatus status, string call)
    {
        if (status != GmStatus.Ok)
        {
            throw new NativeScanException(status, call, LastError());
        }
    }
}
