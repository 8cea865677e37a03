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

    /// <summary>
    /// Minor page faults of the process so far (/proc/self/stat field 10; 0 where unavailable). Each is a first touch of
    /// a fresh page — memory the allocator took from the kernel rather than reused — so their count per step shows
    /// what the allocator's give-back policy costs, independently of how busy the CPUs are.
    /// </summary>
    public static long MinorFaults
    {
        get
        {
            try
            {
                string stat = File.ReadAllText("/proc/self/stat");
                // The command name (field 2) is parenthesised and may hold spaces: count fields after its ')'.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return long.Parse(fields[10 - 3], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                return 0;
            }
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
