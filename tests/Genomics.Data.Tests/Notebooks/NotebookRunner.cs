using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Genomics.Data.Tests.Notebooks;

/// <summary>
/// Runs a notebook from notebooks/ headless with dotnet-repl (a local tool of dotnet-tools.json) after rewriting its
/// relative paths to absolute ones. A failing cell makes dotnet-repl exit with 2; error outputs are checked as well,
/// so a notebook that stops working fails the test that runs it. Shared by the Data and CLI test projects.
/// </summary>
public static class NotebookRunner
{
    /// <summary>
    /// `dotnet tool restore`, once per test process: `dotnet test` on a fresh clone must find dotnet-repl without a step
    /// that only CI knows. Quick when the tools are already in the NuGet cache; two test processes restoring at once
    /// is safe (NuGet locks each package while it extracts it).
    /// </summary>
    static readonly Lazy<Task<(int ExitCode, string Log)>> ToolRestore = new(() => RunDotnetAsync(["tool", "restore"], TimeSpan.FromMinutes(5)));

    static async Task<(int ExitCode, string Log)> RunDotnetAsync(string[] arguments, TimeSpan limit)
    {
        var psi = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = TestData.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`dotnet {string.Join(' ', arguments)}` ran longer than {limit.TotalMinutes} min");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Runs notebooks/<paramref name="name"/> with each (relative, absolute) pair of <paramref name="rewrites"/> applied; asserts a clean run.</summary>
    public static async Task RunAsync(string name, params (string Relative, string Absolute)[] rewrites)
    {
        using var temp = TestData.NewTempDir();
        string text = File.ReadAllText(Path.Combine(TestData.RepoRoot, "notebooks", name));
        foreach (var (relative, absolute) in rewrites)
        {
            Assert.Contains(relative, text, StringComparison.Ordinal);
            text = text.Replace(relative, absolute, StringComparison.Ordinal);
        }
        string input = temp.File(name);
        string output = temp.File("out-" + name);
        File.WriteAllText(input, text);

        var (restoreExit, restoreLog) = await ToolRestore.Value;
        Assert.True(restoreExit == 0, $"`dotnet tool restore` (dotnet-repl, from dotnet-tools.json) exited {restoreExit}:\n{restoreLog}");
        var (exitCode, log) = await RunDotnetAsync(["tool", "run", "dotnet-repl", "--", "--run", input, "--exit-after-run", "--output-path", output],
            TimeSpan.FromMinutes(5));
        // dotnet-repl prints little on a failing cell; the cell's error is in the notebook it wrote.
        var outputs = File.Exists(output)
            ? JsonNode.Parse(File.ReadAllText(output))!["cells"]!.AsArray().SelectMany(c => c!["outputs"]?.AsArray() ?? []).ToList()
            : [];
        var errors = outputs.Where(o => o!["output_type"]?.GetValue<string>() == "error")
            .Select(o => $"{o!["ename"]}: {o["evalue"]}").ToList();
        Assert.True(exitCode == 0 && errors.Count == 0,
            $"dotnet-repl exited {exitCode}:\n{string.Join("\n", errors)}\n{log}");
        Assert.NotEmpty(outputs);
    }
}
