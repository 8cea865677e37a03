using Genomics.Data.Datasets;
using Genomics.Data.Genome;

namespace Genomics.Data.Tests.Species;

public class SpeciesHeldOutRegionTests
{
    static readonly SpeciesDatasetOptions Regions = new()
    {
        SplitMode = SpeciesSplitMode.HeldOutRegions,
        ValidFraction = 0.1,
        TestFraction = 0.2,
        SequenceLength = 50,
        Seed = 5,
    };

    // Orthologous-looking blocks: the same count per species, lengths differing a little, as in the ape files.
    static (string, IGenome)[] Blocks(int count, params string[] species) => species.Select((name, s) =>
    {
        var random = new Random(100 + s);
        var records = Enumerable.Range(1, count).Select(k => ($"{name}.{k}", 80 + random.Next(41))).ToArray();
        return (name, (IGenome)SmallGenomes.Random($"{name}.fa", s, records));
    }).ToArray();

    static SpeciesRegion Single(SpeciesDataset dataset, SpeciesSplit split, int label) => Assert.Single(dataset.Regions(split, label));

    [Fact]
    public void Each_chromosome_is_cut_into_train_then_valid_then_test_by_fraction()
    {
        using var dataset = new SpeciesDataset([("a", SmallGenomes.Random("a.fa", 1, ("chr1", 1000), ("chr2", 2000)))], Regions);
        foreach (var (record, length) in new[] { (0, 1000L), (1, 2000L) })
        {
            var train = dataset.Regions(SpeciesSplit.Train, 0).Single(r => r.Record == record);
            var valid = dataset.Regions(SpeciesSplit.Valid, 0).Single(r => r.Record == record);
            var test = dataset.Regions(SpeciesSplit.Test, 0).Single(r => r.Record == record);
            Assert.Equal((0L, train.End, valid.End), (train.Start, valid.Start, test.Start));
            Assert.Equal(length, test.End);
            Assert.InRange(valid.Length, 0.1 * length - 1, 0.1 * length + 1);
            Assert.InRange(test.Length, 0.2 * length - 1, 0.2 * length + 1);
        }
    }

    [Fact]
    public void Windows_never_leave_the_region_they_start_in()
    {
        // Valid regions are 100 and 200 bases: windows of 90 barely fit, so any off-by-one would show.
        using var dataset = new SpeciesDataset([("a", SmallGenomes.Random("a.fa", 1, ("chr1", 1000), ("chr2", 2000)))], Regions with { SequenceLength = 90, ValidSamples = 3000, TestSamples = 3000 });
        var tokens = new int[90];
        foreach (var split in Enum.GetValues<SpeciesSplit>())
        {
            for (int i = 0; i < 3000; i++)
            {
                var sample = dataset.Read(split, 0, i, tokens);
                Assert.Contains(dataset.Regions(split, 0), r => r.Record == sample.Record && r.Start <= sample.Start && sample.Start + 90 <= r.End);
            }
        }
    }

    [Fact]
    public void Concatenated_regions_end_at_the_same_junction_in_every_species()
    {
        using var dataset = new SpeciesDataset(Blocks(200, "p", "q", "r"), Regions with { ConcatenateRecords = true });
        var junctions = new List<(int Valid, int Test)>();
        for (int label = 0; label < 3; label++)
        {
            var genome = (ConcatenatedGenome)dataset.GenomeOf(label);
            var starts = genome.RecordStarts.ToList();
            var valid = Single(dataset, SpeciesSplit.Valid, label);
            var test = Single(dataset, SpeciesSplit.Test, label);
            Assert.Equal(Single(dataset, SpeciesSplit.Train, label).End, valid.Start);
            Assert.Equal(valid.End, test.Start);
            Assert.Equal(genome.Length, test.End);
            junctions.Add((starts.IndexOf(valid.Start), starts.IndexOf(test.Start)));
            // Within one block (at most 120 bases) of the requested fraction.
            Assert.InRange(valid.Start, 0.7 * genome.Length - 120, 0.7 * genome.Length + 120);
            Assert.InRange(test.Start, 0.8 * genome.Length - 120, 0.8 * genome.Length + 120);
        }
        Assert.Single(junctions.Distinct());
        Assert.InRange(junctions[0].Valid, 135, 145);
        Assert.InRange(junctions[0].Test, 155, 165);
    }

    [Fact]
    public void Without_alignment_concatenated_regions_are_cut_at_the_exact_fraction()
    {
        using var dataset = new SpeciesDataset(Blocks(200, "p", "q"), Regions with { ConcatenateRecords = true, AlignRegionsToRecords = false });
        for (int label = 0; label < 2; label++)
        {
            long length = ((ConcatenatedGenome)dataset.GenomeOf(label)).Length;
            Assert.Equal((long)Math.Floor((1 - 0.1 - 0.2) * length), Single(dataset, SpeciesSplit.Valid, label).Start);
            Assert.Equal((long)Math.Floor((1 - 0.2) * length), Single(dataset, SpeciesSplit.Test, label).Start);
        }
    }

    [Fact]
    public void Species_with_different_record_counts_are_each_cut_at_their_nearest_junction()
    {
        var genomes = Blocks(200, "p").Concat(Blocks(150, "q").Select(g => ("q", g.Item2))).ToArray();
        using var dataset = new SpeciesDataset(genomes, Regions with { ConcatenateRecords = true });
        for (int label = 0; label < 2; label++)
        {
            var genome = (ConcatenatedGenome)dataset.GenomeOf(label);
            long start = Single(dataset, SpeciesSplit.Valid, label).Start;
            Assert.Contains(start, genome.RecordStarts);
            Assert.InRange(start, 0.7 * genome.Length - 60, 0.7 * genome.Length + 60);
        }
    }

    [Fact]
    public void Regions_too_small_for_the_window_are_rejected_with_their_size()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SpeciesDataset(Blocks(20, "p"), Regions with { ConcatenateRecords = true, SequenceLength = 1000 }));
        Assert.Contains("species 'p' has no valid region that holds a window of 1,000 bases (the longest is", ex.Message);
        Assert.Contains("larger held-out fractions", ex.Message);
    }

    [Fact]
    public void A_zero_fraction_leaves_that_split_empty_and_train_runs_to_the_next_region()
    {
        using var dataset = new SpeciesDataset([("a", SmallGenomes.Random("a.fa", 1, ("chr1", 1000)))], Regions with { ValidFraction = 0 });
        Assert.Empty(dataset.Regions(SpeciesSplit.Valid, 0));
        Assert.Equal(0, dataset.Count(SpeciesSplit.Valid));
        Assert.Equal(Single(dataset, SpeciesSplit.Train, 0).End, Single(dataset, SpeciesSplit.Test, 0).Start);
        Assert.Throws<ArgumentOutOfRangeException>(() => dataset.Read(SpeciesSplit.Valid, 0, 0, new int[50]));
    }
}
