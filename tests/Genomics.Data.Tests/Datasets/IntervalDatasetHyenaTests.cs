using Genomics.Data.Datasets;
using Genomics.Data.Genome;
using Genomics.Data.Tokenization;
using static Genomics.Data.Tests.Datasets.IntervalTestGenome;

namespace Genomics.Data.Tests.Datasets;

/// <summary>HyenaDNA's hg38 loader as a compatibility mode (hg38_dataset.py, add_eos=True).</summary>
public sealed class IntervalDatasetHyenaTests
{
    static readonly IntervalDatasetOptions Hyena = new()
    {
        Semantics = IntervalDatasetSemantics.HyenaDna,
        ReverseComplementProbability = 0,
    };

    [Theory]
    [InlineData(1 << 10)]
    [InlineData(1 << 17)]
    public void Each_interval_gives_one_sample_of_its_first_L_bases_followed_by_SEP(int length)
    {
        var intervals = EnformerInsideChr2;
        var ds = new IntervalDataset(Chr2Genome(), intervals, Hyena with { Length = length });
        var (inputs, targets) = (new int[length], new int[length]);

        Assert.Equal(intervals.Length, ds.Count);
        foreach (int index in new[] { 0, 17, intervals.Length - 1 })
        {
            var sample = ds.Read(index, 0, inputs, targets);

            Assert.Equal(intervals[index].Start, sample.Start);
            Assert.Equal(length, sample.Length);
            int[] expected = ExpectedIds(sample.Start, length);
            Assert.Equal(expected, inputs);
            Assert.Equal([.. expected[1..], DnaTokenizer.Sep], targets);
        }
    }

    [Theory]
    [InlineData(500, 510, 32, 489, 521)]  // 22 missing: 11 each side
    [InlineData(500, 511, 32, 490, 522)]  // 21 missing: 10 left, 11 right (HyenaDNA gives the odd one to the right)
    public void A_short_interval_is_widened_evenly_to_L_bases(long start, long end, int length, long expectedStart, long expectedEnd)
    {
        var bases = Chr2Text.AsSpan(1_000_000, 1000).ToArray();
        var genome = new InMemoryGenome("toy", [("chr9", bases)]);
        var ds = new IntervalDataset(genome, [new("chr9", start, end, "train")], Hyena with { Length = length });
        var (inputs, targets) = (new int[length], new int[length]);

        var sample = ds.Read(0, 0, inputs, targets);

        Assert.Equal((expectedStart, expectedEnd), (sample.Start, sample.End));
        Assert.Equal(ExpectedIds(bases.AsSpan((int)expectedStart, length)), inputs);
    }

    [Fact]
    public void Bases_missing_past_a_chromosome_end_become_PAD_on_the_left_by_default()
    {
        var genome = InMemoryGenome.FromStrings("toy", ("chr1", "ACGTACGTAC" + new string('G', 80) + "TTTTTCCCCC"));
        GenomeInterval nearStart = new("chr1", 2, 6, "train"), nearEnd = new("chr1", 96, 100, "train");
        var ds = new IntervalDataset(genome, [nearStart, nearEnd], Hyena with { Length = 16 });
        var (inputs, targets) = (new int[16], new int[16]);

        var first = ds.Read(0, 0, inputs, targets);
        Assert.Equal((0L, 12, 4), (first.Start, first.Length, first.PadBefore));
        Assert.Equal("[PAD][PAD][PAD][PAD]ACGTACGTACGG", DnaTokenizer.Decode(inputs));
        Assert.Equal("[PAD][PAD][PAD]ACGTACGTACGG[SEP]", DnaTokenizer.Decode(targets));

        var second = ds.Read(1, 0, inputs, targets);
        Assert.Equal((90L, 10, 6, 0), (second.Start, second.Length, second.PadBefore, second.PadAfter));
        Assert.Equal("[PAD][PAD][PAD][PAD][PAD][PAD]TTTTTCCCCC", DnaTokenizer.Decode(inputs));
        Assert.Equal("[PAD][PAD][PAD][PAD][PAD]TTTTTCCCCC[SEP]", DnaTokenizer.Decode(targets));
    }

    [Fact]
    public void Padding_can_go_where_the_chromosome_ends_instead()
    {
        var genome = InMemoryGenome.FromStrings("toy", ("chr1", new string('G', 90) + "TTTTTCCCCC"));
        var ds = new IntervalDataset(genome, [new("chr1", 96, 100, "train")], Hyena with { Length = 16, Padding = IntervalDatasetPadding.WhereMissing });
        var (inputs, targets) = (new int[16], new int[16]);

        var sample = ds.Read(0, 0, inputs, targets);

        Assert.Equal((0, 6), (sample.PadBefore, sample.PadAfter));
        Assert.Equal("TTTTTCCCCC[PAD][PAD][PAD][PAD][PAD][PAD]", DnaTokenizer.Decode(inputs));
        Assert.Equal("TTTTCCCCC[PAD][PAD][PAD][PAD][PAD][PAD][SEP]", DnaTokenizer.Decode(targets));
    }

    [Fact]
    public void Reverse_complement_turns_the_bases_but_leaves_padding_and_SEP_in_place()
    {
        var genome = InMemoryGenome.FromStrings("toy", ("chr1", "AACCG" + new string('T', 95)));
        var ds = new IntervalDataset(genome, [new("chr1", 0, 4, "train")], Hyena with { Length = 8, ReverseComplementProbability = 1 });
        var (inputs, targets) = (new int[8], new int[8]);

        // Widened to [-2, 6): 2 PAD, then AACCGT reverse-complemented.
        var sample = ds.Read(0, 0, inputs, targets);

        Assert.True(sample.ReverseComplement);
        Assert.Equal("[PAD][PAD]ACGGTT", DnaTokenizer.Decode(inputs));
        Assert.Equal("[PAD]ACGGTT[SEP]", DnaTokenizer.Decode(targets));
    }

    [Fact]
    public void N_becomes_PAD_only_when_asked()
    {
        var genome = InMemoryGenome.FromStrings("toy", ("chr1", "ACNNGT" + new string('A', 20)));
        GenomeInterval[] intervals = [new("chr1", 0, 8, "train")];
        var (inputs, targets) = (new int[8], new int[8]);

        new IntervalDataset(genome, intervals, Hyena with { Length = 8 }).Read(0, 0, inputs, targets);
        Assert.Equal("ACNNGTAA", DnaTokenizer.Decode(inputs));

        new IntervalDataset(genome, intervals, Hyena with { Length = 8, ReplaceNWithPad = true }).Read(0, 0, inputs, targets);
        Assert.Equal("AC[PAD][PAD]GTAA", DnaTokenizer.Decode(inputs));
        Assert.Equal("C[PAD][PAD]GTAA[SEP]", DnaTokenizer.Decode(targets));
    }

    [Fact]
    public void A_chromosome_shorter_than_L_is_padded_rather_than_rejected()
    {
        var genome = InMemoryGenome.FromStrings("toy", ("chrM", "ACGT"));
        var ds = new IntervalDataset(genome, [new("chrM", 1, 3, "train")], Hyena with { Length = 8 });
        var (inputs, targets) = (new int[8], new int[8]);

        var sample = ds.Read(0, 0, inputs, targets);

        Assert.Equal((0L, 4, 4), (sample.Start, sample.Length, sample.PadBefore));
        Assert.Equal("[PAD][PAD][PAD][PAD]ACGT", DnaTokenizer.Decode(inputs));
    }
}
