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
}
