using System.Diagnostics;
using Genomics.Data.Datasets;
using Xunit.Abstractions;
using static Genomics.Data.Tests.Datasets.IntervalTestGenome;

namespace Genomics.Data.Tests.Datasets;

/// <summary>Allocation and speed of the loader on real data, measured with nothing else running.</summary>
[Collection(nameof(LoaderMeasurementCollection))]
public sealed class LoaderMeasurementTests(ITestOutputHelper output)
{
    [Fact]
    public void Steady_state_loading_allocates_far_less_than_one_batch()
    {
        var ds = new IntervalDataset(Chr2Genome(), EnformerInsideChr2, new IntervalDatasetOptions { Length = 1 << 10 });
        var source = new AllocationCountingSource(new IntervalDatasetBatches(ds, 64));
        var loader = new PrefetchLoader(source, new() { Workers = 2, Prefetch = 4 });
        long batchBytes = 2L * 64 * (1 << 10) * sizeof(int);
        Drain(loader, 0); // warm: slot buffers, pools, JIT
        source.Reset();

        // Per-thread counters, because the test host allocates on its own threads meanwhile.
        long before = GC.GetAllocatedBytesForCurrentThread();
        long tokens = Drain(loader, 1);
        long consumer = GC.GetAllocatedBytesForCurrentThread() - before;

        output.WriteLine($"epoch of {tokens:N0} tokens in {source.Calls} batches: workers allocated {source.Allocated:N0} bytes, consumer {consumer:N0} (one batch is {batchBytes:N0})");
        Assert.InRange(source.Allocated, 0, batchBytes / 4);
        Assert.InRange(consumer, 0, batchBytes / 4);
    }

    [Theory]
    [InlineData(1 << 10, 64)]
    [InlineData(1 << 17, 8)]
    public void Throughput_with_two_workers_on_an_in_memory_genome_is_reported(int length, int batchSize)
    {
        var ds = new IntervalDataset(Chr2Genome(), EnformerInsideChr2, new IntervalDatasetOptions { Length = length });
        var loader = new PrefetchLoader(new IntervalDatasetBatches(ds, batchSize), new() { Workers = 2, Prefetch = 4 });
        Drain(loader, 0);

        long tokens = 0;
        var clock = Stopwatch.StartNew();
        for (int epoch = 1; clock.Elapsed < TimeSpan.FromSeconds(1.5); epoch++)
        {
            tokens += Drain(loader, epoch);
        }
        clock.Stop();

        // Reported, not asserted: the machine is shared. The design target is ≥ 20M tokens/s.
        output.WriteLine($"PrefetchLoader, 2 workers, L={length}, B={batchSize}: {tokens / clock.Elapsed.TotalSeconds / 1e6:F1}M tokens/s ({tokens:N0} tokens in {clock.Elapsed.TotalSeconds:F2} s)");
        Assert.True(tokens > 0);
    }

    static long Drain(PrefetchLoader loader, int epoch)
    {
        long tokens = 0;
        foreach (var batch in loader.Epoch(epoch))
        {
            tokens += (long)batch.Size * batch.Length;
        }
        return tokens;
    }

    /// <summary>Counts what each FillBatch allocates on the thread that runs it.</summary>
    sealed class AllocationCountingSource(IBatchSource inner) : IBatchSource
    {
        long _allocated;
        int _calls;

        public long Allocated => Interlocked.Read(ref _allocated);
        public int Calls => Volatile.Read(ref _calls);
        public int BatchSize => inner.BatchSize;
        public int Length => inner.Length;
        public int BatchCount(int epoch) => inner.BatchCount(epoch);

        public void FillBatch(int epoch, int batchIndex, Batch destination)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            inner.FillBatch(epoch, batchIndex, destination);
            Interlocked.Add(ref _allocated, GC.GetAllocatedBytesForCurrentThread() - before);
            Interlocked.Increment(ref _calls);
        }

        public void Reset()
        {
            Interlocked.Exchange(ref _allocated, 0);
            Interlocked.Exchange(ref _calls, 0);
        }
    }
}
