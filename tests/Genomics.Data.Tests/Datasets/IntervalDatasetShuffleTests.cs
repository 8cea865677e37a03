using Genomics.Data.Datasets;
using static Genomics.Data.Tests.Datasets.IntervalTestGenome;

namespace Genomics.Data.Tests.Datasets;

public sealed class IntervalDatasetShuffleTests
{
    static IntervalDataset Real(long seed) =>
        new(Chr2Genome(), EnformerInsideChr2, new IntervalDatasetOptions { Length = 1 << 10, Seed = seed });

    [Fact]
    public void Each_epoch_order_is_a_permutation_of_all_samples()
    {
        var ds = Real(1);

        int[] order = ds.Order(3);

        Assert.Equal(Enumerable.Range(0, ds.Count), order.Order());
    }

    [Fact]
    public void The_order_depends_only_on_seed_and_epoch()
    {
        var a = Real(7);
        var b = Real(7);

        Assert.Equal(a.Order(2), b.Order(2));
        Assert.NotEqual(a.Order(2), a.Order(3));
        Assert.NotEqual(a.Order(2), Real(8).Order(2));
        // A shuffle, not a rotation or near-identity: few samples stay in place (expected 1).
        Assert.InRange(a.Order(2).Where((sample, position) => sample == position).Count(), 0, 10);
    }

    [Fact]
    public void Strand_draws_depend_only_on_seed_epoch_and_index()
    {
        var a = Real(7);
        var b = Real(7);
        var indices = Enumerable.Range(0, a.Count);

        Assert.Equal(indices.Select(i => a.IsReverseComplement(i, 4)), indices.Reverse().Select(i => b.IsReverseComplement(i, 4)).Reverse());
        Assert.NotEqual(indices.Select(i => a.IsReverseComplement(i, 4)), indices.Select(i => Real(8).IsReverseComplement(i, 4)));
    }

    [Fact]
    public void Resuming_at_position_k_continues_the_same_order()
    {
        var ds = Real(11);
        int[] full = ds.Order(5);

        int[] resumed = Real(11).Order(5)[1000..];

        Assert.Equal(full[1000..], resumed);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(4352)]
    [InlineData(10_000)]
    public void The_fixed_subset_has_K_distinct_sorted_indices_fixed_by_the_seed(int k)
    {
        var ds = Real(3);

        int[] subset = ds.FixedSubset(k);

        Assert.Equal(Math.Min(k, ds.Count), subset.Length);
        Assert.Equal(subset.Distinct().Order(), subset);
        Assert.All(subset, i => Assert.InRange(i, 0, ds.Count - 1));
        Assert.Equal(subset, Real(3).FixedSubset(k));
    }

    [Fact]
    public void Different_seeds_pick_different_subsets_spread_over_the_dataset()
    {
        var ds = Real(3);

        int[] subset = ds.FixedSubset(200);

        Assert.NotEqual(subset, Real(4).FixedSubset(200));
        // Spread, not a prefix: the subset reaches into every quarter of the dataset.
        Assert.Equal(4, subset.Select(i => i * 4 / ds.Count).Distinct().Count());
    }

    [Fact]
    public void The_generator_draws_uniform_integers_and_replays_from_its_seed()
    {
        var rng = new DeterministicRandom(42);
        var counts = new int[10];
        for (int i = 0; i < 100_000; i++)
        {
            counts[rng.NextInt(10)]++;
        }
        var replay = new DeterministicRandom(42);
        var again = new DeterministicRandom(42);

        // Each bucket expects 10,000 with standard deviation 95; allow about 5 of them.
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
        Assert.Equal(Enumerable.Range(0, 8).Select(_ => replay.NextUInt64()), Enumerable.Range(0, 8).Select(_ => again.NextUInt64()));
        Assert.Empty(DeterministicRandom.Permutation(0, 1));
        Assert.Equal([0], DeterministicRandom.Permutation(1, 1));
    }
}
