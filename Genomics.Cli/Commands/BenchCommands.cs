using System.CommandLine;
using Genomics.Cli.Bench;
using Genomics.Cli.Output;

namespace Genomics.Cli.Commands;

/// <summary>`genomamba bench …`: speed and memory targets are checked here, not by timed unit tests.</summary>
public static class BenchCommands
{
    public static Command Build()
    {
        var bench = new Command("bench", "Benchmarks: each prints a table, or with --json one JSON object per measurement");
        bench.Subcommands.Add(BuildData());
        bench.Subcommands.Add(BuildScan());
        bench.Subcommands.Add(ModelBenchCommand.Build());
        return bench;
    }

    static Command BuildData()
    {
        var genome = new Option<string>("--genome")
        {
            Description = "FASTA/.2bit to measure on (default: ../shared/data/human/GRCh37_chr20.fa.gz when present, else the embedded genome)",
            DefaultValueFactory = _ => DefaultData.BenchGenome(),
        };
        var window = new Option<int>("--window") { Description = "fetch window in bp", DefaultValueFactory = _ => 1 << 20 };
        var repeats = new Option<int>("--repeats") { Description = "timed repeats per measurement (the median is reported)", DefaultValueFactory = _ => 5 };
        var workers = new Option<int>("--workers") { Description = "loader worker threads", DefaultValueFactory = _ => 2 };
        var len = new Option<int>("--len") { Description = "loader sample length L", DefaultValueFactory = _ => 1 << 14 };
        var batch = new Option<int>("--batch") { Description = "loader batch size", DefaultValueFactory = _ => 16 };
        var json = new Option<bool>("--json") { Description = "one JSON object per measurement" };
        var cmd = new Command("data", "Random-window fetch+tokenize from .2bit, FASTA→.2bit packing, prefetching loader throughput")
        {
            genome, window, repeats, workers, len, batch, json,
        };
        cmd.SetAction(parse =>
        {
            var options = new DataBench.Options(parse.GetRequiredValue(genome), parse.GetValue(window), parse.GetValue(repeats),
                parse.GetValue(workers), parse.GetValue(len), parse.GetValue(batch));
            var err = parse.InvocationConfiguration.Error;
            var results = DataBench.Run(options, line => err.WriteLine(line));
            MeasurementPrinter.Print(results, parse.GetValue(json), parse.InvocationConfiguration.Output);
            return 0;
        });
        return cmd;
    }

    static Command BuildScan()
    {
        var lens = new Option<long[]>("--lens") { Description = "sequence lengths L (default: 4096 65536 1048576 at D=256, 4096 65536 at D=1024)", AllowMultipleArgumentsPerToken = true };
        var dims = new Option<long[]>("--dims") { Description = "channel counts D (with --lens or alone: every D × L pair)", AllowMultipleArgumentsPerToken = true };
        var repeats = new Option<int>("--repeats") { Description = "timed repeats per measurement (the median is reported)", DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { Description = "torch.set_num_threads before measuring (0: leave libtorch's default)", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "one JSON object per measurement" };
        var cmd = new Command("scan", "Selective scan forward and forward+backward (native libgenomamba; TorchSharp reference at L=4096): ns/element, GB/s, peak RSS")
        {
            lens, dims, repeats, threads, json,
        };
        cmd.SetAction(parse =>
        {
            var l = parse.GetValue(lens);
            var d = parse.GetValue(dims);
            if (l?.Any(x => x < 1) == true || d?.Any(x => x < 1) == true || parse.GetValue(repeats) < 1)
            {
                throw new ArgumentException("--lens, --dims and --repeats take positive numbers");
            }
            var options = new ScanBench.Options(l is { Length: > 0 } ? l : null, d is { Length: > 0 } ? d : null,
                parse.GetValue(repeats), parse.GetValue(threads));
            var err = parse.InvocationConfiguration.Error;
            var results = ScanBench.Run(options, line => err.WriteLine(line));
            MeasurementPrinter.Print(results, parse.GetValue(json), parse.InvocationConfiguration.Output);
            return 0;
        });
        return cmd;
    }
}
