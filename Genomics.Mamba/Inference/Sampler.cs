using Genomics.Data.Tokenization;
using static TorchSharp.torch;

namespace Genomics.Mamba.Inference;

/// <summary>
/// Draws the next token of each sequence from next-token logits: restricted to the bases (<see cref="SamplingOptions.AllowN"/>),
/// divided by the temperature, cut to the top k, softmax, one draw from a seeded generator. The draw runs on the CPU in
/// float64 from the logits alone, so it is reproducible whatever device produced them.
/// </summary>
public sealed class Sampler
{
    readonly Random _random;
    readonly int[] _allowed;

    public Sampler(SamplingOptions options)
    {
        Options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        _random = new Random(options.Seed);
        _allowed = options.AllowN
            ? [DnaTokenizer.A, DnaTokenizer.C, DnaTokenizer.G, DnaTokenizer.T, DnaTokenizer.N]
            : [DnaTokenizer.A, DnaTokenizer.C, DnaTokenizer.G, DnaTokenizer.T];
    }

    public SamplingOptions Options { get; }

    /// <summary>Token ids that can be drawn, ascending.</summary>
    public IReadOnlyList<int> Allowed => _allowed;

    /// <summary>Whether the draw is the argmax (temperature 0 or top-k 1).</summary>
    public bool IsGreedy => Options.Temperature == 0 || Options.TopK == 1;

    /// <summary>logits (b, v) → one token id per row.</summary>
    public int[] Next(Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.dim() != 2)
        {
            throw new ArgumentException($"logits must be (batch, vocab), got ({string.Join(", ", logits.shape)})", nameof(logits));
        }
        long b = logits.shape[0], v = logits.shape[1];
        var all = logits.detach().to(float64).cpu().data<double>().ToArray();
        var result = new int[b];
        var scores = new double[_allowed.Length];
        for (int i = 0; i < b; i++)
        {
            for (int j = 0; j < _allowed.Length; j++)
            {
                scores[j] = all[i * v + _allowed[j]];
            }
            result[i] = _allowed[Draw(scores)];
        }
        return result;
    }

    /// <summary>Index into <paramref name="scores"/> (logits of the allowed tokens); ties go to the lower index.</summary>
    int Draw(double[] scores)
    {
        if (IsGreedy)
        {
            return ArgMax(scores);
        }
        int k = Options.TopK is > 0 and var topK ? Math.Min(topK, scores.Length) : scores.Length;
        // Rank by score, lower index first among equals, and keep the first k.
        int[] order = [.. Enumerable.Range(0, scores.Length).OrderByDescending(j => scores[j]).ThenBy(j => j)];
        double max = scores[order[0]];
        var weights = new double[scores.Length];
        double total = 0;
        for (int r = 0; r < k; r++)
        {
            int j = order[r];
            weights[j] = Math.Exp((scores[j] - max) / Options.Temperature);
            total += weights[j];
        }
        double u = _random.NextDouble() * total;
        for (int j = 0; j < scores.Length; j++)
        {
            u -= weights[j];
            if (u < 0 && weights[j] > 0)
            {
                return j;
            }
        }
        return order[k - 1];   // rounding left u ≥ 0 after the last weight
    }

    static int ArgMax(double[] scores)
    {
        int best = 0;
        for (int j = 1; j < scores.Length; j++)
        {
            if (scores[j] > scores[best])
            {
                best = j;
            }
        }
        return best;
    }
}
