using System.Buffers;
using Genomics.Data.Genome;
using Genomics.Data.Tokenization;

namespace Genomics.Data.Datasets;

/// <summary>
/// Samples of length L cut from genome intervals (the HG38/Enformer pretraining set), under Mamba or
/// HyenaDNA semantics (<see cref="IntervalDatasetSemantics"/>). A sample is addressed by an index in
/// [0, <see cref="Count"/>); what it holds depends only on (index, epoch, seed): the window is fixed by
/// the index, the strand by a keyed hash of (seed, epoch, index). Nothing is stored per sample — a
/// prefix sum over intervals maps an index to its window — so 2^17/L samples per interval cost nothing.
/// Safe for concurrent reads. Does not own the genome: dispose it yourself.
/// </summary>
public sealed class IntervalDataset
{
    // Independent random streams derived from the one seed.
    const ulong OrderStream = 0x4F52444552UL, StrandStream = 0x5354524E44UL, SubsetStream = 0x5355425345UL;

    readonly IGenome _genome;
    readonly DnaTokenizer _tokenizer;
    readonly bool _keepSoftMask;
    readonly double _rcProbability;
    readonly ulong _seed;
    readonly ulong _strandKey;
    readonly PlacedInterval[] _intervals;
    readonly int[] _firstSample;

    /// <param name="intervals">All intervals; those of other splits are skipped, and
    /// <see cref="SampleRef.Interval"/> indexes this list.</param>
    public IntervalDataset(IGenome genome, IReadOnlyList<GenomeInterval> intervals, IntervalDatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(genome);
        ArgumentNullException.ThrowIfNull(intervals);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _genome = genome;
        Options = options;
        _tokenizer = new DnaTokenizer(options.Lowercase);
        // The genome upper-cases unless asked not to; [UNK] for soft-masked bases needs the raw case.
        _keepSoftMask = options.Lowercase == LowercasePolicy.Unknown;
        _rcProbability = options.EffectiveReverseComplementProbability;
        _seed = unchecked((ulong)options.Seed);
        _strandKey = DeterministicRandom.Hash(_seed, StrandStream);

        var placed = new List<PlacedInterval>();
        var first = new List<int>();
        long total = 0;
        for (int i = 0; i < intervals.Count; i++)
        {
            var iv = intervals[i];
            if (options.Split is { } split && !string.Equals(iv.Split, split, StringComparison.Ordinal))
            {
                continue;
            }
            var p = Place(genome, iv, i, options);
            first.Add(checked((int)total));
            total += p.SampleCount;
            if (total > int.MaxValue)
            {
                throw new ArgumentException($"more than {int.MaxValue:N0} samples at length {options.Length} do not fit an int index; use a longer length or fewer intervals", nameof(intervals));
            }
            placed.Add(p);
        }
        _intervals = placed.ToArray();
        _firstSample = first.ToArray();
        Count = (int)total;
    }

    public IntervalDatasetOptions Options { get; }

    /// <summary>The genome samples are read from (not owned).</summary>
    public IGenome Genome => _genome;

    /// <summary>Sample length L: tokens per input row and per target row.</summary>
    public int Length => Options.Length;

    /// <summary>Number of samples (in one epoch).</summary>
    public int Count { get; }

    /// <summary>
    /// <see cref="Count"/> from the intervals alone, without a genome: the samples of <paramref name="split"/> at
    /// <paramref name="length"/> under Mamba semantics (⌊n/L⌋ per interval of n ≥ L bases, else 2), by the same rule the
    /// dataset places them. For plans made from a BED when the genome is not at hand.
    /// </summary>
    public static long CountSamples(IEnumerable<GenomeInterval> intervals, int length, string split = IntervalDatasetOptions.TrainSplit) =>
        intervals.Where(iv => string.Equals(iv.Split, split, StringComparison.Ordinal))
            .Sum(iv => (long)IntervalDatasetWindows.MambaSampleCount(iv.Length, length));

    /// <summary>Number of intervals of the selected split.</summary>
    public int IntervalCount => _intervals.Length;

    /// <summary>Whether sample <paramref name="index"/> is reverse-complemented in <paramref name="epoch"/>.</summary>
    public bool IsReverseComplement(int index, int epoch) =>
        _rcProbability > 0 && DeterministicRandom.Unit(_strandKey, unchecked((ulong)epoch), (ulong)index) < _rcProbability;

    /// <summary>Where sample <paramref name="index"/> comes from in <paramref name="epoch"/>.</summary>
    public SampleRef SampleAt(int index, int epoch) => SampleAt(index, epoch, out _);

    SampleRef SampleAt(int index, int epoch, out int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        k = Array.BinarySearch(_firstSample, index);
        if (k < 0)
        {
            k = ~k - 1;
        }
        ref readonly var iv = ref _intervals[k];
        bool rc = IsReverseComplement(index, epoch);
        int L = Length;
        if (Options.Semantics == IntervalDatasetSemantics.Mamba)
        {
            long s = IntervalDatasetWindows.MambaWindowStart(iv.Start, iv.End, L, index - _firstSample[k], iv.HeldStart, iv.HeldEnd);
            return new SampleRef(iv.Chrom, s, L + 1, rc, iv.Source);
        }
        var (start, count, before, after) = IntervalDatasetWindows.HyenaWindow(iv.Start, iv.End, L, iv.HeldStart, iv.HeldEnd);
        // Whatever was cut off, the bases plus padding fill exactly L tokens (truncation never pads).
        int pad = L - count;
        return Options.Padding == IntervalDatasetPadding.Left || pad == 0
            ? new SampleRef(iv.Chrom, start, count, rc, iv.Source, pad, 0)
            : new SampleRef(iv.Chrom, start, count, rc, iv.Source, before, pad - before);
    }

    /// <summary>
    /// Fills <paramref name="inputs"/> and <paramref name="targets"/> (each L long) with sample
    /// <paramref name="index"/> as seen in <paramref name="epoch"/>: targets[i] = inputs[i+1] and the last
    /// target is the token after the last input. Allocates nothing (buffers come from the shared pool).
    /// </summary>
    public SampleRef Read(int index, int epoch, Span<int> inputs, Span<int> targets)
    {
        int L = Length;
        if (inputs.Length != L || targets.Length != L)
        {
            throw new ArgumentException($"inputs ({inputs.Length}) and targets ({targets.Length}) must both be the sample length {L}");
        }
        var sample = SampleAt(index, epoch, out int k);
        ref readonly var iv = ref _intervals[k];
        byte[] bases = ArrayPool<byte>.Shared.Rent(sample.Length);
        int[] tokens = ArrayPool<int>.Shared.Rent(L + 1);
        try
        {
            Span<byte> raw = bases.AsSpan(0, sample.Length);
            _genome.FetchRecord(iv.Record, sample.Start - iv.HeldStart, raw, _keepSoftMask);
            Span<int> all = tokens.AsSpan(0, L + 1);
            if (Options.Semantics == IntervalDatasetSemantics.Mamba)
            {
                _tokenizer.Encode(raw, all);
                if (sample.ReverseComplement)
                {
                    DnaTokenizer.ReverseComplementInPlace(all);
                }
            }
            else
            {
                ComposeHyena(sample, raw, all);
            }
            all[..L].CopyTo(inputs);
            all[1..].CopyTo(targets);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(tokens);
            ArrayPool<byte>.Shared.Return(bases);
        }
        return sample;
    }

    /// <summary>
    /// The shuffled visiting order of <paramref name="epoch"/>: a permutation of [0, Count) fixed by (seed,
    /// epoch). To resume after k samples, continue from position k of the same array.
    /// </summary>
    public int[] Order(int epoch) =>
        DeterministicRandom.Permutation(Count, DeterministicRandom.Hash(_seed, OrderStream, unchecked((ulong)epoch)));

    /// <summary>
    /// A fixed, seed-determined set of min(count, Count) distinct sample indices in ascending order: the
    /// validation subset at the target length. Independent of the epoch, so every evaluation sees the same
    /// samples.
    /// </summary>
    public int[] FixedSubset(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int[] chosen = DeterministicRandom.Permutation(Count, DeterministicRandom.Hash(_seed, SubsetStream))[..Math.Min(count, Count)];
        Array.Sort(chosen);
        return chosen;
    }

    // [PAD]s, bases (reverse-complemented as a unit, padding stays where it is, as HyenaDNA pads after
    // augmenting), [PAD]s, then [SEP] as token L.
    void ComposeHyena(in SampleRef sample, ReadOnlySpan<byte> raw, Span<int> all)
    {
        int L = Length;
        all[..sample.PadBefore].Fill(DnaTokenizer.Pad);
        Span<int> body = all.Slice(sample.PadBefore, sample.Length);
        _tokenizer.Encode(raw, body);
        if (sample.ReverseComplement)
        {
            DnaTokenizer.ReverseComplementInPlace(body);
        }
        all.Slice(sample.PadBefore + sample.Length, sample.PadAfter).Fill(DnaTokenizer.Pad);
        if (Options.ReplaceNWithPad)
        {
            all[..L].Replace(DnaTokenizer.N, DnaTokenizer.Pad);
        }
        all[L] = DnaTokenizer.Sep;
    }

    static PlacedInterval Place(IGenome genome, GenomeInterval iv, int source, IntervalDatasetOptions options)
    {
        if (iv.Start < 0 || iv.End <= iv.Start)
        {
            throw new ArgumentException($"interval {source} ({iv}): needs 0 ≤ start < end", "intervals");
        }
        var loc = genome.Chromosomes.Locate(iv.Chrom, iv.Start, iv.End);
        if (loc.Status != LocateStatus.Found)
        {
            throw new ArgumentException($"interval {source} ({iv}): {GenomeExtensions.Describe(genome, iv.Chrom, iv.Start, iv.End, loc)}", "intervals");
        }
        long heldStart = iv.Start - loc.Offset;
        long heldEnd = heldStart + genome.Records[loc.Record].Length;
        int L = options.Length;
        int samples = 1;
        if (options.Semantics == IntervalDatasetSemantics.Mamba)
        {
            if (heldEnd - heldStart < L + 1L)
            {
                throw new ArgumentException(
                    $"interval {source} ({iv}): '{genome.Records[loc.Record].Name}' holds {heldEnd - heldStart:N0} bases, fewer than the {L + 1L:N0} a sample of length {L} reads",
                    "intervals");
            }
            samples = IntervalDatasetWindows.MambaSampleCount(iv.Length, L);
        }
        return new PlacedInterval(source, iv.Chrom, iv.Start, iv.End, loc.Record, heldStart, heldEnd, samples);
    }

    readonly record struct PlacedInterval(int Source, string Chrom, long Start, long End, int Record, long HeldStart, long HeldEnd, int SampleCount);
}
