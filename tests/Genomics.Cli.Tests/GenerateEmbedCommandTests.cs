using Genomics.Data.Genome;
using Genomics.Data.Tokenization;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Inference;
using Genomics.Mamba.Modules;
using static TorchSharp.torch;

namespace Genomics.Cli.Tests;

public class GenerateEmbedCommandTests(TinyCheckpoints checkpoints) : IClassFixture<TinyCheckpoints>
{
    [Fact]
    public void Generate_is_reproducible_by_seed_and_writes_only_bases()
    {
        using var dir = TestData.NewTempDir();
        CliResult Run(int seed) => Genomamba.Run(dir, "generate", "-c", checkpoints.LanguageModel, "--prompt", "ACGTTGCAAGGC", "--len", "200",
            "--samples", "2", "--temperature", "1.2", "--top-k", "3", "--seed", $"{seed}");
        var a = Run(5);
        var b = Run(5);
        var c = Run(6);
        Assert.True(a.ExitCode == 0, a.Stderr);
        Assert.Equal(a.StdoutText, b.StdoutText);
        Assert.NotEqual(a.StdoutText, c.StdoutText);
        var lines = a.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Count(l => l.StartsWith('>')));
        var sequences = string.Join("\n", lines).Split('>', StringSplitOptions.RemoveEmptyEntries)
            .Select(record => string.Concat(record.Split('\n').Skip(1))).ToArray();
        Assert.All(sequences, s => Assert.Matches("^[ACGT]{200}$", s));
    }

    [Fact]
    public async Task Embed_writes_one_row_per_window_holding_the_models_hidden_states()
    {
        using var dir = TestData.NewTempDir();
        var result = Genomamba.Run(dir, "embed", "-c", checkpoints.LanguageModel, "--genome", TinyCheckpoints.HumanGenome, "--intervals", TinyCheckpoints.HumanTiles,
            "--split", "test", "--len", "256", "--stride", "8192", "--out", "e.parquet");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var rows = await EmbeddingFile.ReadAsync(dir.File("e.parquet"));
        // 6 test tiles of 32,768 bases → windows at 0, 8192, 16384 and 24576 of each.
        var tiles = File.ReadLines(TinyCheckpoints.HumanTiles).Select(l => l.Split('\t')).Where(f => f[3] == "test").ToArray();
        Assert.Equal(4 * tiles.Length, rows.Count);
        Assert.Equal(tiles.SelectMany(f => Enumerable.Range(0, 4).Select(k => long.Parse(f[1]) + 8192 * k)), rows.Select(r => r.Start));
        Assert.All(rows, r => Assert.Equal((16, 256L, "test", "chr2"), (r.Embedding.Length, r.End - r.Start, r.Name, r.Chrom)));

        using var checkpoint = Checkpoint.Load(checkpoints.LanguageModel);
        using var model = checkpoint.BuildModel<MambaLM>();
        using var genome = GenomeFile.Open(TinyCheckpoints.HumanGenome);
        using var noGrad = no_grad();
        foreach (var row in rows.Where((_, i) => i % 7 == 0))
        {
            var ids = DnaTokenizer.Default.Encode(System.Text.Encoding.ASCII.GetString(genome.Fetch(row.Chrom, row.Start, 256))).Select(x => (long)x).ToArray();
            var expected = model.Backbone.forward(tensor(ids, [1, 256])).mean([1]).squeeze(0).data<float>().ToArray();
            for (int j = 0; j < 16; j++)
            {
                Assert.Equal(expected[j], row.Embedding[j], 1e-4f);
            }
        }
    }
}
