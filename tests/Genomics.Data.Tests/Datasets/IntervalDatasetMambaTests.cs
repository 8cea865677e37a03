using Genomics.Data.Datasets;
using Genomics.Data.Genome;
using Genomics.Data.Tokenization;
using static Genomics.Data.Tests.Datasets.IntervalTestGenome;

namespace Genomics.Data.Tests.Datasets;

public sealed class IntervalDatasetMambaTests
{
    const int Interval = 1 << 17;

    static IntervalDataset Real(int length, double? rc = 0, string? split = "train", IReadOnlyList<GenomeInterval>? intervals = null) =>
        new(Chr2Genome(), intervals ?? EnformerInsideChr2, new IntervalDatasetOptions { Length = length, ReverseComplementProbability = rc, Split = split });

    [Fact]
    public void The_chr2_piece_holds_34_real_enformer_intervals_of_2_to_the_17_bases()
    {
        var intervals = EnformerInsideChr2;
        Assert.Equal(34, intervals.Length);
        Assert.All(intervals, iv => Assert.Equal(Interval, iv.Length));
    }

    [Theory]
    [InlineData(1 << 10)]
    [InlineData(1 << 13)]
    [InlineData(1 << 17)]
    public void Up_to_2_to_the_17_each_interval_tiles_into_2_to_the_17_over_L_samples(int length)
    {
        var intervals = EnformerInsideChr2;
        var ds = Real(length);

        Assert.Equal(intervals.Length * (Interval / length), ds.Count);
        var byInterval = Enumerable.Range(0, ds.Count).Select(i => ds.SampleAt(i, 0)).GroupBy(s => s.Interval).ToArray();
        Assert.Equal(intervals.Length, byInterval.Length);
        foreach (var group in byInterval)
        {
            var iv = intervals[group.Key];
            var starts = group.Select(s => s.Start).Order().ToArray();
            // Non-overlapping, back to back from the interval start: sample j covers [start + jL, start + (j+1)L).
            Assert.Equal(Enumerable.Range(0, Interval / length).Select(j => iv.Start + (long)j * length), starts);
            Assert.All(group, s => Assert.Equal(length + 1, s.Length));
        }
    }

    [Theory]
    [InlineData(1 << 18)]
    [InlineData(1 << 20)]
    public void Beyond_2_to_the_17_each_interval_gives_one_sample_at_each_end_clamped_inside_the_piece(int length)
    {
        var intervals = EnformerInsideChr2;
        var ds = Real(length);

        Assert.Equal(2 * intervals.Length, ds.Count);
        long lastStart = Chr2PieceLength - (length + 1);
        for (int i = 0; i < ds.Count; i += 2)
        {
            SampleRef first = ds.SampleAt(i, 0), second = ds.SampleAt(i + 1, 0);
            var iv = intervals[first.Interval];
            Assert.Equal(first.Interval, second.Interval);
            Assert.InRange(first.Start, 0, lastStart);
            Assert.InRange(second.Start, 0, lastStart);
            // Unless a piece edge gets in the way, one window starts at the interval start, one ends at its end.
            Assert.Equal(iv.Start <= lastStart ? iv.Start : lastStart, first.Start);
            Assert.Equal(iv.End - (length + 1) >= 0 ? iv.End : length + 1, second.End);
        }
    }

    [Fact]
    public void A_window_that_would_run_past_the_piece_end_is_shifted_to_end_there()
    {
        const int length = 1 << 20;
        var last = EnformerInsideChr2.MaxBy(iv => iv.End)!; // chr2:2174767-2305839
        var ds = Real(length, intervals: [last]);

        var first = ds.SampleAt(0, 0);

        Assert.True(last.Start + length + 1 > Chr2PieceLength, "precondition: the window from the interval start overruns the piece");
        Assert.Equal(Chr2PieceLength, first.End);
        AssertReadMatchesGenome(ds, 0, first);
    }

    [Theory]
    [InlineData(1 << 10, 0)]
    [InlineData(1 << 10, 77)]
    [InlineData(1 << 10, 4351)]
    [InlineData(1 << 14, 200)]
    [InlineData(1 << 18, 3)]
    [InlineData(1 << 20, 67)]
    public void Inputs_and_targets_are_the_genome_bases_shifted_by_one(int length, int index)
    {
        var ds = Real(length);

        var sample = ds.SampleAt(index, 0);

        AssertReadMatchesGenome(ds, index, sample);
    }

    [Fact]
    public void The_last_window_reads_one_base_past_the_interval_end_when_the_chromosome_holds_it_and_shifts_back_otherwise()
    {
        var genome = InMemoryGenome.FromStrings("toy", ("chr1", new string('A', 100)));
        GenomeInterval inside = new("chr1", 0, 40, "train"), atEnd = new("chr1", 60, 100, "train");
        var ds = new IntervalDataset(genome, [inside, atEnd], new IntervalDatasetOptions { Length = 10 });

        var starts = Enumerable.Range(0, ds.Count).Select(i => ds.SampleAt(i, 0).Start).ToArray();

        Assert.Equal(8, ds.Count);
        Assert.Equal(new long[] { 0, 10, 20, 30, 60, 70, 80, 89 }, starts);
    }

    [Fact]
    public void A_real_interval_ending_at_the_piece_end_keeps_all_its_samples_with_real_targets()
    {
        const int length = 1 << 10;
        var tail = new GenomeInterval("chr2", Chr2PieceLength - Interval, Chr2PieceLength, "train");
        var ds = Real(length, intervals: [tail]);

        var last = ds.SampleAt(ds.Count - 1, 0);

        Assert.Equal(Interval / length, ds.Count);
        Assert.Equal(Chr2PieceLength, last.End);
        Assert.Equal(Chr2PieceLength - length - 1, last.Start);
        AssertReadMatchesGenome(ds, ds.Count - 1, last);
    }

    [Fact]
    public void Short_intervals_give_two_samples_clamped_at_both_chromosome_ends()
    {
        var genome = InMemoryGenome.FromStrings("toy", ("chr7", new string('C', 100)));
        GenomeInterval nearStart = new("chr7", 5, 15, "train"), nearEnd = new("chr7", 90, 98, "train");
        var ds = new IntervalDataset(genome, [nearStart, nearEnd], new IntervalDatasetOptions { Length = 32 });

        var windows = Enumerable.Range(0, ds.Count).Select(i => ds.SampleAt(i, 0)).Select(s => (s.Start, s.End)).ToArray();

        // [5, 38) from the start; [15 − 33, 15) clamps to [0, 33); [90, 123) clamps to [67, 100); [65, 98) fits.
        Assert.Equal(new[] { (5L, 38L), (0L, 33L), (67L, 100L), (65L, 98L) }, windows);
    }

    [Fact]
    public void Chromosome_aliases_and_whole_records_are_accepted()
    {
        var genome = InMemoryGenome.FromStrings("toy", ("2", "ACGTACGTACGTACGTACGT"));
        var ds = new IntervalDataset(genome, [new GenomeInterval("chr2", 0, 16, "train")], new IntervalDatasetOptions { Length = 8, ReverseComplementProbability = 0 });
        var inputs = new int[8];
        var targets = new int[8];

        ds.Read(1, 0, inputs, targets);

        Assert.Equal("ACGTACGT", DnaTokenizer.Decode(inputs));
        Assert.Equal("CGTACGTA", DnaTokenizer.Decode(targets));
    }

    [Fact]
    public void Reverse_complemented_samples_are_the_reverse_complement_of_the_forward_window()
    {
        const int length = 1 << 12;
        var forward = Real(length, rc: 0);
        var reverse = Real(length, rc: 1);
        var (fIn, fTarget, rIn, rTarget) = (new int[length], new int[length], new int[length], new int[length]);

        foreach (int index in new[] { 0, 31, 1087 })
        {
            var f = forward.Read(index, 0, fIn, fTarget);
            var r = reverse.Read(index, 0, rIn, rTarget);

            Assert.False(f.ReverseComplement);
            Assert.True(r.ReverseComplement);
            Assert.Equal((f.Start, f.Length), (r.Start, r.Length));
            int[] window = [.. fIn, fTarget[^1]];
            int[] expected = ReverseComplement(window);
            Assert.Equal(expected[..length], rIn);
            Assert.Equal(expected[1..], rTarget);
        }
    }

    [Fact]
    public void On_train_about_half_the_samples_are_reverse_complemented_and_the_choice_changes_with_the_epoch()
    {
        var ds = Real(1 << 10, rc: null);
        int n = 0, rc = 0, flips = 0;
        for (int index = 0; index < ds.Count; index++)
        {
            bool previous = ds.IsReverseComplement(index, 0);
            for (int epoch = 0; epoch < 3; epoch++)
            {
                bool now = ds.IsReverseComplement(index, epoch);
                Assert.Equal(now, ds.SampleAt(index, epoch).ReverseComplement);
                n++;
                rc += now ? 1 : 0;
                flips += now != previous ? 1 : 0;
                previous = now;
            }
        }

        // 13,056 fair draws: the standard deviation of the rate is 0.0044; 0.03 is ~7 of them.
        Assert.InRange(rc / (double)n, 0.47, 0.53);
        // Consecutive epochs are independent draws, so about half of the 8,704 comparisons differ.
        Assert.InRange(flips / (2.0 * ds.Count), 0.45, 0.55);
    }

    [Fact]
    public void Evaluation_splits_are_not_augmented_by_default()
    {
        var valid = EnformerInsideChr2.Select(iv => iv with { Split = "valid" }).ToArray();
        var ds = Real(1 << 10, rc: null, split: "valid", intervals: valid);

        Assert.Equal(0.0, ds.Options.EffectiveReverseComplementProbability);
        Assert.DoesNotContain(Enumerable.Range(0, ds.Count), i => ds.IsReverseComplement(i, 1));
    }

    [Fact]
    public void Soft_masked_bases_become_unknown_only_under_the_compatibility_policy()
    {
        const int length = 1 << 12;
        var intervals = EnformerInsideChr2;
        var masked = new IntervalDataset(Chr2Genome(), intervals, new IntervalDatasetOptions { Length = length, ReverseComplementProbability = 0, Lowercase = LowercasePolicy.Unknown });
        var plain = Real(length);
        // The first window with soft-masked bases (repeats are everywhere in hg38).
        int index = Enumerable.Range(0, plain.Count).First(i => Chr2Text.AsSpan((int)plain.SampleAt(i, 0).Start, length).ContainsAnyInRange((byte)'a', (byte)'z'));
        var (inputs, targets) = (new int[length], new int[length]);

        var sample = masked.Read(index, 0, inputs, targets);

        Assert.Equal(ExpectedIds(sample.Start, length, lowercaseIsUnknown: true), inputs);
        Assert.Contains(DnaTokenizer.Unk, inputs.Select(i => (byte)i));
        plain.Read(index, 0, inputs, targets);
        Assert.DoesNotContain(DnaTokenizer.Unk, inputs.Select(i => (byte)i));
    }

    [Fact]
    public void Only_intervals_of_the_chosen_split_are_used_and_indices_point_into_the_full_list()
    {
        var genome = InMemoryGenome.FromStrings("toy", ("chr1", new string('G', 64)));
        GenomeInterval[] intervals = [new("chr1", 0, 16, "train"), new("chr1", 16, 32, "valid"), new("chr1", 32, 48, "train")];

        var train = new IntervalDataset(genome, intervals, new IntervalDatasetOptions { Length = 8 });
        var all = new IntervalDataset(genome, intervals, new IntervalDatasetOptions { Length = 8, Split = null });

        Assert.Equal(4, train.Count);
        Assert.Equal(new[] { 0, 0, 2, 2 }, Enumerable.Range(0, 4).Select(i => train.SampleAt(i, 0).Interval));
        Assert.Equal(6, all.Count);
    }

    [Fact]
    public void Bad_intervals_are_reported_with_their_index_and_the_reason()
    {
        var genome = Chr2Genome();
        var options = new IntervalDatasetOptions { Length = 1024 };

        var outside = Assert.Throws<ArgumentException>(() => new IntervalDataset(genome, [EnformerInsideChr2[0], new("chr2", 3_000_000, 3_131_072, "train")], options));
        var unknown = Assert.Throws<ArgumentException>(() => new IntervalDataset(genome, [new("chr5", 0, 10, "train")], options));
        var reversed = Assert.Throws<ArgumentException>(() => new IntervalDataset(genome, [new("chr2", 500, 400, "train")], options));

        Assert.Contains("interval 1", outside.Message);
        Assert.Contains("holds only part of 'chr2'", outside.Message);
        Assert.Contains("no sequence named 'chr5'", unknown.Message);
        Assert.Contains("start < end", reversed.Message);
    }

    [Fact]
    public void A_chromosome_shorter_than_one_sample_is_rejected()
    {
        var genome = InMemoryGenome.FromStrings("toy", ("chrM", new string('T', 1024)));

        var error = Assert.Throws<ArgumentException>(() => new IntervalDataset(genome, [new("chrM", 0, 1024, "train")], new IntervalDatasetOptions { Length = 1024 }));

        Assert.Contains("fewer than the 1,025 a sample of length 1024 reads", error.Message);
    }

    [Fact]
    public void Options_validation_names_the_bad_field()
    {
        var genome = Chr2Genome();

        var length = Assert.Throws<ArgumentOutOfRangeException>(() => new IntervalDataset(genome, EnformerInsideChr2, new IntervalDatasetOptions { Length = 0 }));
        var p = Assert.Throws<ArgumentOutOfRangeException>(() => new IntervalDatasetOptions { ReverseComplementProbability = 1.5 }.Validate());
        var nToPad = Assert.Throws<ArgumentException>(() => new IntervalDatasetOptions { ReplaceNWithPad = true }.Validate());

        Assert.Equal(nameof(IntervalDatasetOptions.Length), length.ParamName);
        Assert.Equal(nameof(IntervalDatasetOptions.ReverseComplementProbability), p.ParamName);
        Assert.Equal(nameof(IntervalDatasetOptions.ReplaceNWithPad), nToPad.ParamName);
    }

    [Fact]
    public void Read_rejects_buffers_of_the_wrong_length()
    {
        var ds = Real(1 << 10);

        Assert.Throws<ArgumentException>(() => ds.Read(0, 0, new int[1023], new int[1024]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ds.Read(ds.Count, 0, new int[1024], new int[1024]));
    }

    static void AssertReadMatchesGenome(IntervalDataset ds, int index, SampleRef sample)
    {
        int length = ds.Length;
        var (inputs, targets) = (new int[length], new int[length]);

        var read = ds.Read(index, 0, inputs, targets);

        Assert.Equal(sample, read);
        Assert.False(read.ReverseComplement);
        Assert.Equal(ExpectedIds(read.Start, length), inputs);
        Assert.Equal(ExpectedIds(read.Start + 1, length), targets);
        Assert.Equal(inputs.AsSpan(1).ToArray(), targets.AsSpan(0, length - 1).ToArray());
    }
}
