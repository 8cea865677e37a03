using Genomics.Data.Datasets;

namespace Genomics.Data.Tests.Species;

/// <summary>The species task on the real ape chr22 blocks, concatenated per species, with held-out regions.</summary>
public class SpeciesApeTests
{
    static SpeciesDatasetOptions Options(int length) => new()
    {
        ConcatenateRecords = true,
        ConcatenatedName = "chr22",
        SplitMode = SpeciesSplitMode.HeldOutRegions,
        ValidFraction = 0.1,
        TestFraction = 0.1,
        SequenceLength = length,
        ValidSamples = 2000,
        TestSamples = 2000,
        Seed = 2023,
    };

    static SpeciesDataset Open(int length) => SpeciesDataset.OpenDirectory(ApeData.Directory, TestFasta.Open, Options(length));

    // Independent of DnaTokenizer: A=7 C=8 G=9 T=10 N=11 in either case.
    static readonly int[] Ids = BuildIds();

    static int[] BuildIds()
    {
        var ids = new int[256];
        Array.Fill(ids, -1);
        foreach (var (c, id) in new[] { ('A', 7), ('C', 8), ('G', 9), ('T', 10), ('N', 11) })
        {
            ids[c] = ids[char.ToLowerInvariant(c)] = id;
        }
        return ids;
    }

    [Fact]
    public void Four_species_come_from_the_directory_labelled_in_name_order()
    {
        using var dataset = Open(1 << 14);
        Assert.Equal(ApeData.Species, dataset.SpeciesNames);
        Assert.All(Enumerable.Range(0, 4), label => Assert.Equal("chr22", Assert.Single(dataset.GenomeOf(label).Records).Name));
    }

    [Fact]
    public void Held_out_regions_are_the_same_blocks_in_every_species_and_a_tenth_each()
    {
        using var dataset = Open(1 << 14);
        var cuts = new List<(int Valid, int Test)>();
        for (int label = 0; label < 4; label++)
        {
            var genome = (ConcatenatedGenome)dataset.GenomeOf(label);
            var train = Assert.Single(dataset.Regions(SpeciesSplit.Train, label));
            var valid = Assert.Single(dataset.Regions(SpeciesSplit.Valid, label));
            var test = Assert.Single(dataset.Regions(SpeciesSplit.Test, label));
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
        using var dataset = Open(length);
        var joined = ApeData.Species.Select(ApeData.JoinedBases).ToArray();
        var tokens = new int[length];
        foreach (var (split, draws) in new[] { (SpeciesSplit.Train, 10_000), (SpeciesSplit.Valid, 2000), (SpeciesSplit.Test, 2000) })
        {
            var perSpecies = new int[4];
            for (int i = 0; i < draws; i++)
            {
                var sample = dataset.Read(split, 1, i, tokens);
                perSpecies[sample.Label]++;
                var region = Assert.Single(dataset.Regions(split, sample.Label));
                Assert.True(sample.Start >= region.Start && sample.Start + length <= region.End,
                    $"{split} sample {i} at {sample.Start}+{length} leaves [{region.Start}, {region.End})");
                if (i % checkEvery == 0)
                {
                    var bases = joined[sample.Label].AsSpan(checked((int)sample.Start), length);
                    for (int k = 0; k < length; k++)
                    {
                        if (tokens[k] != Ids[bases[k]])
                        {
                            Assert.Fail($"{split} sample {i}: token {k} is {tokens[k]}, the genome has '{(char)bases[k]}'");
                        }
                    }
                }
            }
            // Train species are drawn uniformly (2,500 ± 4.4σ); the fixed sets go round-robin.
            Assert.All(perSpecies, n => Assert.InRange(n, split == SpeciesSplit.Train ? 2310 : draws / 4, split == SpeciesSplit.Train ? 2690 : draws / 4));
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_train_samples_and_another_epoch_other_ones()
    {
        using var first = Open(1 << 14);
        using var second = Open(1 << 14);
        var a = new int[1 << 14];
        var b = new int[1 << 14];
        int sameAcrossEpochs = 0;
        for (int i = 0; i < 200; i++)
        {
            var sample = first.Read(SpeciesSplit.Train, 4, i, a);
            Assert.Equal(sample, second.Read(SpeciesSplit.Train, 4, i, b));
            Assert.Equal(a, b);
            sameAcrossEpochs += sample == first.Read(SpeciesSplit.Train, 5, i, b) ? 1 : 0;
        }
        Assert.Equal(0, sameAcrossEpochs);
    }

    [Fact]
    public void The_fixed_validation_set_is_identical_across_datasets_and_epochs()
    {
        using var first = Open(1 << 14);
        using var second = Open(1 << 14);
        var a = new int[1 << 14];
        var b = new int[1 << 14];
        for (int i = 0; i < 2000; i += 13)
        {
            Assert.Equal(first.Read(SpeciesSplit.Valid, 0, i, a), second.Read(SpeciesSplit.Valid, 8, i, b));
            Assert.Equal(a, b);
        }
    }

    [Fact]
    public void Windows_of_a_megabase_fit_every_split_and_two_megabases_are_refused()
    {
        using var dataset = Open(1 << 20);
        var tokens = new int[1 << 20];
        foreach (var split in Enum.GetValues<SpeciesSplit>())
        {
            var sample = dataset.Read(split, 0, 0, tokens);
            var region = Assert.Single(dataset.Regions(split, sample.Label));
            Assert.InRange(sample.Start, region.Start, region.End - (1 << 20));
        }
        var ex = Assert.Throws<ArgumentException>(() => Open(1 << 21));
        Assert.Contains("has no valid region that holds a window of 2,097,152 bases", ex.Message);
    }
}
