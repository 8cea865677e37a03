using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Genomics.Data.Genome;
using Genomics.Cli.Output;
using Spectre.Console;

namespace Genomics.Cli.Commands;

/// <summary>`data stats GENOME`: per-record length, GC, N, other IUPAC and soft-masked fractions.</summary>
public static class DataStatsCommand
{
    public static Command Build()
    {
        var genome = DataCommands.GenomeArgument();
        var json = new Option<bool>("--json") { Description = "one JSON object per record instead of a table" };
        var cmd = new Command("stats", "Per-record length, GC fraction, N fraction, other IUPAC codes and soft-masked fraction") { genome, json };
        cmd.SetAction(parse =>
        {
            using var g = GenomeFile.Open(parse.GetRequiredValue(genome));
            var stats = GenomeStats.Compute(g);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                foreach (var s in stats)
                {
                    output.WriteLine(JsonSerializer.Serialize(new
                    {
                        name = s.Name, length = s.Length, a = s.A, c = s.C, g = s.G, t = s.T, n = s.N,
                        other_iupac = s.OtherIupac, soft_masked = s.SoftMasked,
                        gc = double.IsNaN(s.GcFraction) ? (double?)null : s.GcFraction,
                        n_fraction = s.NFraction, soft_masked_fraction = s.SoftMaskedFraction,
                    }));
                }
                return 0;
            }
            var table = new Table().AddColumns("record", "length", "GC", "N", "other IUPAC", "soft-masked");
            foreach (var column in table.Columns.Skip(1))
            {
                column.RightAligned();
            }
            foreach (var s in stats)
            {
                table.AddRow(Markup.Escape(s.Name), s.Length.ToString("N0", CultureInfo.InvariantCulture), Pct(s.GcFraction),
                    Pct(s.NFraction), s.OtherIupac.ToString("N0", CultureInfo.InvariantCulture), Pct(s.SoftMaskedFraction));
            }
            if (stats.Count > 1)
            {
                long len = stats.Sum(s => s.Length), acgt = stats.Sum(s => s.A + s.C + s.G + s.T);
                table.AddRow("[bold]total[/]", len.ToString("N0", CultureInfo.InvariantCulture),
                    Pct(acgt == 0 ? double.NaN : (double)stats.Sum(s => s.G + s.C) / acgt),
                    Pct((double)stats.Sum(s => s.N) / len), stats.Sum(s => s.OtherIupac).ToString("N0", CultureInfo.InvariantCulture),
                    Pct((double)stats.Sum(s => s.SoftMasked) / len));
            }
            var console = Consoles.For(output);
            console.Write(new Markup($"[bold]{Markup.Escape(g.Path)}[/]: {stats.Count} records\n"));
            console.Write(table);
            return 0;
        });
        return cmd;
    }

    static string Pct(double f) => double.IsNaN(f) ? "-" : (100 * f).ToString("F2", CultureInfo.InvariantCulture) + "%";
}
