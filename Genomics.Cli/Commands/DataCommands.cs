using System.CommandLine;

namespace Genomics.Cli.Commands;

/// <summary>`genomamba data …`: genome utilities shaped like samtools where samtools has the verb.</summary>
public static class DataCommands
{
    public static Command Build()
    {
        var data = new Command("data", "Genome files: index, pack, fetch, stats, tile, export-parquet");
        data.Subcommands.Add(DataIndexCommand.Build());
        data.Subcommands.Add(DataPackCommand.Build());
        data.Subcommands.Add(DataFetchCommand.Build());
        data.Subcommands.Add(DataStatsCommand.Build());
        data.Subcommands.Add(DataTileCommand.Build());
        data.Subcommands.Add(DataExportParquetCommand.Build());
        return data;
    }

    /// <summary>The GENOME argument every data verb takes.</summary>
    public static Argument<string> GenomeArgument(string description = "genome file: .fa, .fa.gz (gzip or BGZF) or .2bit") =>
        new("GENOME") { Description = description };
}
