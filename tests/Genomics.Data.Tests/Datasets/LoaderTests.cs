using Genomics.Data.Datasets;
using static Genomics.Data.Tests.Datasets.IntervalTestGenome;

namespace Genomics.Data.Tests.Datasets;

public sealed class LoaderTests
{
    const int Length = 1 << 10, BatchSize = 32;

    static IntervalDataset Real(long seed = 5) =>
        new(Chr2Genome(), EnformerInsideChr2, new IntervalDatasetOptions { Length = Length, Seed = seed });

    /// <summary>Copies every batch of an epoch (the loader lends its buffers only until the next batch).</summary>
    internal static List<(int Index, int[] Inputs, int[] Targets, SampleRef[] Samples)> Collect(PrefetchLoader loader, int epoch, int start = 0) =>
        loader.Epoch(epoch, start).Select(b => (b.Index, b.FilledInputs.ToArray(), b.FilledTargets.ToArray(), b.Samples[..b.Size])).ToList();

    [Fact]
    public void Batches_are_identical_with_1_2_and_4_workers()
    {
        var source = new IntervalDatasetBatches(Real(), BatchSize);

        var one = Collect(new PrefetchLoader(source, new() { Workers = 1, Prefetch = 2 }), epoch: 1);
        var two = Collect(new PrefetchLoader(source, new() { Workers = 2, Prefetch = 3 }), epoch: 1);
        var four = Collect(new PrefetchLoader(source, new() { Workers = 4, Prefetch = 8 }), epoch: 1);

        Assert.Equal(source.BatchCount(1), one.Count);
        foreach (var other in new[] { two, four })
        {
            Assert.Equal(one.Count, other.Count);
            for (int k = 0; k < one.Count; k++)
            {
                Assert.Equal(one[k].Index, other[k].Index);
                Assert.Equal(one[k].Samples, other[k].Samples);
                Assert.True(one[k].Inputs.AsSpan().SequenceEqual(other[k].Inputs), $"batch {k} inputs differ");
                Assert.True(one[k].Targets.AsSpan().SequenceEqual(other[k].Targets), $"batch {k} targets differ");
            }
        }
    }

    [Fact]
    public void Batch_rows_are_the_dataset_samples_in_the_epoch_order()
    {
        var ds = Real();
        var source = new IntervalDatasetBatches(ds, BatchSize);
        int[] order = ds.Order(2);
        var (inputs, targets) = (new int[Length], new int[Length]);

        foreach (var batch in new PrefetchLoader(source).Epoch(2).Where(b => b.Index % 40 == 3))
        {
            Assert.Equal(BatchSize, batch.Size);
            for (int r = 0; r < batch.Size; r++)
            {
                var sample = ds.Read(order[batch.Index * BatchSize + r], 2, inputs, targets);
                Assert.Equal(sample, batch.Samples[r]);
                Assert.True(batch.InputRow(r).SequenceEqual(inputs));
                Assert.True(batch.TargetRow(r).SequenceEqual(targets));
                Assert.Equal(ExpectedIds(sample.Start, Length), sample.ReverseComplement ? ReverseComplement(batch.TargetRow(r).ToArray()) : batch.InputRow(r).ToArray());
            }
        }
    }

    [Fact]
    public void Resuming_at_batch_k_yields_the_rest_of_the_same_epoch()
    {
        var source = new IntervalDatasetBatches(Real(), BatchSize);
        var full = Collect(new PrefetchLoader(source), epoch: 0);

        var resumed = Collect(new PrefetchLoader(new IntervalDatasetBatches(Real(), BatchSize), new() { Workers = 3 }), epoch: 0, start: 57);

        Assert.Equal(full.Count - 57, resumed.Count);
        for (int k = 0; k < resumed.Count; k++)
        {
            Assert.Equal(full[57 + k].Index, resumed[k].Index);
            Assert.True(full[57 + k].Inputs.AsSpan().SequenceEqual(resumed[k].Inputs));
        }
    }

    [Fact]
    public void Each_epoch_draws_a_new_order()
    {
        var loader = new PrefetchLoader(new IntervalDatasetBatches(Real(), BatchSize));

        var first = Collect(loader, 0)[0].Samples;
        var second = Collect(loader, 1)[0].Samples;

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task A_worker_exception_reaches_the_consumer_instead_of_hanging()
    {
        var loader = new PrefetchLoader(new FailingSource(failAt: 5), new() { Workers = 2, Prefetch = 3 });
        var seen = new List<int>();

        var run = Task.Run(() => Assert.Throws<BatchLoadException>(() =>
        {
            foreach (var batch in loader.Epoch(0))
            {
                seen.Add(batch.Index);
            }
        }));

        // A hang shows up as a TimeoutException here rather than a stuck test run.
        var error = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(5, error.BatchIndex);
        Assert.IsType<InvalidDataException>(error.InnerException);
        Assert.DoesNotContain(5, seen);
        Assert.Equal(Enumerable.Range(0, seen.Count), seen);
    }

    [Fact]
    public async Task Cancellation_ends_the_epoch_promptly()
    {
        using var cts = new CancellationTokenSource();
        var loader = new PrefetchLoader(new SlowSource(), new() { Workers = 2 });
        int taken = 0;

        var run = Task.Run(() => Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var _ in loader.Epoch(0, cancellationToken: cts.Token))
            {
                if (++taken == 2)
                {
                    cts.Cancel();
                }
            }
        }));

        await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, taken);
        // The loader is free again afterwards: its workers were stopped and joined.
        Assert.Equal(3, loader.Epoch(0).Take(3).Count());
    }

    [Fact]
    public void One_loader_runs_one_epoch_at_a_time()
    {
        var loader = new PrefetchLoader(new IntervalDatasetBatches(Real(), BatchSize));
        using var first = loader.Epoch(0).GetEnumerator();
        Assert.True(first.MoveNext());

        Assert.Throws<InvalidOperationException>(() => loader.Epoch(1).First());
    }

    [Fact]
    public void Validation_batches_cover_exactly_the_fixed_subset_keeping_a_partial_last_batch()
    {
        var ds = new IntervalDataset(Chr2Genome(), EnformerInsideChr2, new IntervalDatasetOptions { Length = Length, Seed = 9, ReverseComplementProbability = 0 });
        int[] subset = ds.FixedSubset(100);
        var source = new IntervalDatasetBatches(ds, BatchSize, shuffle: false, dropLast: false, indices: subset);

        var batches = Collect(new PrefetchLoader(source), epoch: 0);

        Assert.Equal(new[] { 32, 32, 32, 4 }, batches.Select(b => b.Samples.Length));
        Assert.Equal(subset.Select(i => ds.SampleAt(i, 0)), batches.SelectMany(b => b.Samples));
        Assert.Equal(batches.Select(b => b.Samples), Collect(new PrefetchLoader(source), epoch: 7).Select(b => b.Samples));
    }

    [Fact]
    public void Bad_arguments_are_rejected_before_any_work_starts()
    {
        var source = new IntervalDatasetBatches(Real(), BatchSize);

        Assert.Throws<ArgumentOutOfRangeException>(() => new PrefetchLoader(source).Epoch(0, startBatch: source.BatchCount(0) + 1));
        var workers = Assert.Throws<ArgumentOutOfRangeException>(() => new PrefetchLoader(source, new() { Workers = 0 }));
        Assert.Equal(nameof(PrefetchLoaderOptions.Workers), workers.ParamName);
        Assert.Empty(new PrefetchLoader(source).Epoch(0, startBatch: source.BatchCount(0)));
    }

    /// <summary>Fails on one batch, to prove errors cross threads.</summary>
    sealed class FailingSource(int failAt) : IBatchSource
    {
        public int BatchSize => 2;
        public int Length => 4;
        public int BatchCount(int epoch) => 50;

        public void FillBatch(int epoch, int batchIndex, Batch destination)
        {
            if (batchIndex == failAt)
            {
                throw new InvalidDataException($"corrupt input at batch {batchIndex}");
            }
            destination.Inputs.AsSpan().Fill(batchIndex);
            (destination.Size, destination.Epoch, destination.Index) = (BatchSize, epoch, batchIndex);
        }
    }

    /// <summary>Slow enough that cancellation arrives mid-epoch.</summary>
    sealed class SlowSource : IBatchSource
    {
        public int BatchSize => 1;
        public int Length => 1;
        public int BatchCount(int epoch) => 1000;

        public void FillBatch(int epoch, int batchIndex, Batch destination)
        {
            Thread.Sleep(5);
            (destination.Size, destination.Epoch, destination.Index) = (BatchSize, epoch, batchIndex);
        }
    }
}
