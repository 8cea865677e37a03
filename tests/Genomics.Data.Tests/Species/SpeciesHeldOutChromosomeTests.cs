using Genomics.Data.Datasets;
using Genomics.Data.Genome;

namespace Genomics.Data.Tests.Species;

public class SpeciesHeldOutChromosomeTests
{
    static readonly HashSet<string> ValidKeys = ["1", "3", "12", "13"];
    static readonly HashSet<string> TestKeys = ["5", "7", "9", "10", "11"];

    // "mouse" names its chromosomes chrN, "yak" plain N: the HyenaDNA lists must match both.
    static SpeciesDataset Dataset(SpeciesDatasetOptions? options = null) => new(
    [
        ("yak", SmallGenomes.Random("yak.fa", 2, ("1", 3000), ("2", 20_000), ("3", 2500), ("5", 4000), ("12", 3000), ("13", 2600), ("X", 600))),
        ("mouse", SmallGenomes.Random("mouse.fa", 1, ("chr1", 4000), ("chr2", 5000), ("chr3", 3000), ("chr5", 6000), ("chr7", 2000), ("chr12", 1500), ("chr13", 1200), ("chrX", 8000), ("chrM", 300))),
    ], options ?? new SpeciesDatasetOptions { SequenceLength = 256 });

    static string Key(SpeciesDataset dataset, SpeciesSample sample) => ChromosomeMap.AliasKey(dataset.ChromosomeName(sample));

    [Fact]
    public void Held_out_chromosomes_are_matched_by_alias_in_every_species()
    {
        using var dataset = Dataset();
        foreach (int label in new[] { 0, 1 })
        {
            var genome = dataset.GenomeOf(label);
            string KeyOf(SpeciesRegion r) => ChromosomeMap.AliasKey(genome.Records[r.Record].Name);
            Assert.All(dataset.Regions(SpeciesSplit.Valid, label), r => Assert.Contains(KeyOf(r), ValidKeys));
            Assert.All(dataset.Regions(SpeciesSplit.Test, label), r => Assert.Contains(KeyOf(r), TestKeys));
            Assert.All(dataset.Regions(SpeciesSplit.Train, label), r => Assert.DoesNotContain(KeyOf(r), ValidKeys.Concat(TestKeys)));
            Assert.Equal(4, dataset.Regions(SpeciesSplit.Valid, label).Count);
            Assert.All(dataset.Regions(SpeciesSplit.Train, label), r => Assert.Equal((0L, genome.Records[r.Record].Length), (r.Start, r.End)));
        }
        int mouse = dataset.LabelOf("mouse");
        Assert.Equal(["2", "MT", "X"], dataset.Regions(SpeciesSplit.Train, mouse).Select(r => ChromosomeMap.AliasKey(dataset.GenomeOf(mouse).Records[r.Record].Name)).Order());
    }

    [Fact]
    public void Every_sample_lies_on_a_chromosome_of_its_split_and_its_tokens_are_the_bases_there()
    {
        using var dataset = Dataset();
        var tokens = new int[256];
        foreach (var (split, keys) in new[] { (SpeciesSplit.Train, (IReadOnlySet<string>?)null), (SpeciesSplit.Valid, ValidKeys), (SpeciesSplit.Test, TestKeys) })
        {
            for (int i = 0; i < 500; i++)
            {
                var sample = dataset.Read(split, 3, i, tokens);
                string key = Key(dataset, sample);
                if (keys is null)
                {
                    Assert.DoesNotContain(key, ValidKeys.Concat(TestKeys));
                }
                else
                {
                    Assert.Contains(key, keys);
                }
                var genome = dataset.GenomeOf(sample.Label);
                Assert.InRange(sample.Start, 0, genome.Records[sample.Record].Length - 256);
                var bases = new byte[256];
                genome.FetchRecord(sample.Record, sample.Start, bases, keepSoftMask: true);
                Assert.Equal(SmallGenomes.Ids(bases), tokens);
            }
        }
    }

    [Fact]
    public void Chromosomes_are_drawn_uniformly_not_by_length()
    {
        // mouse train: chr2 (5 kb), chrX (8 kb) and chrM (300 bp, too short for 512) → chr2 and chrX half each.
        using var dataset = Dataset(new SpeciesDatasetOptions { SequenceLength = 512 });
        int mouse = dataset.LabelOf("mouse");
        var counts = new Dictionary<string, int>();
        var tokens = new int[512];
        for (int i = 0; i < 4000; i++)
        {
            var sample = dataset.Read(SpeciesSplit.Train, 0, i, tokens);
            if (sample.Label == mouse)
            {
                string key = Key(dataset, sample);
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }
        Assert.Equal(["2", "X"], counts.Keys.Order());
        double share = (double)counts["2"] / (counts["2"] + counts["X"]);
        Assert.InRange(share, 0.45, 0.55);
    }

    [Fact]
    public void Train_chromosomes_can_be_listed_explicitly()
    {
        using var dataset = Dataset(new SpeciesDatasetOptions { SequenceLength = 256, TrainChromosomes = ["2"] });
        Assert.All(new[] { 0, 1 }, label =>
        {
            var region = Assert.Single(dataset.Regions(SpeciesSplit.Train, label));
            Assert.Equal("2", ChromosomeMap.AliasKey(dataset.GenomeOf(label).Records[region.Record].Name));
        });
    }

    [Fact]
    public void A_window_longer_than_every_region_of_a_split_is_rejected_naming_the_species_and_split()
    {
        // yak's valid chromosomes are at most 3,000 bases.
        var ex = Assert.Throws<ArgumentException>(() => Dataset(new SpeciesDatasetOptions { SequenceLength = 3500 }));
        Assert.Contains("'yak'", ex.Message);
        Assert.Contains("valid", ex.Message);
        Assert.Contains("3,000", ex.Message);
        Assert.Equal("SequenceLength", ex.ParamName);

        using var dataset = Dataset();
        var tooLong = Assert.Throws<ArgumentException>(() => dataset.Read(SpeciesSplit.Train, 0, 0, new int[30_000]));
        Assert.Contains("no train region that holds a window of 30,000 bases", tooLong.Message);
    }

    [Fact]
    public void A_species_without_any_held_out_chromosome_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SpeciesDataset(
        [
            ("yeast", SmallGenomes.Random("yeast.fa", 3, ("chrI", 1000), ("chrII", 1000))),
        ], new SpeciesDatasetOptions { SequenceLength = 100 }));
        Assert.Contains("species 'yeast' has no valid region", ex.Message);
        Assert.Contains("it has none", ex.Message);
    }

    [Fact]
    public void A_split_left_empty_on_purpose_has_no_samples_and_refuses_reads()
    {
        using var dataset = Dataset(new SpeciesDatasetOptions { SequenceLength = 256, TestChromosomes = [] });
        Assert.Equal(0, dataset.Count(SpeciesSplit.Test));
        Assert.Equal(1024, dataset.Count(SpeciesSplit.Valid));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => dataset.Read(SpeciesSplit.Test, 0, 0, new int[256]));
        Assert.Contains("test split is empty", ex.Message);
        // chr5 now trains.
        Assert.Contains(dataset.Regions(SpeciesSplit.Train, 0), r => ChromosomeMap.AliasKey(dataset.GenomeOf(0).Records[r.Record].Name) == "5");
    }

    [Fact]
    public void Labels_are_species_names_in_ordinal_order_whatever_the_input_order()
    {
        using var dataset = Dataset();
        Assert.Equal(["mouse", "yak"], dataset.SpeciesNames);
        Assert.Equal(2, dataset.SpeciesCount);
        Assert.Throws<KeyNotFoundException>(() => dataset.LabelOf("cow"));
    }

    [Fact]
    public void Two_genomes_for_one_species_are_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SpeciesDataset(
            [("a", SmallGenomes.Random("a1.fa", 1, ("chr2", 100))), ("a", SmallGenomes.Random("a2.fa", 1, ("chr2", 100)))],
            new SpeciesDatasetOptions { SequenceLength = 10 }));
        Assert.Contains("species 'a' is given twice", ex.Message);
    }
}
