namespace Genomics.Data.Tests.Notebooks;

/// <summary>Runs the data notebooks headless (see <see cref="NotebookRunner"/>).</summary>
public class NotebookTests
{
    [Theory]
    [InlineData("tokenizer-and-data.ipynb")]
    public Task Notebook_runs_headless_without_errors(string name) =>
        // Point #r at the assembly these tests were built against (Debug or Release) and data/ at the checkout.
        NotebookRunner.RunAsync(name,
            ("../Genomics.Data/bin/Debug/net10.0/linux-x64/Genomics.Data.dll", typeof(Genomics.Data.Genome.IGenome).Assembly.Location),
            ("../data/", Path.Combine(TestData.RepoRoot, "data") + "/"));
}
