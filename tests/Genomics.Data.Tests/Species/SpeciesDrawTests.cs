using Genomics.Data.Datasets;
using Genomics.Data.Genome;

namespace Genomics.Data.Tests.Species;

/// <summary>
/// How a sample's draws come from the shared generator: one <see cref="DeterministicRandom"/> stream keyed by
/// (seed, split, epoch, index), read in a fixed order. Expectations are recomputed from that recipe, never
/// hard-coded, so they survive a change of generator constants.
/// </summary>
public class SpeciesDrawTests
{
    const int Length = 200;

    static SpeciesDataset Dataset(bool reverseComplement = false) => new(
    [
        ("a", SmallGenomes.Random("a.fa", 1, ("chr1", 3000), ("chr2", 9000), ("chr5", 3000), ("chr8", 150))),
        ("b", SmallGenomes.Random("b.fa", 2, ("chr1", 3000), ("chr2", 7000), ("chr4", 5000), ("chr5", 3000))),
        ("c", SmallGenomes.Random("c.fa", 3, ("chr1", 3000), ("chr2", 8000), ("chr5", 3000))),
    ], new SpeciesDatasetOptions { SequenceLength = Length, Seed = 99, ReverseComplementTrain = reverseComplement, MaxNFraction = 1 });

    [Theory]
    [InlineData(SpeciesSplit.Train, false)]
    [InlineData(SpeciesSplit.Train, true)]
    [InlineData(SpeciesSplit.Valid, false)]
    [InlineData(SpeciesSplit.Test, true)]
    public void A_sample_is_species_then_strand_then_region_then_start_drawn_from_its_key(SpeciesSplit split, bool reverseComplement)
    {
        using var dataset = Dataset(reverseComplement);
        var tokens = new int[Length];
        for (long index = 0; index < 300; index++)
        {
            bool train = split == SpeciesSplit.Train;
            var random = SpeciesDataset.SampleRandom(99, split, train ? 6 : 0, index);
            int label = train ? random.NextInt(3) : (int)(index % 3);
            bool reverse = train && reverseComplement && random.NextBool();
            // Only regions that hold a whole window are candidates (chr8 of species a, 150 bases, never is).
            var regions = dataset.Regions(split, label).Where(r => r.Length >= Length).ToArray();
            var region = regions[random.NextInt(regions.Length)];
            long start = region.Start + random.NextInt64(region.Length - Length + 1);

            var sample = dataset.Read(split, 6, index, tokens);
            Assert.Equal(new SpeciesSample(label, region.Record, start, Length, reverse, 0), sample);
        }
    }

    [Fact]
    public void Each_part_of_the_key_gives_another_stream_and_the_same_key_the_same_one()
    {
        static ulong First(ulong seed, SpeciesSplit split, long epoch, long index) => SpeciesDataset.SampleRandom(seed, split, epoch, index).NextUInt64();

        ulong reference = First(1, SpeciesSplit.Train, 2, 3);
        Assert.Equal(reference, First(1, SpeciesSplit.Train, 2, 3));
        var others = new[]
        {
            First(0, SpeciesSplit.Train, 2, 3), First(1, SpeciesSplit.Valid, 2, 3), First(1, SpeciesSplit.Test, 2, 3),
            First(1, SpeciesSplit.Train, 3, 3), First(1, SpeciesSplit.Train, 2, 4), First(1, SpeciesSplit.Train, 3, 2),
        };
        Assert.DoesNotContain(reference, others);
        Assert.Equal(others.Length, others.Distinct().Count());
    }

    [Fact]
    public void Neighbouring_indices_draw_unrelated_species()
    {
        // Consecutive keys must not give correlated streams: the 9 (label, next label) pairs are equally common.
        using var dataset = Dataset();
        var tokens = new int[Length];
        var labels = Enumerable.Range(0, 9001).Select(i => dataset.Read(SpeciesSplit.Train, 0, i, tokens).Label).ToArray();
        var pairs = new int[9];
        for (int i = 0; i < 9000; i++)
        {
            pairs[labels[i] * 3 + labels[i + 1]]++;
        }
        // 1,000 expected per pair, σ ≈ 30.
        Assert.All(pairs, n => Assert.InRange(n, 860, 1140));
    }

    [Fact]
    public void Reading_a_sample_allocates_nothing_once_its_length_has_been_seen()
    {
        using var dataset = Dataset(reverseComplement: true);
        var tokens = new int[Length];
        dataset.Read(SpeciesSplit.Train, 0, 0, tokens);
        dataset.Read(SpeciesSplit.Valid, 0, 0, tokens);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            dataset.Read(SpeciesSplit.Train, 1, i, tokens);
            dataset.Read(SpeciesSplit.Valid, 1, i, tokens);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void The_shared_generator_draws_genome_positions_past_the_int_range_uniformly()
    {
        const long bound = 3L << 32;
        var random = new DeterministicRandom(5);
        var eighths = new int[8];
        int heads = 0;
        for (int i = 0; i < 80_000; i++)
        {
            long x = random.NextInt64(bound);
            Assert.InRange(x, 0, bound - 1);
            eighths[(int)(x / (bound / 8))]++;
            heads += random.NextBool() ? 1 : 0;
        }
        // 10,000 per eighth (σ ≈ 94) and 40,000 heads (σ ≈ 141), within about 5σ.
        Assert.All(eighths, n => Assert.InRange(n, 9_500, 10_500));
        Assert.InRange(heads, 39_300, 40_700);
    }
}
