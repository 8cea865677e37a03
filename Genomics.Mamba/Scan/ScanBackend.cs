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

/// <summary>
/// The one place that picks the scan implementation. libgenomamba is used when it loads, speaks ABI
/// <see cref="NativeMethods.AbiVersion"/> and agrees with this binding on both struct sizes; otherwise the reference
/// runs, and <see cref="Notice"/> is raised once with the reason and the fix (libraries never print).
/// Calls whose tensors the native kernel does not take (not CPU float32) go to the reference whatever the backend.
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

    /// <summary>The selective scan on the chosen backend; same signature and math as <see cref="SelectiveScan.Reference"/>.</summary>
    public static (Tensor Out, Tensor FinalState) Scan(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C,
        Tensor? D = null, Tensor? z = null, Tensor? deltaBias = null, bool deltaSoftplus = false, Tensor? h0 = null)
        => UseNative(u)
            ? SelectiveScan.Apply(u, delta, A, B, C, D, z, deltaBias, deltaSoftplus, h0)
            : SelectiveScan.Reference(u, delta, A, B, C, D, z, deltaBias, deltaSoftplus, h0);

    /// <summary>One recurrent step on the chosen backend; same signature as <see cref="SelectiveScan.StepReference"/>.</summary>
    public static Tensor Step(Tensor state, Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C,
        Tensor? D = null, Tensor? z = null, Tensor? deltaBias = null, bool deltaSoftplus = false)
        => UseNative(u)
            ? SelectiveScan.Step(state, u, delta, A, B, C, D, z, deltaBias, deltaSoftplus)
            : SelectiveScan.StepReference(state, u, delta, A, B, C, D, z, deltaBias, deltaSoftplus);

    static bool UseNative(Tensor u) =>
        u.device_type == TorchSharp.DeviceType.CPU && u.dtype == ScalarType.Float32 && Kind == ScanBackendKind.Native;

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
