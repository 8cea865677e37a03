using System.Diagnostics;
using Genomics.Cli.Output;
using Genomics.Data.Bed;
using Genomics.Data.Datasets;
using Genomics.Data.Genome;

namespace Genomics.Cli.Bench;

/// <summary>The prefetching loader end to end: tiles → interval dataset → batches on worker threads.</summary>
public static class LoaderBench
{
    public static Measurement Run(IGenome genome, DataBench.Options o)
    {
        var tiles = GenomeTiler.Tile(genome, new TileOptions { Length = 131_072, MaxNFraction = 0.5, Splits = SplitAssignment.ByFraction(0, 0) });
        var dataset = new IntervalDataset(genome, GenomeInterval.FromBed(tiles), new IntervalDatasetOptions { Length = o.LoaderLength, Split = "train", Seed = 1 });
        var batches = new IntervalDatasetBatches(dataset, o.LoaderBatch);
        var loader = new PrefetchLoader(batches, new PrefetchLoaderOptions { Workers = o.LoaderWorkers });
        long tokens = 0;
        int epoch = 0;
        var seconds = Timing.Repeat(o.Repeats, () =>
        {
            long t = 0;
            foreach (var batch in loader.Epoch(epoch++))
            {
                t += (long)batch.Size * batch.Length;
            }
            tokens = t;
        });
        double median = Timing.Median(seconds);
        return new Measurement($"prefetch loader ({o.LoaderWorkers} workers)",
            new Dictionary<string, object> { ["L"] = o.LoaderLength, ["batch"] = o.LoaderBatch, ["workers"] = o.LoaderWorkers, ["tokens_per_epoch"] = tokens },
            new Dictionary<string, double> { ["median_s"] = median, ["min_Mtps"] = tokens / seconds.Max() / 1e6, ["max_Mtps"] = tokens / seconds.Min() / 1e6 },
            "Mtokens/s", tokens / median / 1e6, Target: 20);
    }
}
