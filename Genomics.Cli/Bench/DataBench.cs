using Genomics.Cli.Output;
using Genomics.Data.Genome;
using Genomics.Data.Tokenization;
using Genomics.Data.TwoBit;

namespace Genomics.Cli.Bench;

/// <summary>
/// `bench data`: the three data-path figures the training loop depends on, each a median over repeats:
/// random-window fetch + tokenize from .2bit (per core), FASTA → .2bit packing, and the prefetching loader.
/// </summary>
public static class DataBench
{
    public sealed record Options(string Genome, int Window, int Repeats, int LoaderWorkers, int LoaderLength, int LoaderBatch);

    public static IReadOnlyList<Measurement> Run(Options o, Action<string> log)
    {
        var results = new List<Measurement>();
        string dir = Path.Combine(Path.GetTempPath(), "genomamba-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        try
        {
            log($"loading {o.Genome}");
            using var source = GenomeFile.Open(o.Genome);
            long bases = source.Records.Sum(r => r.Length);
            string twoBit = Path.Combine(dir, "bench.2bit");

            // Packing: the source is already in memory (gz) or page-cached (plain), so this times the packer and the write.
            var packSeconds = Timing.Repeat(o.Repeats, () => TwoBitWriter.Write(source, twoBit));
            double packMedian = Timing.Median(packSeconds);
            results.Add(new Measurement("pack fasta→2bit",
                new Dictionary<string, object> { ["genome"] = Path.GetFileName(o.Genome), ["bases"] = bases, ["repeats"] = o.Repeats },
                new Dictionary<string, double> { ["median_s"] = packMedian, ["min_MBps"] = bases / packSeconds.Max() / 1e6, ["max_MBps"] = bases / packSeconds.Min() / 1e6 },
                "MB/s", bases / packMedian / 1e6, Target: 200));

            using var genome = TwoBitGenome.Open(twoBit);
            results.Add(FetchTokenize(genome, o));
            results.Add(LoaderBench.Run(genome, o));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        return results;
    }

    static Measurement FetchTokenize(TwoBitGenome genome, Options o)
    {
        var records = Enumerable.Range(0, genome.Records.Count).Where(r => genome.Records[r].Length >= o.Window).ToArray();
        if (records.Length == 0)
        {
            throw new ArgumentException($"{genome.Path}: no record is at least --window {o.Window} bp long");
        }
        var ascii = new byte[o.Window];
        var ids = new int[o.Window];
        var rng = new Random(12345);
        const int windowsPerRepeat = 64;
        var seconds = Timing.Repeat(o.Repeats, () =>
        {
            for (int i = 0; i < windowsPerRepeat; i++)
            {
                int r = records[rng.Next(records.Length)];
                long start = rng.NextInt64(genome.Records[r].Length - o.Window + 1);
                genome.FetchRecord(r, start, ascii);
                DnaTokenizer.Default.Encode(ascii, ids);
            }
        });
        double bytes = (double)windowsPerRepeat * o.Window;
        double median = Timing.Median(seconds);
        return new Measurement("fetch+tokenize 2bit (1 thread)",
            new Dictionary<string, object> { ["window"] = o.Window, ["windows"] = windowsPerRepeat, ["repeats"] = o.Repeats },
            new Dictionary<string, double> { ["median_s"] = median, ["min_GBps"] = bytes / seconds.Max() / 1e9, ["max_GBps"] = bytes / seconds.Min() / 1e9 },
            "GB/s", bytes / median / 1e9, Target: 1.0);
    }
}
