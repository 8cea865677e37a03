using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Genomics.Data.Tests.Notebooks;

/// <summary>
/// Runs a notebook from notebooks/ headless with dotnet-repl (a local tool: `dotnet tool restore`) after rewriting its
/// relative paths to absolute ones. A failing cell makes dotnet-repl exit with 2; error outputs are checked as well,
/// so a notebook that stops working fails the test that runs it. Shared by the Data and CLI test projects.
/// </summary>
public static class NotebookRunner
{
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

        var psi = new ProcessStartInfo("dotnet", ["tool", "run", "dotnet-repl", "--", "--run", input, "--exit-after-run", "--output-path", output])
        {
            WorkingDirectory = TestData.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        string log = await stdout + await stderr;
        // dotnet-repl prints little on a failing cell; the cell's error is in the notebook it wrote.
        var outputs = File.Exists(output)
            ? JsonNode.Parse(File.ReadAllText(output))!["cells"]!.AsArray().SelectMany(c => c!["outputs"]?.AsArray() ?? []).ToList()
            : [];
        var errors = outputs.Where(o => o!["output_type"]?.GetValue<string>() == "error")
            .Select(o => $"{o!["ename"]}: {o["evalue"]}").ToList();
        Assert.True(process.ExitCode == 0 && errors.Count == 0,
            $"dotnet-repl exited {process.ExitCode} (run `dotnet tool restore` if it is missing):\n{string.Join("\n", errors)}\n{log}");
        Assert.NotEmpty(outputs);
    }
}
