using System.CommandLine;
using Genomics.Cli.Commands;
using Genomics.Data;

namespace Genomics.Cli;

/// <summary>Builds the `genomamba` command tree and turns bad input into one-line errors.</summary>
public static class CliApp
{
    public static RootCommand Build()
    {
        var root = new RootCommand("genomamba — DNA language models (Mamba, HyenaDNA) in .NET");
        root.Subcommands.Add(DataCommands.Build());
        root.Subcommands.Add(BenchCommands.Build());
        root.Subcommands.Add(PretrainCommand.Build());
        root.Subcommands.Add(FinetuneSpeciesCommand.Build());
        root.Subcommands.Add(EvaluateCommand.Build());
        root.Subcommands.Add(PlotCommand.Build());
        root.Subcommands.Add(GenerateCommand.Build());
        root.Subcommands.Add(EmbedCommand.Build());
        return root;
    }

    public static int Run(string[] args)
    {
        var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        try
        {
            return Build().Parse(args).Invoke(config);
        }
        catch (Exception e) when (Unwrap(e) is DataFormatException or FileNotFoundException or DirectoryNotFoundException or ArgumentException or InvalidOperationException or IOException)
        {
            Console.Error.WriteLine($"genomamba: error: {Unwrap(e).Message}");
            return 1;
        }
    }

    static Exception Unwrap(Exception e) => e is AggregateException { InnerExceptions.Count: 1 } a ? Unwrap(a.InnerExceptions[0]) : e;
}
