using Genomics.Data.Datasets;
using Genomics.Data.Genome;
using Genomics.Data.Tokenization;

namespace Genomics.Mamba.Evaluation;

/// <summary>
/// Where perplexity windows come from: held-out intervals of a BED (the pretraining dataset's own windows, reference
/// strand, Mamba semantics: c + 1 bases per window) or a whole genome (FASTA/.2bit) cut into consecutive windows of
/// c + 1 bases, stride c, so every base but the first of a record is a target once. At most <c>maxWindows</c> per
/// length, a fixed seed-chosen subset, the same at every call. The lists are lazy: a window is read from the genome
/// when it is indexed, so a scorer holds one batch of windows at a time — at 2^20 tokens a window is 8 MB of ids.
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
        return new LazyList(chosen.Length, i =>
        {
            var inputs = new int[length];
            var targets = new int[length];
            var sample = dataset.Read(chosen[i], 0, inputs, targets);
            return new EvaluationWindow($"{sample.Chrom}:{sample.Start}-{sample.Start + sample.Length}", inputs, targets);
        });
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
        return new LazyList(picked.Count, i =>
        {
            var (record, start) = picked[i];
            var bases = new byte[length + 1];
            var tokens = new int[length + 1];
            genome.FetchRecord(record, start, bases);
            DnaTokenizer.Default.Encode(bases, tokens);
            return new EvaluationWindow($"{genome.Records[record].Name}:{start}-{start + length + 1}", tokens[..length], tokens[1..]);
        });
    }

    /// <summary>A read-only list whose items are made on each access (not cached).</summary>
    sealed class LazyList(int count, Func<int, EvaluationWindow> at) : IReadOnlyList<EvaluationWindow>
    {
        public int Count => count;

        public EvaluationWindow this[int index] => (uint)index < (uint)count ? at(index) : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<EvaluationWindow> GetEnumerator()
        {
            for (int i = 0; i < count; i++)
            {
                yield return at(i);
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
