using System.Reflection;
using Genomics.Data.Tests.Notebooks;

namespace Genomics.Cli.Tests;

/// <summary>
/// Runs the model notebooks headless (see <see cref="NotebookRunner"/>). They #r the chart library's build output
/// (Genomics.Charts), which holds Genomics.Mamba, TorchSharp, ScottPlot and the GLIBCXX-patched libLibTorchSharp.so;
/// here that is the Genomics.Charts.dll these tests were built against (Debug or Release), and data/ and
/// notebooks/results/ are the checkout's.
/// </summary>
public class NotebookTests
{
    /// <summary>The chart library's own build output, recorded in this assembly at build time (see the .csproj).</summary>
    static string ChartsDll { get; } =
        typeof(NotebookTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "GenomicsChartsDll").Value
        ?? throw new InvalidOperationException("GenomicsChartsDll is not recorded in the test assembly");

    [Theory]
    [InlineData("perplexity-vs-context.ipynb")]
    [InlineData("species-vs-context.ipynb")]
    public Task Model_notebook_runs_headless_without_errors(string name) =>
        NotebookRunner.RunAsync(name,
            ("../Genomics.Charts/bin/Debug/net10.0/linux-x64/", Path.GetDirectoryName(ChartsDll)! + "/"),
            ("../data/", Path.Combine(TestData.RepoRoot, "data") + "/"),
            ("../notebooks/results", Path.Combine(TestData.RepoRoot, "notebooks", "results")));
}
