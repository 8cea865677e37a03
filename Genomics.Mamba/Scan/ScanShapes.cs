using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Scan;

/// <summary>
/// The sizes of one selective-scan call, read from and checked against every tensor. Both backends go through
/// here, so a shape mistake reads the same whichever runs; the native one also relies on it: the C side trusts
/// sizes and strides, so nothing reaches it unchecked.
/// </summary>
internal readonly record struct ScanShapes(long Batch, long Dim, long Length, long DState, long Groups)
{
    /// <summary>Channels per group: channel d reads group d / ChannelsPerGroup.</summary>
    public long ChannelsPerGroup => Dim / Groups;

    /// <summary>Checks a full-sequence call: u, delta, z (B, D, L); A (D, N); B, C (B, N, L) or (B, G, N, L); D, deltaBias (D); h0 (B, D, N).</summary>
    public static ScanShapes Of(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C, Tensor? D, Tensor? z, Tensor? deltaBias, Tensor? h0)
    {
        ArgumentNullException.ThrowIfNull(u);
        ArgumentNullException.ThrowIfNull(delta);
        ArgumentNullException.ThrowIfNull(A);
        ArgumentNullException.ThrowIfNull(B);
        ArgumentNullException.ThrowIfNull(C);
        if (u.dim() != 3)
        {
            throw new ArgumentException($"u must be (batch, dim, len); got {Show(u)}", nameof(u));
        }
        long batch = u.shape[0], dim = u.shape[1], len = u.shape[2];
        if (len < 1)
        {
            throw new ArgumentException($"u has length {len}; the scan needs at least 1 position", nameof(u));
        }
        if (A.dim() != 2 || A.shape[0] != dim)
        {
            throw new ArgumentException($"A must be (dim {dim}, dstate); got {Show(A)}", nameof(A));
        }
        long n = A.shape[1];
        long groups = GroupsOf(B, nameof(B), batch, n, len);
        long cGroups = GroupsOf(C, nameof(C), batch, n, len);
        if (cGroups != groups)
        {
            throw new ArgumentException($"B has {groups} group(s) but C has {cGroups}; they must agree", nameof(C));
        }
        if (dim % groups != 0)
        {
            throw new ArgumentException($"{groups} groups do not divide dim {dim}", nameof(B));
        }
        Expect(delta, nameof(delta), batch, dim, len);
        if (z is not null)
        {
            Expect(z, nameof(z), batch, dim, len);
        }
        if (D is not null)
        {
            Expect(D, nameof(D), dim);
        }
        if (deltaBias is not null)
        {
            Expect(deltaBias, nameof(deltaBias), dim);
        }
        if (h0 is not null)
        {
            Expect(h0, nameof(h0), batch, dim, n);
        }
        SameKind(u, [(delta, nameof(delta)), (A, nameof(A)), (B, nameof(B)), (C, nameof(C)), (D, nameof(D)), (z, nameof(z)),
            (deltaBias, nameof(deltaBias)), (h0, nameof(h0))]);
        return new ScanShapes(batch, dim, len, n, groups);
    }

    /// <summary>Checks one recurrent step: state (B, D, N); u, delta, z (B, D); A (D, N); B, C (B, N) or (B, G, N); D, deltaBias (D).</summary>
    public static ScanShapes OfStep(Tensor state, Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C, Tensor? D, Tensor? z, Tensor? deltaBias)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(u);
        ArgumentNullException.ThrowIfNull(delta);
        ArgumentNullException.ThrowIfNull(A);
        ArgumentNullException.ThrowIfNull(B);
        ArgumentNullException.ThrowIfNull(C);
        if (u.dim() != 2)
        {
            throw new ArgumentException($"u must be (batch, dim) for one step; got {Show(u)}", nameof(u));
        }
        long batch = u.shape[0], dim = u.shape[1];
        if (A.dim() != 2 || A.shape[0] != dim)
        {
            throw new ArgumentException($"A must be (dim {dim}, dstate); got {Show(A)}", nameof(A));
        }
        long n = A.shape[1];
        long groups = StepGroupsOf(B, nameof(B), batch, n);
        long cGroups = StepGroupsOf(C, nameof(C), batch, n);
        if (cGroups != groups)
        {
            throw new ArgumentException($"B has {groups} group(s) but C has {cGroups}; they must agree", nameof(C));
        }
        if (dim % groups != 0)
        {
            throw new ArgumentException($"{groups} groups do not divide dim {dim}", nameof(B));
        }
        Expect(state, nameof(state), batch, dim, n);
        Expect(delta, nameof(delta), batch, dim);
        if (z is not null)
        {
            Expect(z, nameof(z), batch, dim);
        }
        if (D is not null)
        {
            Expect(D, nameof(D), dim);
        }
        if (deltaBias is not null)
        {
            Expect(deltaBias, nameof(deltaBias), dim);
        }
        SameKind(u, [(state, nameof(state)), (delta, nameof(delta)), (A, nameof(A)), (B, nameof(B)), (C, nameof(C)), (D, nameof(D)),
            (z, nameof(z)), (deltaBias, nameof(deltaBias))]);
        return new ScanShapes(batch, dim, 1, n, groups);
    }

    /// <summary>
    /// The native library's limits: CPU float32, or CUDA float32/bfloat16 with the CUDA scan compiled in
    /// (<paramref name="features"/> = gm_features()). Anything else gets a message saying what to do.
    /// </summary>
    public static void RequireNativeSupported(Tensor u, int features)
    {
        bool cuda = u.device_type == DeviceType.CUDA;
        if (!cuda && u.device_type != DeviceType.CPU)
        {
            throw new NotSupportedException(
                $"the native selective scan runs on CPU and CUDA; got tensors on {u.device}. Use SelectiveScan.Reference " +
                "(or ScanBackend.Scan, which falls back to it) for other devices.");
        }
        if (cuda && (features & Gm.FeatureCuda) == 0)
        {
            throw new NotSupportedException(ScanBackend.CudaMissing);
        }
        if (u.dtype != ScalarType.Float32 && !(cuda && u.dtype == ScalarType.BFloat16))
        {
            throw new NotSupportedException(
                $"the native selective scan takes float32{(cuda ? " or bfloat16" : "")} on {(cuda ? "CUDA" : "CPU")}; got {u.dtype}. " +
                "Convert with .to(float32) or use SelectiveScan.Reference for other dtypes.");
        }
    }

    static long GroupsOf(Tensor t, string name, long batch, long n, long len)
    {
        bool ok = t.dim() switch
        {
            3 => t.shape[0] == batch && t.shape[1] == n && t.shape[2] == len,
            4 => t.shape[0] == batch && t.shape[1] >= 1 && t.shape[2] == n && t.shape[3] == len,
            _ => false,
        };
        if (!ok)
        {
            throw new ArgumentException(
                $"{name} must be (batch {batch}, dstate {n}, len {len}) or (batch {batch}, groups, dstate {n}, len {len}); got {Show(t)}", name);
        }
        return t.dim() == 3 ? 1 : t.shape[1];
    }

    static long StepGroupsOf(Tensor t, string name, long batch, long n)
    {
        bool ok = t.dim() switch
        {
            2 => t.shape[0] == batch && t.shape[1] == n,
            3 => t.shape[0] == batch && t.shape[1] >= 1 && t.shape[2] == n,
            _ => false,
        };
        if (!ok)
        {
            throw new ArgumentException($"{name} must be (batch {batch}, dstate {n}) or (batch {batch}, groups, dstate {n}); got {Show(t)}", name);
        }
        return t.dim() == 2 ? 1 : t.shape[1];
    }

    static void Expect(Tensor t, string name, params long[] shape)
    {
        if (!t.shape.SequenceEqual(shape))
        {
            throw new ArgumentException($"{name} must be [{string.Join(", ", shape)}]; got {Show(t)}", name);
        }
    }

    static void SameKind(Tensor first, (Tensor? Tensor, string Name)[] others)
    {
        foreach (var (t, name) in others)
        {
            if (t is null)
            {
                continue;
            }
            if (t.dtype != first.dtype)
            {
                throw new ArgumentException($"{name} is {t.dtype} but u is {first.dtype}; all scan inputs share one dtype", name);
            }
            if (t.device_type != first.device_type || t.device_index != first.device_index)
            {
                throw new ArgumentException($"{name} is on {t.device} but u is on {first.device}", name);
            }
        }
    }

    static string Show(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
}
