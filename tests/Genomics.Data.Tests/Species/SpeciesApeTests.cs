using Genomics.Data.Datasets;

namespace Genomics.Data.Tests.Species;

/// <summary>
/// The species task on the real ape chr22 blocks (shared data), read through the default reader,
/// concatenated per species, with held-out regions.
/// </summary>
[Collection(ApeCollection.Name)]
public class SpeciesApeTests(ApeFixture apes)
{
    readonly SpeciesDataset _dataset = apes.Dataset;

    [Fact]
    public void Four_species_come_from_the_directory_labelled_in_name_order()
    {
        Assert.Equal(ApeData.Species, _dataset.SpeciesNames);
        Assert.All(Enumerable.Range(0, 4), label => Assert.Equal("chr22", Assert.Single(_dataset.GenomeOf(label).Records).Name));
    }

    [Fact]
    public void Every_block_is_read_including_the_orangutan_blocks_whose_names_repeat()
    {
        foreach (string species in ApeData.Species)
        {
            var genome = (ConcatenatedGenome)_dataset.GenomeOf(_dataset.LabelOf(species));
            var blocks = ApeData.HeaderBlocks(ApeData.File(species));
            Assert.Equal(ApeData.SharedBlocks, genome.Inner.Records.Count);
            Assert.Equal(blocks.Select(b => b.Length), genome.Inner.Records.Select(r => r.Length));
        }
        var orangutan = ((ConcatenatedGenome)_dataset.GenomeOf(_dataset.LabelOf("orangutan"))).Inner.Records;
        Assert.True(orangutan.Select(r => r.Name).Distinct().Count() < orangutan.Count, "the orangutan file no longer repeats names; this test lost its point");
    }

    [Fact]
    public void Held_out_regions_are_the_same_blocks_in_every_species_and_a_tenth_each()
    {
        var cuts = new List<(int Valid, int Test)>();
        for (int label = 0; label < 4; label++)
        {
            var genome = (ConcatenatedGenome)_dataset.GenomeOf(label);
            var train = Assert.Single(_dataset.Regions(SpeciesSplit.Train, label));
            var valid = Assert.Single(_dataset.Regions(SpeciesSplit.Valid, label));
            var test = Assert.Single(_dataset.Regions(SpeciesSplit.Test, label));
            Assert.Equal((0L, train.End, valid.End, genome.Length), (train.Start, valid.Start, test.Start, test.End));
            Assert.InRange(valid.Length / (double)genome.Length, 0.098, 0.102);
            Assert.InRange(test.Length / (double)genome.Length, 0.098, 0.102);
            var starts = genome.RecordStarts.ToList();
            cuts.Add((starts.IndexOf(valid.Start), starts.IndexOf(test.Start)));
        }
        var cut = Assert.Single(cuts.Distinct());
        Assert.True(cut.Valid > 0 && cut.Test > cut.Valid, $"cuts at blocks {cut}");
    }

    [Theory]
    [InlineData(1 << 14, 1)]
    [InlineData(1 << 16, 7)]
    public void Every_window_lies_inside_one_region_of_its_split_and_holds_the_genome_bases_there(int length, int checkEvery)
    {
        var joined = ApeData.Species.Select(s => ApeData.JoinedBases(ApeData.File(s))).ToArray();
        var tokens = new int[length];
        foreach (var (split, draws) in new[] { (SpeciesSplit.Train, 10_000), (SpeciesSplit.Valid, 2000), (SpeciesSplit.Test, 2000) })
        {
            var perSpecies = new int[4];
            for (int i = 0; i < draws; i++)
            {
                var sample = _dataset.Read(split, 1, i, tokens);
                perSpecies[sample.Label]++;
                var region = Assert.Single(_dataset.Regions(split, sample.Label));
                Assert.True(sample.Start >= region.Start && sample.Start + length <= region.End,
                    $"{split} sample {i} at {sample.Start}+{length} leaves [{region.Start}, {region.End})");
                if (i % checkEvery == 0)
                {
                    var bases = joined[sample.Label].AsSpan(checked((int)sample.Start), length);
                    int k = BaseIds.FirstMismatch(tokens, bases);
                    if (k >= 0)
                    {
                        Assert.Fail($"{split} sample {i}: token {k} is {tokens[k]}, the genome has '{(char)bases[k]}'");
                    }
                }
            }
            // Train species are drawn uniformly (2,500 ± 4.4σ); the fixed sets go round-robin.
            Assert.All(perSpecies, n => Assert.InRange(n, split == SpeciesSplit.Train ? 2310 : draws / 4, split == SpeciesSplit.Train ? 2690 : draws / 4));
        }
    }

    [Fact]
    public void A_train_sample_replays_within_its_epoch_and_differs_in_another()
    {
        // Across dataset instances (and readers) see SpeciesReaderEquivalenceTests.
        var a = new int[1 << 14];
        var b = new int[1 << 14];
        int sameAcrossEpochs = 0;
        for (int i = 0; i < 200; i++)
        {
            var sample = _dataset.Read(SpeciesSplit.Train, 4, i, a);
            Assert.Equal(sample, _dataset.Read(SpeciesSplit.Train, 4, i, b));
            Assert.Equal(a, b);
            sameAcrossEpochs += sample == _dataset.Read(SpeciesSplit.Train, 5, i, b) ? 1 : 0;
        }
        Assert.Equal(0, sameAcrossEpochs);
    }

    [Fact]
    public void The_fixed_validation_set_is_identical_across_epochs()
    {
        var a = new int[1 << 14];
        var b = new int[1 << 14];
        for (int i = 0; i < 2000; i += 13)
        {
            Assert.Equal(_dataset.Read(SpeciesSplit.Valid, 0, i, a), _dataset.Read(SpeciesSplit.Valid, 8, i, b));
            Assert.Equal(a, b);
        }
    }

    [Fact]
    public void Windows_of_a_megabase_fit_every_split_and_two_megabases_do_not_fit_the_held_out_ones()
    {
        var tokens = new int[1 << 20];
        foreach (var split in Enum.GetValues<SpeciesSplit>())
        {
            var sample = _dataset.Read(split, 0, 0, tokens);
            var region = Assert.Single(_dataset.Regions(split, sample.Label));
            Assert.InRange(sample.Start, region.Start, region.End - (1 << 20));
        }
        var ex = Assert.Throws<ArgumentException>(() => _dataset.Read(SpeciesSplit.Valid, 0, 0, new int[1 << 21]));
        Assert.Contains("has no valid region that holds a window of 2,097,152 bases", ex.Message);
    }
}
