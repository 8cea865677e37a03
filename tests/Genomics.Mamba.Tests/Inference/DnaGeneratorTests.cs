using Genomics.Data.Tokenization;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Tests.Checkpoints;
using Genomics.Mamba.Inference;
using Genomics.Mamba.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Inference;

public class DnaGeneratorTests(ITestOutputHelper log)
{
    static readonly int[] Prompt = DnaTokenizer.Default.Encode("ACGTTGCAAGGCTTAC");

    static MambaLM Tiny() => CheckpointTestData.Seeded(5, () => new MambaLM(CheckpointTestData.TinyMamba));

    [Fact]
    public void The_same_seed_gives_the_same_sequence_and_another_seed_another()
    {
        using var model = Tiny();
        var generator = new DnaGenerator(model);
        string Run(int seed) => string.Join("|", generator.Generate(Prompt, 80, new Sampler(new SamplingOptions { Seed = seed, Temperature = 1.5 }), samples: 2).Select(DnaGenerator.Decode));
        string a = Run(11), b = Run(11), c = Run(12);
        log.WriteLine(a);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Matches("^[ACGT|]+$", a);
        Assert.Equal(2 * 80 + 1, a.Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Top_k_one_is_the_greedy_argmax_of_the_parallel_forward(bool hyena)
    {
        using nn.Module<Tensor, Tensor> model = hyena
            ? CheckpointTestData.Seeded(5, () => new HyenaLM(CheckpointTestData.TinyHyena))
            : Tiny();
        int count = hyena ? 12 : 40;
        var generated = new DnaGenerator(model).Generate(Prompt, count, new Sampler(new SamplingOptions { TopK = 1, Seed = 3 }))[0];
        var all = Prompt.Concat(generated).Select(x => (long)x).ToArray();
        using var noGrad = no_grad();
        var logits = model.forward(tensor(all, [1, all.Length])).squeeze(0).data<float>().ToArray();   // (l, v)
        int v = logits.Length / all.Length;
        for (int t = 0; t < count; t++)
        {
            int position = Prompt.Length - 1 + t;   // the logits there predict generated[t]
            int best = DnaTokenizer.A;
            for (int id = DnaTokenizer.A; id <= DnaTokenizer.T; id++)
            {
                if (logits[position * v + id] > logits[position * v + best])
                {
                    best = id;
                }
            }
            Assert.True(best == generated[t], $"token {t}: generated {generated[t]}, argmax of the parallel forward {best}");
        }
        log.WriteLine(DnaGenerator.Decode(generated));
    }

    [Fact]
    public void Sampling_draws_only_bases_and_follows_the_distribution()
    {
        // Logits favouring C; special tokens get huge logits and must still never be drawn.
        var row = new float[16];
        row[DnaTokenizer.Pad] = 50;
        row[DnaTokenizer.N] = 40;
        row[DnaTokenizer.A] = 0;
        row[DnaTokenizer.C] = (float)Math.Log(3);
        row[DnaTokenizer.G] = 0;
        row[DnaTokenizer.T] = 0;
        var sampler = new Sampler(new SamplingOptions { Seed = 1 });
        var counts = new int[16];
        using var logits = tensor(Enumerable.Repeat(row, 4000).SelectMany(r => r).ToArray(), [4000, 16]);
        foreach (int id in sampler.Next(logits))
        {
            counts[id]++;
        }
        Assert.Equal(4000, counts[DnaTokenizer.A] + counts[DnaTokenizer.C] + counts[DnaTokenizer.G] + counts[DnaTokenizer.T]);
        Assert.InRange(counts[DnaTokenizer.C] / 4000.0, 0.5 - 0.04, 0.5 + 0.04);   // 3 / (3 + 1 + 1 + 1)
        var topTwo = new Sampler(new SamplingOptions { Seed = 1, TopK = 2 }).Next(logits);
        Assert.All(topTwo, id => Assert.True(id is DnaTokenizer.C or DnaTokenizer.A, $"top-2 drew {id}"));   // ties go to the lower id
        Assert.Contains(DnaTokenizer.N, new Sampler(new SamplingOptions { Seed = 1, AllowN = true }).Next(logits));
    }
}
