using System.Runtime.InteropServices;

namespace Genomics.Mamba.Tests.Modules;

/// <summary>
/// Native heap in use by this process — glibc's mallinfo2, bytes handed out by malloc and not yet freed (all arenas plus
/// mmapped blocks): what libtorch's CPU allocator holds. Unlike the resident set it does not keep freed pages, so it
/// measures what is alive, and a background sampler gives its peak over an action.
/// </summary>
public static class ProcessMemory
{
    [StructLayout(LayoutKind.Sequential)]
    struct MallInfo2
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    static extern MallInfo2 MallInfo();

    /// <summary>MB handed out by malloc and not yet freed.</summary>
    public static double HeapInUseMegabytes()
    {
        var m = MallInfo();
        return (m.Uordblks + m.Hblkhd) / 1048576.0;
    }

    /// <summary>
    /// Runs the finalizers of tensors earlier code left to the garbage collector: they free native memory on the
    /// finalizer thread at random moments, which would otherwise land in the middle of a measurement.
    /// </summary>
    public static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>
    /// MB by which the heap in use peaked above its level at the start of <paramref name="action"/>, sampled by a
    /// thread polling mallinfo2 as fast as it can. It misses spikes shorter than a poll (tens of µs), not the working
    /// sets of whole kernels or graphs, which live for milliseconds.
    /// </summary>
    public static double PeakDuring(Action action)
    {
        Settle();
        double before = HeapInUseMegabytes();
        double peak = before;
        bool done = false;
        var sampler = new Thread(() =>
        {
            while (!Volatile.Read(ref done))
            {
                peak = Math.Max(peak, HeapInUseMegabytes());
                Thread.Yield();
            }
        }) { IsBackground = true };
        sampler.Start();
        try
        {
            action();
        }
        finally
        {
            Volatile.Write(ref done, true);
            sampler.Join();
        }
        return Math.Max(peak, HeapInUseMegabytes()) - before;
    }

    /// <summary>A "Vm…: n kB" line of /proc/self/status (VmRSS, VmHWM), in MB.</summary>
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
