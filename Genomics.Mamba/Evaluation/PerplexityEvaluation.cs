using Genomics.Mamba.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Evaluation;

/// <summary>Perplexity at one context length: over <see cref="Windows"/> windows and <see cref="Targets"/> scored targets, with its bootstrap interval.</summary>
public sealed record ContextPerplexity(int Context, int? Tail, int Windows, long Targets, double MeanNll, ConfidenceInterval Perplexity, ScoringMode Mode);

/// <summary>What <see cref="PerplexityEvaluation.Run"/> found: one row per context length and the fit against ln(context).</summary>
public sealed record PerplexityReport(IReadOnlyList<ContextPerplexity> Contexts, LogContextFit? Fit);

/// <summary>Progress of a perplexity evaluation: windows scored of the current context length.</summary>
public readonly record struct PerplexityProgress(int Context, int WindowsDone, int WindowsTotal, ScoringMode Mode);

/// <summary>
/// Perplexity of a language model at several context lengths (<see cref="Options"/>): windows of each length are
/// scored in batches in the mode that fits (<see cref="WindowScorer.Resolve"/>), and each length's perplexity gets a
/// bootstrap interval over windows; finally perplexity is fitted against ln(context).
/// </summary>
public static class PerplexityEvaluation
{
    /// <summary>How to evaluate; <see cref="Validate"/> names the bad field.</summary>
    public sealed record Options
    {
        /// <summary>Context lengths c (tokens per window).</summary>
        public required IReadOnlyList<int> Lengths { get; init; }

        public ScoredTargets Scored { get; init; } = new();

        public ScoringMode Mode { get; init; } = ScoringMode.Auto;

        /// <summary>Windows per batch at most (fewer when memory says so).</summary>
        public int MaxBatch { get; init; } = 8;

        /// <summary>Memory the scoring may use; decides parallel vs streamed and the batch.</summary>
        public long BudgetBytes { get; init; } = InferenceMemory.DefaultBudgetBytes;

        /// <summary>Bootstrap resamples per context length.</summary>
        public int Resamples { get; init; } = 1000;

        /// <summary>Seed of the bootstrap.</summary>
        public int Seed { get; init; }

        public Options Validate()
        {
            if (Lengths is null || Lengths.Count == 0)
            {
                throw new ArgumentException("give at least one context length", nameof(Lengths));
            }
            if (Lengths.Any(c => c < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(Lengths), string.Join(",", Lengths), "context lengths are at least 1");
            }
            ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatch, 1, nameof(MaxBatch));
            ArgumentOutOfRangeException.ThrowIfLessThan(Resamples, 1, nameof(Resamples));
            ArgumentOutOfRangeException.ThrowIfLessThan(BudgetBytes, 1, nameof(BudgetBytes));
            Scored.Validate();
            if (Scored.Tail is { } k && Lengths.Any(c => c < k))
            {
                throw new ArgumentOutOfRangeException(nameof(Scored), k, $"the tail {k} is longer than context {Lengths.Min()}");
            }
            return this;
        }
    }

    /// <param name="model">The language model built from <paramref name="spec"/>.</param>
    /// <param name="windowsOf">The windows of one context length; indexed once each, in order, a batch at a time (a lazy list keeps memory to one batch).</param>
    public static PerplexityReport Run(nn.Module<Tensor, Tensor> model, ModelSpec spec, Func<int, IReadOnlyList<EvaluationWindow>> windowsOf,
        Options options, IProgress<PerplexityProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(windowsOf);
        options.Validate();
        var rows = new List<ContextPerplexity>();
        foreach (int c in options.Lengths)
        {
            var windows = windowsOf(c);
            var (mode, batch, chunk) = WindowScorer.Resolve(spec, options.Mode, c, options.MaxBatch, options.BudgetBytes);
            var scorer = new WindowScorer(model, options.Scored, mode, chunk);
            var scores = new List<WindowScore>(windows.Count);
            for (int start = 0; start < windows.Count; start += batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var part = new EvaluationWindow[Math.Min(batch, windows.Count - start)];
                for (int i = 0; i < part.Length; i++)
                {
                    part[i] = windows[start + i];   // read from the genome now: one batch in memory at a time
                }
                scores.AddRange(scorer.Score(part));
                progress?.Report(new PerplexityProgress(c, scores.Count, windows.Count, mode));
            }
            var total = scores.Aggregate(default(WindowScore), (a, b) => a + b);
            rows.Add(new ContextPerplexity(c, options.Scored.Tail, windows.Count, total.Count, total.MeanNll,
                BootstrapInterval.Perplexity(scores, options.Resamples, options.Seed), mode));
        }
        var fit = LogContextFit.Of([.. rows.Select(r => ((double)r.Context, r.Perplexity.Estimate))]);
        return new PerplexityReport(rows, fit);
    }
}
