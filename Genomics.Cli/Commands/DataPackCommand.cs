using System.CommandLine;
using System.Diagnostics;
using Genomics.Data.Genome;
using Genomics.Data.TwoBit;

namespace Genomics.Cli.Commands;

/// <summary>`data pack FASTA OUT.2bit`: FASTA (plain, gzip, BGZF) → UCSC .2bit, N blocks and soft-mask kept.</summary>
public static class DataPackCommand
{
    public static Command Build()
    {
        var input = DataCommands.GenomeArgument("input genome (.fa, .fa.gz, or .2bit to rewrite)");
        var output = new Argument<string>("OUT") { Description = "output .2bit path (written to a temp file, then renamed)" };
        var cmd = new Command("pack", "Pack a FASTA genome into UCSC .2bit (the fast random-access format for training)") { input, output };
        cmd.SetAction(parse =>
        {
            string src = parse.GetRequiredValue(input);
            string dst = parse.GetRequiredValue(output);
            long t0 = Stopwatch.GetTimestamp();
            using var genome = GenomeFile.Open(src);
            TwoBitWriter.Write(genome, dst);
            double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            long bases = genome.Records.Sum(r => r.Length);
            parse.InvocationConfiguration.Error.WriteLine(
                $"wrote {dst}: {genome.Records.Count} records, {bases:N0} bp, {new FileInfo(dst).Length:N0} bytes in {s:F2} s");
            return 0;
        });
        return cmd;
    }
}
