using System.Diagnostics;

namespace Genomics.Mamba.Memory;

/// <summary>
/// The process's resident memory as Linux reports it in /proc/self/status: VmRSS now and VmHWM, the high-water mark
/// since start or since the last <see cref="ResetPeak"/>. This is what the <see cref="MemoryPlanner"/> predicts and
/// what the benchmarks measure; libtorch's CPU allocator keeps no cache, so the peak RSS is the peak of live tensors
/// plus what glibc malloc holds. Elsewhere (no /proc) it falls back to <see cref="Process"/>'s working-set figures,
/// whose peak cannot be reset.
/// </summary>
public static class ProcessMemory
{
    /// <summary>Resident bytes now.</summary>
    public static long CurrentBytes => Status("VmRSS:") ?? Process.GetCurrentProcess().WorkingSet64;

    /// <summary>Highest resident bytes since start or the last <see cref="ResetPeak"/>.</summary>
    public static long PeakBytes => Status("VmHWM:") ?? Process.GetCurrentProcess().PeakWorkingSet64;

    /// <summary>
    /// Sets the high-water mark to the current RSS (writing "5" to /proc/self/clear_refs, Linux ≥ 4.0). Returns false
    /// where that is not possible; the peak then only grows.
    /// </summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            return false;
        }
    }

    static long? Status(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(key.Length).Trim().TrimEnd("kB").Trim()) * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }
}
