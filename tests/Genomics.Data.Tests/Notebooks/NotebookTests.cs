using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Genomics.Data.Tests.Notebooks;

/// <summary>
/// Runs the data notebooks headless with dotnet-repl (a local tool: `dotnet tool restore`). A failing cell
/// makes dotnet-repl exit with 2; we also look for error outputs, so a notebook that stops working fails here.
/// </summary>
public class NotebookTests
{
    [Theory]
    [InlineData("tokenizer-and-data.ipynb")]
    public async Task Notebook_runs_headless_without_errors(string name)
    {
        using var temp = TestData.NewTempDir();
        string source = Path.Combine(TestData.RepoRoot, "notebooks", name);
        // Point #r at the assembly these tests were built against (Debug or Release) and data/ at the checkout.
        string dataDll = typeof(Genomics.Data.Genome.IGenome).Assembly.Location;
        string text = File.ReadAllText(source)
            .Replace("../Genomics.Data/bin/Debug/net10.0/linux-x64/Genomics.Data.dll", dataDll, StringComparison.Ordinal)
            .Replace("../data/", Path.Combine(TestData.RepoRoot, "data") + "/", StringComparison.Ordinal);
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
        Assert.True(process.ExitCode == 0, $"dotnet-repl exited {process.ExitCode} (run `dotnet tool restore` if it is missing):\n{log}");

        var notebook = JsonNode.Parse(File.ReadAllText(output))!;
        var outputs = notebook["cells"]!.AsArray().SelectMany(c => c!["outputs"]?.AsArray() ?? []).ToList();
        Assert.DoesNotContain(outputs, o => o!["output_type"]?.GetValue<string>() == "error");
        Assert.NotEmpty(outputs);
    }
}
