using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Genomics.Mamba.Evaluation;

/// <summary>
/// Adds the NLL of a block of positions to per-window scores. Positions arrive in blocks (the whole window in parallel
/// mode, a chunk in streamed mode, one position in step mode), so the same code scores every mode: that is what makes
/// their perplexities comparable to the last bit of the mask.
/// </summary>
internal static class TargetNll
{
    /// <summary>
    /// logits (b, n, v) for positions [<paramref name="offset"/>, offset + n) of windows with
    /// <paramref name="targets"/> (b rows of the window's length): adds each window's summed NLL over its scored
    /// targets in that range to <paramref name="scores"/>[i].
    /// </summary>
    public static void Accumulate(Tensor logits, IReadOnlyList<int[]> targets, int offset, ScoredTargets scored, WindowScore[] scores)
    {
        long b = logits.shape[0], n = logits.shape[1];
        int length = targets[0].Length;
        int first = scored.FirstPosition(length);
        int from = Math.Max(first, offset), to = (int)Math.Min(length, offset + n);
        if (from >= to)
        {
            return;
        }
        var ids = new long[b * (to - from)];
        var mask = new float[b * (to - from)];
        var counts = new long[b];
        for (int i = 0; i < b; i++)
        {
            for (int t = from; t < to; t++)
            {
                int id = targets[i][t];
                bool scoredHere = ScoredTargets.IsBase(id);
                int k = i * (to - from) + (t - from);
                // A masked target still needs a valid index to gather; any will do.
                ids[k] = scored.BasesOnly ? (scoredHere ? id - Data.Tokenization.DnaTokenizer.A : 0) : id;
                mask[k] = scoredHere ? 1f : 0f;
                counts[i] += scoredHere ? 1 : 0;
            }
        }
        using var scope = NewDisposeScope();
        var part = logits.narrow(1, from - offset, to - from).to(float32);                     // (b, m, v)
        if (scored.BasesOnly)
        {
            part = part.narrow(2, Data.Tokenization.DnaTokenizer.A, 4);                        // (b, m, 4)
        }
        var logp = F.log_softmax(part, 2);
        var index = tensor(ids, [b, to - from, 1], device: logits.device);
        var nll = -logp.gather(2, index).squeeze(2);                                           // (b, m)
        var sums = (nll.to(float64) * tensor(mask, [b, to - from], device: logits.device).to(float64)).sum(1).cpu();   // (b)
        var values = sums.data<double>().ToArray();
        for (int i = 0; i < b; i++)
        {
            scores[i] += new WindowScore(values[i], counts[i]);
        }
    }
}
