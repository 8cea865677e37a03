using System.Diagnostics;

namespace Genomics.Cli.Tests;

/// <summary>Independent reference programs (samtools, bgzip) when they are on PATH; CI installs samtools.</summary>
internal static class Tools
{
    public static string? Samtools { get; } = OnPath("samtools");

    public static string? Bgzip { get; } = OnPath("bgzip");

    /// <summary>Full path of a program on PATH, or null.</summary>
    public static string? OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, program))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs a program and returns its standard output bytes; throws with its stderr when it fails.</summary>
    public static byte[] Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stdout = new MemoryStream();
        Task copy = p.StandardOutput.BaseStream.CopyToAsync(stdout);
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        copy.Wait();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr}");
        }
        return stdout.ToArray();
    }
}
