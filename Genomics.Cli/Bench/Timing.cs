using System.Diagnostics;

namespace Genomics.Cli.Bench;

/// <summary>Repeats a measurement and reports the median: these machines are shared and noisy.</summary>
public static class Timing
{
    /// <summary>Runs <paramref name="body"/> once to warm up, then <paramref name="repeats"/> times; returns seconds per run.</summary>
    public static double[] Repeat(int repeats, Action body)
    {
        body();
        var seconds = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            body();
            seconds[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        return seconds;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n == 0 ? double.NaN : n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
}
