using System.CommandLine;

namespace Genomics.Cli.Commands;

/// <summary>`genomamba data …`: samtools-shaped genome utilities.</summary>
public static class DataCommands
{
    public static Command Build()
    {
        var data = new Command("data", "Genome files: index, pack, fetch, stats, tile, export-parquet");
        return data;
    }
}
