using System.Globalization;

namespace Genomics.Mamba.Memory;

/// <summary>How much memory a run may plan for: what the user gave, else 90% of what the machine has available now.</summary>
public static class MemoryBudget
{
    /// <summary>The share of the available memory a run plans for when not told: the rest is for the OS and page cache.</summary>
    public const double DefaultShare = 0.9;

    /// <summary>Assumed available memory where /proc/meminfo cannot be read.</summary>
    public const long FallbackAvailableBytes = 8L << 30;

    /// <summary>The budget in bytes: <paramref name="gibibytes"/> when given (must be positive), else <see cref="DefaultShare"/> of <see cref="AvailableBytes"/>.</summary>
    public static long Bytes(double? gibibytes)
    {
        if (gibibytes is { } g)
        {
            return g > 0 ? (long)(g * (1L << 30)) : throw new ArgumentException($"--memory-gib {g}: must be positive");
        }
        return (long)(DefaultShare * (AvailableBytes() ?? FallbackAvailableBytes));
    }

    /// <summary>MemAvailable from /proc/meminfo, or null where there is none.</summary>
    public static long? AvailableBytes()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.AsSpan("MemAvailable:".Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
