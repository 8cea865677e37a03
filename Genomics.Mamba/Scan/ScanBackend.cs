using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Genomics.Mamba.Scan;

/// <summary>Which implementation runs a selective scan.</summary>
public enum ScanBackendKind
{
    /// <summary>libgenomamba's fused kernel (<see cref="SelectiveScan.Apply"/>).</summary>
    Native,
    /// <summary>The plain TorchSharp loop (<see cref="SelectiveScan.Reference"/>): correct everywhere, slow, memory-hungry.</summary>
    Reference,
}

/// <summary>Where one scan call runs (<see cref="ScanBackend.Route"/>).</summary>
public enum ScanRoute
{
    /// <summary>libgenomamba's CPU kernels: CPU float32 tensors.</summary>
    NativeCpu,
    /// <summary>libgenomamba's CUDA scan: CUDA float32 or bfloat16 tensors, library built with CUDA.</summary>
    NativeCuda,
    /// <summary>The TorchSharp reference: everything else, or no usable library.</summary>
    Reference,
}

/// <summary>
/// The one place that picks the scan implementation. libgenomamba is used when it loads, speaks ABI
/// <see cref="NativeMethods.AbiVersion"/> and agrees with this binding on both struct sizes; otherwise the reference
/// runs, and <see cref="Notice"/> is raised once with the reason and the fix (libraries never print).
/// Per call, <see cref="Route"/> decides by the tensors' device: CPU float32 goes to the CPU kernels, CUDA float32 or
/// bfloat16 to the CUDA scan, other dtypes to the reference; a CUDA tensor meeting a library built without CUDA is
/// an error that says how to get one (falling back silently would hide a 100x slowdown).
/// </summary>
public static class ScanBackend
{
    static readonly Lazy<(ScanBackendKind Kind, string? Reason, string? Version, int Features)> Probe = new(ProbeNative);
    static int _noticeSent;
    static Action<string>? _notice;

    /// <summary>
    /// One line, raised at most once per process, when the native library is unusable and the reference takes over.
    /// A handler added after that moment is called at once with the same line, so it is never missed.
    /// </summary>
    public static event Action<string>? Notice
    {
        add
        {
            _notice += value;
            if (Volatile.Read(ref _noticeSent) == 1 && FallbackReason is { } reason)
            {
                value?.Invoke(reason);
            }
        }
        remove => _notice -= value;
    }

    /// <summary>The backend <see cref="Scan"/> and <see cref="Step"/> use for CPU float32 tensors.</summary>
    public static ScanBackendKind Kind
    {
        get
        {
            var probe = Probe.Value;
            if (probe.Reason is { } reason && Interlocked.Exchange(ref _noticeSent, 1) == 0)
            {
                _notice?.Invoke(reason);
            }
            return probe.Kind;
        }
    }

    /// <summary>True when libgenomamba is loaded and compatible.</summary>
    public static bool NativeAvailable => Kind == ScanBackendKind.Native;

    /// <summary>Why the native library is not used (the line <see cref="Notice"/> carries), or null when it is.</summary>
    public static string? FallbackReason => Probe.Value.Reason;

    /// <summary>gm_version_string() of the loaded library, or null.</summary>
    public static string? NativeVersion => Probe.Value.Version;

    /// <summary>gm_features(): bit 0 AVX2+FMA, bit 1 AVX-512F, bit 8 CUDA scan compiled in; 0 without the library.</summary>
    public static int NativeFeatures => Probe.Value.Features;

    /// <summary>True when the loaded libgenomamba has the CUDA scan compiled in (gm_features() bit 8).</summary>
    public static bool CudaCompiledIn => (NativeFeatures & Gm.FeatureCuda) != 0;

    /// <summary>
    /// CUDA scans sum dB/dC over channels in a fixed order (bit-identical run to run, slower) instead of with float
    /// atomics. Every other gradient is deterministic either way. Off by default.
    /// </summary>
    public static bool DeterministicCuda { get; set; }

    /// <summary>The selective scan on the chosen backend; same signature and math as <see cref="SelectiveScan.Reference"/>.</summary>
    public static (Tensor Out, Tensor FinalState) Scan(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C,
        Tensor? D = null, Tensor? z = null, Tensor? deltaBias = null, bool deltaSoftplus = false, Tensor? h0 = null)
        => Route(u.device_type, u.dtype, Kind, NativeFeatures) == ScanRoute.Reference
            ? SelectiveScan.Reference(u, delta, A, B, C, D, z, deltaBias, deltaSoftplus, h0)
            : SelectiveScan.Apply(u, delta, A, B, C, D, z, deltaBias, deltaSoftplus, h0);

    /// <summary>
    /// One recurrent step on the chosen backend; same signature as <see cref="SelectiveScan.StepReference"/>. The native
    /// step is CPU only: one token is a handful of small tensor ops, so CUDA steps run the reference on the GPU.
    /// </summary>
    public static Tensor Step(Tensor state, Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C,
        Tensor? D = null, Tensor? z = null, Tensor? deltaBias = null, bool deltaSoftplus = false)
        => u.device_type == TorchSharp.DeviceType.CPU && Route(u.device_type, u.dtype, Kind, NativeFeatures) == ScanRoute.NativeCpu
            ? SelectiveScan.Step(state, u, delta, A, B, C, D, z, deltaBias, deltaSoftplus)
            : SelectiveScan.StepReference(state, u, delta, A, B, C, D, z, deltaBias, deltaSoftplus);

    /// <summary>
    /// The dispatch rule, as a pure function so it can be tested for devices this machine lacks. No usable library:
    /// the reference (with the one-time <see cref="Notice"/>). CPU: float32 native, other dtypes the reference. CUDA:
    /// float32/bfloat16 to the CUDA scan when compiled in, else <see cref="NotSupportedException"/> with the fix; other
    /// dtypes the reference. Other devices: the reference.
    /// </summary>
    internal static ScanRoute Route(TorchSharp.DeviceType device, ScalarType dtype, ScanBackendKind kind, int features)
    {
        if (kind != ScanBackendKind.Native)
        {
            return ScanRoute.Reference;
        }
        switch (device)
        {
            case TorchSharp.DeviceType.CPU:
                return dtype == ScalarType.Float32 ? ScanRoute.NativeCpu : ScanRoute.Reference;
            case TorchSharp.DeviceType.CUDA:
                if (dtype is not (ScalarType.Float32 or ScalarType.BFloat16))
                {
                    return ScanRoute.Reference;
                }
                if ((features & Gm.FeatureCuda) == 0)
                {
                    throw new NotSupportedException(CudaMissing);
                }
                return ScanRoute.NativeCuda;
            default:
                return ScanRoute.Reference;
        }
    }

    /// <summary>The error for CUDA tensors and a CPU-only libgenomamba: what happened and the two ways out.</summary>
    internal const string CudaMissing =
        "selective scan: the tensors are on CUDA but libgenomamba was built without the CUDA scan (gm_features() bit 8 is clear). " +
        "Fix: install the CUDA toolkit (nvcc) and build with `dotnet build -p:GenomambaCuda=true` (README, section GPU (CUDA)), " +
        "or call SelectiveScan.Reference, which runs on any device.";

    /// <summary>Throws with the fallback reason when the native library cannot be used.</summary>
    internal static void RequireNative()
    {
        if (Probe.Value.Reason is { } reason)
        {
            throw new InvalidOperationException(reason);
        }
    }

    static (ScanBackendKind, string?, string?, int) ProbeNative()
    {
        string? problem;
        try
        {
            int abi = NativeMethods.gm_abi_version();
            long scanSize = NativeMethods.gm_scan_params_size(), stepSize = NativeMethods.gm_step_params_size();
            int scanOurs = Marshal.SizeOf<GmScanParams>(), stepOurs = Marshal.SizeOf<GmStepParams>();
            problem = abi != NativeMethods.AbiVersion
                ? $"libgenomamba speaks ABI {abi}, this binding ABI {NativeMethods.AbiVersion}"
                : scanSize != scanOurs || stepSize != stepOurs
                    ? $"libgenomamba's structs are {scanSize}/{stepSize} bytes, this binding's {scanOurs}/{stepOurs} (gm_scan_params/gm_step_params)"
                    : null;
            if (problem is null)
            {
                return (ScanBackendKind.Native, null, NativeMethods.VersionString(), NativeMethods.gm_features());
            }
        }
        catch (DllNotFoundException e)
        {
            problem = Environment.GetEnvironmentVariable(NativeMethods.PathVariable) is { Length: > 0 } path
                ? $"{NativeMethods.PathVariable}={path} did not load ({FirstSentence(e.Message)})"
                : "libgenomamba is neither next to the assemblies nor on the library search path";
        }
        catch (Exception e) when (e is EntryPointNotFoundException or BadImageFormatException)
        {
            problem = "libgenomamba is not a usable build (" + FirstSentence(e.Message) + ")";
        }
        string reason = $"selective scan: using the slow TorchSharp reference: {problem}. " +
                        "Fix: `dotnet build` builds native/ with CMake (needs cmake and g++) and copies libgenomamba next to the assemblies.";
        return (ScanBackendKind.Reference, reason, null, 0);
    }

    /// <summary>.NET's load errors run on with advice about strace and LD_DEBUG; the first sentence is the news.</summary>
    static string FirstSentence(string s)
    {
        int end = s.IndexOfAny(['\r', '\n']);
        s = end < 0 ? s : s[..end];
        end = s.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? s.TrimEnd('.') : s[..end];
    }
}
