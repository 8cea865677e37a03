using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Tests.Checkpoints;
using Genomics.Mamba.Evaluation;
using Genomics.Mamba.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Evaluation;

public class WindowScorerTests(ITestOutputHelper log)
{
    static MambaLM Tiny() => CheckpointTestData.Seeded(3, () => new MambaLM(CheckpointTestData.TinyMamba));

    [Fact]
    public void Step_and_streamed_scores_equal_the_parallel_forward()
    {
        using var model = Tiny();
        var windows = EvaluationTestData.Windows(96, 3);
        var scored = new ScoredTargets();
        var parallel = new WindowScorer(model, scored, ScoringMode.Parallel).Score(windows);
        var streamed = new WindowScorer(model, scored, ScoringMode.Streamed, chunk: 20).Score(windows);
        var step = new WindowScorer(model, scored, ScoringMode.Step).Score(windows);
        for (int i = 0; i < windows.Count; i++)
        {
            log.WriteLine($"window {i}: NLL parallel {parallel[i].Nll:R} streamed {streamed[i].Nll:R} step {step[i].Nll:R}");
            Assert.Equal(parallel[i].Count, streamed[i].Count);
            Assert.Equal(parallel[i].Count, step[i].Count);
            Assert.Equal(parallel[i].Nll, streamed[i].Nll, 1e-4 * parallel[i].Nll);
            Assert.Equal(parallel[i].Nll, step[i].Nll, 1e-4 * parallel[i].Nll);
        }
        Assert.Equal(WindowScore.Perplexity(parallel), WindowScore.Perplexity(step), 1e-5);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(30, false)]
    [InlineData(null, true)]
    [InlineData(30, true)]
    public void Perplexity_is_exp_of_the_mean_nll_over_base_targets_computed_by_hand(int? tail, bool basesOnly)
    {
        using var model = Tiny();
        var windows = EvaluationTestData.Windows(64, 3);
        var scored = new ScoredTargets { Tail = tail, BasesOnly = basesOnly };
        var scores = new WindowScorer(model, scored, ScoringMode.Parallel).Score(windows);

        // By hand: log-softmax of each position's logits in double, one target at a time.
        double total = 0;
        long count = 0;
        using (no_grad())
        {
            for (int i = 0; i < windows.Count; i++)
            {
                var w = windows[i];
                var logits = model.forward(tensor(w.Inputs.Select(x => (long)x).ToArray(), [1, w.Length])).to(float64).data<double>().ToArray();
                int v = logits.Length / w.Length;
                double windowNll = 0;
                long windowCount = 0;
                for (int t = tail is { } k ? w.Length - k : 0; t < w.Length; t++)
                {
                    int target = w.Targets[t];
                    if (target is < 7 or > 10)   // A=7 C=8 G=9 T=10: N and special tokens are not scored
                    {
                        continue;
                    }
                    int lo = basesOnly ? 7 : 0, hi = basesOnly ? 11 : v;
                    double max = double.NegativeInfinity;
                    for (int j = lo; j < hi; j++)
                    {
                        max = Math.Max(max, logits[t * v + j]);
                    }
                    double sum = 0;
                    for (int j = lo; j < hi; j++)
                    {
                        sum += Math.Exp(logits[t * v + j] - max);
                    }
                    windowNll += -(logits[t * v + target] - max - Math.Log(sum));
                    windowCount++;
                }
                Assert.Equal(windowCount, scores[i].Count);
                Assert.Equal(windowNll, scores[i].Nll, 1e-4);
                total += windowNll;
                count += windowCount;
            }
        }
        // The N and [PAD] planted at targets 5 and 9 of window 0 are never scored; a tail of 30 does not reach them anyway.
        Assert.True(scores[0].Count <= (tail ?? 62), $"window 0 scored {scores[0].Count} targets");
        double expected = Math.Exp(total / count);
        log.WriteLine($"tail {tail?.ToString() ?? "none"}, bases only {basesOnly}: perplexity {WindowScore.Perplexity(scores):F5} by hand {expected:F5} over {count} targets");
        Assert.Equal(expected, WindowScore.Perplexity(scores), 1e-6 * expected);
    }

    [Fact]
    public void A_random_model_scores_about_16_over_the_vocabulary_and_4_over_the_bases()
    {
        using var model = Tiny();
        var windows = EvaluationTestData.Windows(128, 4);
        double vocab = WindowScore.Perplexity(new WindowScorer(model, new ScoredTargets(), ScoringMode.Parallel).Score(windows));
        double bases = WindowScore.Perplexity(new WindowScorer(model, new ScoredTargets { BasesOnly = true }, ScoringMode.Parallel).Score(windows));
        log.WriteLine($"random init: perplexity {vocab:F3} over 16 tokens, {bases:F3} over A/C/G/T");
        Assert.InRange(vocab, 15, 17);
        Assert.InRange(bases, 3.9, 4.1);
    }

    [Fact]
    public void Scoring_in_the_middle_of_training_leaves_the_model_in_train_mode()
    {
        using var model = Tiny();
        model.train();
        new WindowScorer(model, new ScoredTargets(), ScoringMode.Parallel).Score(EvaluationTestData.Windows(32, 1));
        Assert.True(model.training);
        model.eval();
        new WindowScorer(model, new ScoredTargets(), ScoringMode.Step).Score(EvaluationTestData.Windows(32, 1));
        Assert.False(model.training);
    }

    [Fact]
    public void A_classifier_cannot_be_scored_and_hyena_cannot_stream()
    {
        using var classifier = new SequenceClassifier(CheckpointTestData.TinyMamba, 3);
        Assert.Contains("language model", Assert.Throws<ArgumentException>(() => new WindowScorer(classifier, new ScoredTargets(), ScoringMode.Parallel)).Message);
        using var hyena = new HyenaLM(CheckpointTestData.TinyHyena);
        Assert.Contains("HyenaDNA", Assert.Throws<ArgumentException>(() => new WindowScorer(hyena, new ScoredTargets(), ScoringMode.Streamed)).Message);
        var spec = ModelSpec.LanguageModel(CheckpointTestData.TinyHyena);
        Assert.Contains("no recurrent mode", Assert.Throws<InvalidOperationException>(() => WindowScorer.Resolve(spec, ScoringMode.Auto, 1 << 20, 1, 1 << 20)).Message);
        var (mode, _, chunk) = WindowScorer.Resolve(ModelSpec.LanguageModel(CheckpointTestData.TinyMamba), ScoringMode.Auto, 1 << 20, 4, 64 << 20);
        Assert.Equal(ScoringMode.Streamed, mode);
        Assert.InRange(chunk, 1024, (1 << 20) - 1);
    }
}
