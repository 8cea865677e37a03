using System.Runtime.InteropServices;

namespace Genomics.Mamba.Tests.Modules;

/// <summary>
/// Peak resident memory of this process around one action: the kernel's high-water mark (VmHWM in
/// /proc/self/status), reset to the current RSS by writing 5 to /proc/self/clear_refs just before.
/// </summary>
public static class ProcessMemory
{
    const int MmapThreshold = -3;   // glibc's M_MMAP_THRESHOLD

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int MallOpt(int parameter, int value);

    /// <summary>
    /// Makes glibc serve every block of 256 KiB or more with its own mmap and unmap it on free. By default the
    /// threshold climbs after the first large free, big tensors then come from the heap and their pages stay resident
    /// after free, so the high-water mark of a later phase would hide behind an earlier one. Process-wide and only a
    /// speed trade-off: call it from tests that measure.
    /// </summary>
    public static void ServeLargeBlocksByMmap() => Assert.Equal(1, MallOpt(MmapThreshold, 256 << 10));

    /// <summary>MB by which the resident set peaked above its level at the start of <paramref name="action"/>.</summary>
    public static double PeakDuring(Action action)
    {
        File.WriteAllText("/proc/self/clear_refs", "5");
        double before = StatusMegabytes("VmRSS");
        action();
        return StatusMegabytes("VmHWM") - before;
    }

    /// <summary>A "Vm…: n kB" line of /proc/self/status, in MB.</summary>
    public static double StatusMegabytes(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0]) / 1024.0;
            }
        }
        throw new InvalidOperationException($"/proc/self/status has no {field}");
    }
}
