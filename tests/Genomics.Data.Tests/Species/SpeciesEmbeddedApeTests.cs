using Genomics.Data.Datasets;

namespace Genomics.Data.Tests.Species;

/// <summary>
/// The default data shipped in the repo (data/apes: blocks 1–600 of each ape file, ~1.3 Mb per species),
/// opened the way a user would: a directory, the default reader, concatenated, held-out regions.
/// </summary>
public class SpeciesEmbeddedApeTests
{
    static SpeciesDatasetOptions Options(int length) => new()
    {
        ConcatenateRecords = true,
        ConcatenatedName = "chr22",
        SplitMode = SpeciesSplitMode.HeldOutRegions,
        SequenceLength = length,
        ValidSamples = 400,
        TestSamples = 400,
        Seed = 7,
    };

    static SpeciesDataset Open(int length) => SpeciesDataset.OpenDirectory(ApeData.EmbeddedDirectory, Options(length));

    [Fact]
    public void Four_species_each_hold_blocks_1_to_600_joined_into_one_sequence()
    {
        using var dataset = Open(1 << 10);
        Assert.Equal(ApeData.Species, dataset.SpeciesNames);
        foreach (string species in ApeData.Species)
        {
            var blocks = ApeData.HeaderBlocks(ApeData.EmbeddedFile(species));
            Assert.Equal(Enumerable.Range(1, ApeData.EmbeddedBlocks), blocks.Select(b => b.Block));
            var genome = (ConcatenatedGenome)dataset.GenomeOf(dataset.LabelOf(species));
            Assert.Equal("chr22", Assert.Single(genome.Records).Name);
            Assert.Equal(blocks.Select(b => b.Length), genome.Inner.Records.Select(r => r.Length));
            Assert.Equal(blocks.Sum(b => b.Length), genome.Length);
        }
    }

    [Fact]
    public void Held_out_regions_are_the_same_blocks_in_every_species_and_a_tenth_each()
    {
        using var dataset = Open(1 << 10);
        var cuts = new List<(int Valid, int Test)>();
        for (int label = 0; label < 4; label++)
        {
            var genome = (ConcatenatedGenome)dataset.GenomeOf(label);
            var train = Assert.Single(dataset.Regions(SpeciesSplit.Train, label));
            var valid = Assert.Single(dataset.Regions(SpeciesSplit.Valid, label));
            var test = Assert.Single(dataset.Regions(SpeciesSplit.Test, label));
            Assert.Equal((0L, train.End, valid.End, genome.Length), (train.Start, valid.Start, test.Start, test.End));
            // A block is ~0.2% of the sequence, so the cut lands within a block of the 10% asked for.
            Assert.InRange(valid.Length / (double)genome.Length, 0.095, 0.105);
            Assert.InRange(test.Length / (double)genome.Length, 0.095, 0.105);
            var starts = genome.RecordStarts.ToList();
            cuts.Add((starts.IndexOf(valid.Start), starts.IndexOf(test.Start)));
        }
        var cut = Assert.Single(cuts.Distinct());
        Assert.InRange(cut.Valid, 450, 510);
        Assert.InRange(cut.Test, cut.Valid + 30, 570);
    }

    [Theory]
    [InlineData(1 << 10)]
    [InlineData(1 << 14)]
    public void Windows_fit_every_split_and_hold_the_bases_of_their_species_there(int length)
    {
        using var dataset = Open(length);
        var joined = ApeData.Species.Select(s => ApeData.JoinedBases(ApeData.EmbeddedFile(s))).ToArray();
        var tokens = new int[length];
        foreach (var split in Enum.GetValues<SpeciesSplit>())
        {
            var labels = new HashSet<int>();
            for (int i = 0; i < 400; i++)
            {
                var sample = dataset.Read(split, 2, i, tokens);
                labels.Add(sample.Label);
                var region = Assert.Single(dataset.Regions(split, sample.Label));
                Assert.InRange(sample.Start, region.Start, region.End - length);
                var bases = joined[sample.Label].AsSpan(checked((int)sample.Start), length);
                int k = BaseIds.FirstMismatch(tokens, bases);
                if (k >= 0)
                {
                    Assert.Fail($"{split} sample {i}: token {k} is {tokens[k]}, the genome has '{(char)bases[k]}'");
                }
            }
            Assert.Equal(4, labels.Count);
        }
    }

    [Fact]
    public void Windows_longer_than_the_held_out_tenth_are_refused_up_front_naming_the_species()
    {
        var ex = Assert.Throws<ArgumentException>(() => Open(1 << 18));
        Assert.Contains("has no valid region that holds a window of 262,144 bases", ex.Message);
        Assert.Contains("chimpanzee.fa.gz: species 'chimpanzee'", ex.Message);
    }
}
