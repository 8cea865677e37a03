using System.Runtime.InteropServices;

namespace Genomics.Mamba.Memory;

/// <summary>
/// glibc malloc settings for training loops, applied once at start-up before libtorch allocates anything (a program
/// calls <see cref="Apply"/> first thing; the <see cref="MemoryPlanner"/>'s predictions assume these settings, and a
/// training stage that recomputes in segments switches to <see cref="ForSegmentedRecompute"/> itself).
/// Why: libtorch's CPU allocator has no cache, so every tensor is a malloc/free. By default glibc serves blocks above
/// a dynamic mmap threshold with fresh pages and trims the heap top above 2 × that threshold (≤ 64 MiB), handing
/// memory back to the kernel at every step; the next step faults it in again, and first touch is slow on these VMs
/// (~0.5 GB/s, field notes). Here the mmap threshold is fixed at glibc's ceiling, 32 MiB, and the heap is only trimmed
/// when 2 GiB lie free at its top, so the tensors under 32 MiB are reused from step to step. Measured on Mamba 1.4M,
/// 4 × 4096 tokens: page faults per step 438k → 67k, kernel time 0.76 → 0.15 s, step 3.3 → 2.85 s, peak RSS no
/// higher (`genomamba bench model` reports both columns). Not done: M_MMAP_MAX = 0 (no mmap at all) removes the
/// faults of the ≥ 32 MiB tensors too but fragments the heap: peak RSS 8.4 → 15.6 GB at 64 × 1024 tokens. Setting
/// the trim threshold alone would freeze the mmap threshold at 128 KiB (glibc turns the dynamic one off), which is
/// the slowest setting of all. GENOMAMBA_MALLOC=default skips this, to measure the difference.
/// </summary>
public static partial class MallocTuning
{
    const int M_TRIM_THRESHOLD = -1;
    const int M_MMAP_THRESHOLD = -3;
    const int MmapThresholdCeiling = 32 << 20;   // glibc refuses more: HEAP_MAX_SIZE / 2 on 64-bit
    const int TrimThreshold = int.MaxValue;      // mallopt takes an int: 2 GiB

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int param, int value);

    /// <summary>mmap threshold for runs that recompute long sequences in segments (see <see cref="ForSegmentedRecompute"/>).</summary>
    public const int SegmentedMmapThreshold = 1 << 20;

    /// <summary>Whether the settings were applied (false off glibc or when disabled).</summary>
    public static bool Applied { get; private set; }

    public static void Apply()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("GENOMAMBA_MALLOC") == "default")
        {
            return;
        }
        try
        {
            // mallopt returns 1 on success; musl's is a stub that returns 0.
            Applied = (Mallopt(M_MMAP_THRESHOLD, MmapThresholdCeiling) & Mallopt(M_TRIM_THRESHOLD, TrimThreshold)) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    /// <summary>
    /// For a run whose blocks are recomputed in segments (long sequences): maps every block of 1 MiB or more, so that
    /// peak RSS follows the live tensors. Segments allocate and free the same 8–32 MiB intermediates hundreds of times
    /// between the long-lived whole-sequence tensors, and glibc's heap, which never hands the middle back, grew well
    /// beyond them: Mamba 1.4M, one forward + backward at 2^17 (segments of 2^14, one thread): peak RSS 2.40 GB with the
    /// settings of <see cref="Apply"/> against 1.42 GB with this one, in the same wall time (71 s and 70 s; the page
    /// faults this costs, 18M, take 28 s of kernel time that the heap's growth cost too); at 2^18, 3.80 GB with them.
    /// </summary>
    public static void ForSegmentedRecompute()
    {
        if (!Applied)
        {
            return;
        }
        try
        {
            Mallopt(M_MMAP_THRESHOLD, SegmentedMmapThreshold);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }
}
