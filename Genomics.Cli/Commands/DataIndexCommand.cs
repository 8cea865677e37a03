using System.CommandLine;
using Genomics.Data.Fasta;

namespace Genomics.Cli.Commands;

/// <summary>`data index GENOME.fa`: writes GENOME.fa.fai, byte-identical to `samtools faidx`.</summary>
public static class DataIndexCommand
{
    public static Command Build()
    {
        var genome = DataCommands.GenomeArgument("plain FASTA file to index");
        var output = new Option<string?>("--out", "-o") { Description = "index path (default: GENOME.fai)" };
        var cmd = new Command("index", "Write a samtools-compatible .fai index of a plain FASTA file") { genome, output };
        cmd.SetAction(parse =>
        {
            string path = parse.GetRequiredValue(genome);
            string fai = parse.GetValue(output) ?? path + ".fai";
            var entries = FaiIndex.Build(path);
            FaiIndex.Write(fai, entries);
            parse.InvocationConfiguration.Error.WriteLine($"wrote {fai}: {entries.Count} records");
            return 0;
        });
        return cmd;
    }
}
