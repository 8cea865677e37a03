using Genomics.Data.Tests.Notebooks;

namespace Genomics.Cli.Tests;

/// <summary>
/// Runs the model notebooks headless (see <see cref="NotebookRunner"/>). They #r the CLI's build output, which holds
/// Genomics.Mamba, TorchSharp, ScottPlot and the GLIBCXX-patched libLibTorchSharp.so; here that is the genomamba.dll
/// these tests were built against (Debug or Release), and data/ and notebooks/results/ are the checkout's.
/// </summary>
public class NotebookTests
{
    [Theory]
    [InlineData("perplexity-vs-context.ipynb")]
    [InlineData("species-vs-context.ipynb")]
    public Task Model_notebook_runs_headless_without_errors(string name) =>
        NotebookRunner.RunAsync(name,
            ("../Genomics.Cli/bin/Debug/net10.0/linux-x64/", Path.GetDirectoryName(Genomamba.Dll)! + "/"),
            ("../data/", Path.Combine(TestData.RepoRoot, "data") + "/"),
            ("../notebooks/results", Path.Combine(TestData.RepoRoot, "notebooks", "results")));
}
