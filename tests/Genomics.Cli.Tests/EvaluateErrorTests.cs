namespace Genomics.Cli.Tests;

/// <summary>Mistakes a user can make with evaluate, generate and embed: one line on stderr, exit code 1, no stack trace, no output.</summary>
public class EvaluateErrorTests(TinyCheckpoints checkpoints) : IClassFixture<TinyCheckpoints>
{
    static string OneLineError(TestData.TempDir dir, params string[] args)
    {
        var result = Genomamba.Run(dir, args);
        Assert.Equal(1, result.ExitCode);
        // At most a line saying which default data is used, then the error itself.
        Assert.Single(result.StderrLines, l => l.StartsWith("genomamba: error: ", StringComparison.Ordinal));
        Assert.StartsWith("genomamba: error: ", result.StderrLines[^1]);
        Assert.True(result.StderrLines.Length == 1 || result.StderrLines[0].StartsWith("no --", StringComparison.Ordinal), result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        return result.StderrLines[^1];
    }

    [Fact]
    public void A_missing_checkpoint_file_is_named()
    {
        using var dir = TestData.NewTempDir();
        Assert.Contains("nope.gmckpt: no such checkpoint file", OneLineError(dir, "evaluate", "-c", "nope.gmckpt", "--lens", "64"));
        Assert.Contains("nope.gmckpt: no such checkpoint file", OneLineError(dir, "generate", "-c", "nope.gmckpt", "--prompt", "ACGT"));
        Assert.Contains("nope.gmckpt: no such checkpoint file", OneLineError(dir, "embed", "-c", "nope.gmckpt", "--len", "64", "--out", dir.File("e.parquet")));
    }

    [Fact]
    public void No_checkpoint_says_which_option_is_needed()
    {
        using var dir = TestData.NewTempDir();
        Assert.Contains("--checkpoint", OneLineError(dir, "evaluate", "--lens", "64"));
        Assert.Contains("--checkpoint", OneLineError(dir, "generate", "--prompt", "ACGT"));
        Assert.Contains("--prompt", OneLineError(dir, "generate", "-c", checkpoints.LanguageModel));
    }

    [Fact]
    public void A_length_that_is_not_a_power_of_two_is_refused()
    {
        using var dir = TestData.NewTempDir();
        string error = OneLineError(dir, "evaluate", "-c", checkpoints.LanguageModel, "--lens", "1024,1000");
        Assert.Contains("1000 is not a power of two", error);
        Assert.Contains("512 or 1024", error);
        Assert.Contains("not a power of two", OneLineError(dir, "evaluate", "-c", checkpoints.Classifier, "--len", "1000"));
    }

    [Fact]
    public void A_checkpoint_of_the_wrong_kind_of_model_is_refused()
    {
        using var dir = TestData.NewTempDir();
        Assert.Contains("species classifier", OneLineError(dir, "evaluate", "-c", checkpoints.Classifier, "--lens", "64"));
        Assert.Contains("species classifier", OneLineError(dir, "generate", "-c", checkpoints.Classifier, "--prompt", "ACGT"));
        Assert.Contains("language model", OneLineError(dir, "evaluate", "-c", checkpoints.LanguageModel, "--species", TestData.Embedded("apes")));
        Assert.Contains("fine-tuned on the species human,chimpanzee,gorilla,orangutan", OneLineError(dir, "evaluate", "-c", checkpoints.MislabelledClassifier, "--len", "64"));
        string notACheckpoint = Path.Combine(Path.GetTempPath(), $"gm-{Guid.NewGuid():N}.gmckpt");
        File.WriteAllText(notACheckpoint, "this is not a checkpoint\n");
        try
        {
            Assert.Contains(notACheckpoint, OneLineError(dir, "evaluate", "-c", notACheckpoint, "--lens", "64"));
        }
        finally
        {
            File.Delete(notACheckpoint);
        }
    }

    [Fact]
    public void A_bed_that_does_not_fit_the_genome_is_named()
    {
        using var dir = TestData.NewTempDir();
        string error = OneLineError(dir, "evaluate", "-c", checkpoints.LanguageModel, "--genome", TestData.Embedded("apes/human.fa.gz"),
            "--intervals", TinyCheckpoints.HumanTiles, "--lens", "64");
        Assert.Contains("tiles.bed", error);
    }

    [Theory]
    [InlineData("evaluate", new[] { "--checkpoint", "--random-init", "--genome", "--intervals", "--skip-missing", "--split", "--lens", "--tail", "--bases-only", "--max-windows", "--mode", "--batch", "--memory-gib", "--species", "--concatenate", "--len", "--count", "--resamples", "--seed", "--out" })]
    [InlineData("generate", new[] { "--checkpoint", "--prompt", "--len", "--samples", "--temperature", "--top-k", "--seed", "--allow-n", "--with-prompt", "--out" })]
    [InlineData("embed", new[] { "--checkpoint", "--genome", "--intervals", "--skip-missing", "--split", "--len", "--stride", "--pool", "--batch", "--max-windows", "--out" })]
    public void Help_explains_every_option_with_its_default(string command, string[] options)
    {
        var result = Genomamba.Run((string?)null, command, "--help");
        Assert.Equal(0, result.ExitCode);
        foreach (string option in options)
        {
            var line = result.StdoutText.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith(option, StringComparison.Ordinal) || l.Contains($", {option}", StringComparison.Ordinal));
            Assert.True(line is not null, $"{command} --help does not list {option}:\n{result.StdoutText}");
        }
        int defaults = result.StdoutText.Split('\n').Count(l => l.Contains("default", StringComparison.OrdinalIgnoreCase) || l.Contains("required", StringComparison.OrdinalIgnoreCase));
        Assert.True(defaults >= options.Length - 1, $"{command} --help states {defaults} defaults for {options.Length} options:\n{result.StdoutText}");
    }
}
