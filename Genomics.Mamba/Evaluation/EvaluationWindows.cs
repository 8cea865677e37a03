using Genomics.Data.Datasets;
using Genomics.Data.Genome;
using Genomics.Data.Tokenization;

namespace Genomics.Mamba.Evaluation;

/// <summary>
/// Where perplexity windows come from: held-out intervals of a BED (the pretraining dataset's own windows, reference
/// strand, Mamba semantics: c + 1 bases per window) or a whole genome (FASTA/.2bit) cut into consecutive windows of
/// c + 1 bases, stride c, so every base but the first of a record is a target once. At most <c>maxWindows</c> per
/// length, a fixed seed-chosen subset, the same at every call.
/// </summary>
public static class EvaluationWindows
{
    /// <summary>Windows of <paramref name="length"/> from the intervals of split <paramref name="split"/>.</summary>
    public static IReadOnlyList<EvaluationWindow> FromIntervals(IGenome genome, IReadOnlyList<GenomeInterval> intervals, string split, int length, int maxWindows, long seed = 0)
    {
        var dataset = new IntervalDataset(genome, intervals, new IntervalDatasetOptions
        {
            Length = length,
            Split = split,
            Seed = seed,
            ReverseComplementProbability = 0,
        });
        int[] chosen = dataset.FixedSubset(maxWindows);
        var windows = new EvaluationWindow[chosen.Length];
        for (int i = 0; i < chosen.Length; i++)
        {
            var inputs = new int[length];
            var targets = new int[length];
            var sample = dataset.Read(chosen[i], 0, inputs, targets);
            windows[i] = new EvaluationWindow($"{sample.Chrom}:{sample.Start}-{sample.Start + sample.Length}", inputs, targets);
        }
        return windows;
    }

    /// <summary>
    /// Every record of <paramref name="genome"/> cut into windows of <paramref name="length"/> + 1 bases at stride
    /// <paramref name="length"/> (a record shorter than that gives none); at most <paramref name="maxWindows"/> of them,
    /// spread evenly over the genome.
    /// </summary>
    public static IReadOnlyList<EvaluationWindow> FromGenome(IGenome genome, int length, int maxWindows)
    {
        ArgumentNullException.ThrowIfNull(genome);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWindows, 1);
        var all = new List<(int Record, long Start)>();
        for (int r = 0; r < genome.Records.Count; r++)
        {
            long size = genome.Records[r].Length;
            for (long start = 0; start + length + 1 <= size; start += length)
            {
                all.Add((r, start));
            }
        }
        // Evenly spaced rather than the first ones: a genome's start is often telomere or gap.
        var picked = all.Count <= maxWindows ? all
            : Enumerable.Range(0, maxWindows).Select(i => all[(int)((long)i * all.Count / maxWindows)]).ToList();
        var bases = new byte[length + 1];
        var tokens = new int[length + 1];
        var windows = new EvaluationWindow[picked.Count];
        for (int i = 0; i < picked.Count; i++)
        {
            var (record, start) = picked[i];
            genome.FetchRecord(record, start, bases);
            DnaTokenizer.Default.Encode(bases, tokens);
            windows[i] = new EvaluationWindow($"{genome.Records[record].Name}:{start}-{start + length + 1}", tokens[..length], tokens[1..]);
        }
        return windows;
    }
}
