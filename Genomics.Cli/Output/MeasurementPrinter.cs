using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Genomics.Cli.Output;

/// <summary>
/// Every `bench` command prints a table, and with --json one JSON object per measurement (one per line),
/// so runs can be compared by scripts.
/// </summary>
public static class MeasurementPrinter
{
    // Relaxed escaping keeps names such as "fasta→2bit" readable in logs; the output is never embedded in HTML.
    static readonly JsonSerializerOptions Json = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Print(IReadOnlyList<Measurement> measurements, bool json, TextWriter output)
    {
        if (json)
        {
            foreach (var m in measurements)
            {
                var obj = new Dictionary<string, object?>
                {
                    ["name"] = m.Name,
                    ["parameters"] = m.Parameters,
                    ["figures"] = m.Figures,
                    ["unit"] = m.Unit,
                    ["median"] = m.Value,
                    ["target"] = m.Target,
                    ["meets_target"] = m.MeetsTarget,
                };
                output.WriteLine(JsonSerializer.Serialize(obj, Json));
            }
            return;
        }
        var table = new Table().AddColumns("measurement", "parameters", "median", "unit", "target", "ok", "details");
        foreach (var m in measurements)
        {
            table.AddRow(
                Markup.Escape(m.Name),
                Markup.Escape(string.Join(" ", m.Parameters.Select(p => $"{p.Key}={p.Value}"))),
                m.Value.ToString("G4", CultureInfo.InvariantCulture),
                Markup.Escape(m.Unit),
                m.Target?.ToString("G4", CultureInfo.InvariantCulture) ?? "",
                m.MeetsTarget switch { true => "yes", false => "NO", null => "" },
                Markup.Escape(string.Join(" ", m.Figures.Select(f => $"{f.Key}={f.Value.ToString("G4", CultureInfo.InvariantCulture)}"))));
        }
        var console = Consoles.For(output);
        console.Write(table);
    }
}
