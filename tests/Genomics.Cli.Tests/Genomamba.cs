using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Genomics.Cli.Tests;

/// <summary>What one run of the CLI left behind.</summary>
public sealed record CliResult(int ExitCode, byte[] Stdout, string Stderr)
{
    public string StdoutText => Encoding.UTF8.GetString(Stdout);

    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Runs the built genomamba.dll in a child process, the way a user does.</summary>
public static class Genomamba
{
    /// <summary>The CLI's own build output, recorded in this assembly at build time (see the .csproj).</summary>
    public static string Dll { get; } =
        typeof(Genomamba).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "GenomambaDll").Value
        ?? throw new InvalidOperationException("GenomambaDll is not recorded in the test assembly");

    /// <summary>Runs <c>dotnet genomamba.dll args…</c> in <paramref name="workingDirectory"/> (default: a fresh temp dir is not made; the current one is used).</summary>
    public static CliResult Run(string? workingDirectory, params string[] args) => Start("dotnet", [], workingDirectory, args);

    /// <summary>OpenMPI's mpirun on the PATH, or null.</summary>
    public static string? MpiRun { get; } =
        Environment.GetEnvironmentVariable("PATH")?.Split(':').Select(d => Path.Combine(d, "mpirun")).FirstOrDefault(File.Exists);

    /// <summary>
    /// <c>mpirun -np <paramref name="ranks"/> dotnet genomamba.dll args…</c>: as root mpirun needs --allow-run-as-root,
    /// and more ranks than cores --oversubscribe.
    /// </summary>
    public static CliResult RunRanks(TestData.TempDir dir, int ranks, params string[] args) =>
        Start(MpiRun ?? throw new InvalidOperationException("mpirun is not installed (apt-get install openmpi-bin)"),
            ["--allow-run-as-root", "--oversubscribe", "-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), "dotnet"], dir.Path, args);

    static CliResult Start(string file, string[] launcher, string? workingDirectory, string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (string a in launcher)
        {
            psi.ArgumentList.Add(a);
        }
        psi.ArgumentList.Add(Dll);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        // Plain output whatever the terminal: no colour codes in what the tests compare.
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(psi)!;
        var stdout = new MemoryStream();
        Task copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        // Generous: the machines running the suite are shared, and a loaded one runs a short training command for minutes.
        if (!process.WaitForExit(TimeSpan.FromMinutes(6)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"genomamba {string.Join(' ', args)} ran past 6 minutes");
        }
        copy.Wait();
        return new CliResult(process.ExitCode, stdout.ToArray(), stderr.Result);
    }

    public static CliResult Run(TestData.TempDir dir, params string[] args) => Run(dir.Path, args);
}
