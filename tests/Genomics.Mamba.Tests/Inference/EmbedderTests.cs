using Genomics.Data.Genome;
using Genomics.Data.Tokenization;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Tests.Checkpoints;
using Genomics.Mamba.Inference;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Tests.Evaluation;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Inference;

public class EmbedderTests
{
    [Theory]
    [InlineData(EmbeddingPooling.Mean)]
    [InlineData(EmbeddingPooling.Last)]
    public async Task Embeddings_written_to_parquet_read_back_as_the_models_hidden_states(EmbeddingPooling pooling)
    {
        using var model = CheckpointTestData.Seeded(2, () => new MambaLM(CheckpointTestData.TinyMamba));
        using var genome = GenomeFile.Open(EvaluationTestData.HumanGenome);
        var windows = Enumerable.Range(0, 5).Select(i => DnaTokenizer.Default.Encode(System.Text.Encoding.ASCII.GetString(genome.Fetch("chr2", 100_000 + 64 * i, 64)))).ToArray();
        var embedder = new Embedder(model, pooling);
        var vectors = embedder.Embed(windows);
        var rows = vectors.Select((v, i) => new EmbeddingRow { Chrom = "chr2", Start = 100_000 + 64 * i, End = 100_064 + 64 * i, Embedding = v }).ToList();
        string dir = Path.Combine(Path.GetTempPath(), $"gm-embed-{Guid.NewGuid():N}");
        try
        {
            string path = Path.Combine(dir, "e.parquet");
            EmbeddingFile.Write(path, rows, new Dictionary<string, string> { ["genomamba.pooling"] = pooling.ToString() });
            var back = await EmbeddingFile.ReadAsync(path);
            Assert.Equal(5, back.Count);
            using var noGrad = no_grad();
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal(16, back[i].Embedding.Length);
                Assert.Equal(rows[i].Start, back[i].Start);
                var hidden = model.Backbone.forward(tensor(windows[i].Select(x => (long)x).ToArray(), [1, 64])).squeeze(0);   // (l, d)
                var expected = (pooling == EmbeddingPooling.Mean ? hidden.mean([0]) : hidden.select(0, -1)).data<float>().ToArray();
                for (int j = 0; j < 16; j++)
                {
                    Assert.Equal(expected[j], back[i].Embedding[j], 1e-5f);
                }
            }
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, true);
            }
        }
    }
}
