using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Genomics.Charts;
using Genomics.Data;
using Genomics.Data.Bed;
using Genomics.Data.Datasets;
using Genomics.Data.Genome;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Evaluation;
using Genomics.Mamba.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Cli.Commands;

/// <summary>evaluate on a species classifier: accuracy with its Wilson interval and the confusion matrix, printed and written as CSV and JSON.</summary>
public static partial class EvaluateCommand
{
    static int Species(nn.Module<Tensor, Tensor> model, ModelSpec spec, IReadOnlyDictionary<string, string> metadata, string modelName, string? speciesDir, bool concatenate, string? split, int length, int? count,
        int batch, ulong seed, string outDir, TextWriter stdout, TextWriter log, CancellationToken cancellationToken)
    {
        if (length < 2 || !int.IsPow2(length))
        {
            throw new ArgumentException($"--len {length}: is not a power of two (species windows are 2^k tokens, as in fine-tuning: try {(length < 2 ? 1024 : 1 << (31 - int.LeadingZeroCount(length)))})");
        }
        if (count is < 1)
        {
            throw new ArgumentException($"--count must be at least 1 (got {count})");
        }
        if (!Enum.TryParse(split, ignoreCase: true, out SpeciesSplit which) || which == SpeciesSplit.Train || int.TryParse(split, out _))
        {
            throw new ArgumentException($"--split '{split}': species accuracy is measured on the fixed valid or test split");
        }
        if (speciesDir is null)
        {
            speciesDir = DefaultData.Apes;
            concatenate = true;
            log.WriteLine($"no --species given: evaluating on the embedded {speciesDir} (records concatenated, held-out regions)");
        }
        if (!Directory.Exists(speciesDir) && !File.Exists(speciesDir))
        {
            throw new DirectoryNotFoundException($"{speciesDir}: no such species directory or manifest (--species)");
        }
        var options = new SpeciesDatasetOptions
        {
            SequenceLength = length,
            Seed = seed,
            ConcatenateRecords = concatenate,
            SplitMode = concatenate ? SpeciesSplitMode.HeldOutRegions : SpeciesSplitMode.HeldOutChromosomes,
        };
        using var dataset = File.Exists(speciesDir) ? SpeciesDataset.OpenManifest(speciesDir, options) : SpeciesDataset.OpenDirectory(speciesDir, options);
        if (dataset.SpeciesCount != spec.Classes)
        {
            throw new ArgumentException($"{modelName}: the classifier has {spec.Classes} classes but {speciesDir} holds {dataset.SpeciesCount} species ({string.Join(", ", dataset.SpeciesNames)}); evaluate it on the species it was fine-tuned on");
        }
        if (metadata.TryGetValue(ModelArguments.SpeciesMetadataKey, out string? trained)
            && !trained.Split(',', StringSplitOptions.TrimEntries).SequenceEqual(dataset.SpeciesNames))
        {
            throw new ArgumentException($"{modelName}: was fine-tuned on the species {trained} (in label order) but {speciesDir} holds {string.Join(",", dataset.SpeciesNames)}; evaluate it on the species it was fine-tuned on");
        }
        if (dataset.Count(which) == 0)
        {
            throw new DataFormatException(speciesDir, $"the {split} split is empty", concatenate ? null : "held-out chromosomes are absent; try --concatenate");
        }
        log.WriteLine($"{modelName}: {spec}");
        log.WriteLine($"{speciesDir}: {dataset.SpeciesCount} species ({string.Join(", ", dataset.SpeciesNames)}), {count ?? dataset.Count(which):N0} {split} windows of {length:N0}");
        long total = count ?? dataset.Count(which);
        var matrix = SpeciesEvaluation.Run((SequenceClassifier)model, dataset, which, length, batch, count, new SynchronousProgress<long>(done =>
        {
            if (done * 10 / total != (done - Math.Min(done, batch)) * 10 / total)
            {
                log.WriteLine($"  {done:N0} / {total:N0} windows");
            }
        }), cancellationToken);
        var accuracy = matrix.Accuracy();
        double chance = 1.0 / matrix.Classes.Count;

        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"species accuracy {accuracy.Estimate:P2} [{accuracy.Low:P2}, {accuracy.High:P2}] (95% Wilson) over {matrix.Total:N0} {split} windows of {length:N0}; chance {chance:P1}"));
        stdout.WriteLine($"{"true \\ predicted",-18}" + string.Concat(matrix.Classes.Select(c => $"{c,12}")) + $"{"recall",10}");
        for (int i = 0; i < matrix.Classes.Count; i++)
        {
            stdout.WriteLine($"{matrix.Classes[i],-18}" + string.Concat(Enumerable.Range(0, matrix.Classes.Count).Select(j => $"{matrix[i, j],12}"))
                + string.Create(CultureInfo.InvariantCulture, $"{matrix.Recall(i),10:P1}"));
        }

        var summary = new StringBuilder("length,samples,correct,accuracy,ci95_low,ci95_high,chance\n");
        summary.Append(CultureInfo.InvariantCulture, $"{length},{matrix.Total},{matrix.Correct},{accuracy.Estimate:R},{accuracy.Low:R},{accuracy.High:R},{chance:R}\n");
        var confusion = new StringBuilder("true," + string.Join(",", matrix.Classes) + "\n");
        for (int i = 0; i < matrix.Classes.Count; i++)
        {
            confusion.Append(matrix.Classes[i]).Append(',').AppendJoin(',', Enumerable.Range(0, matrix.Classes.Count).Select(j => matrix[i, j])).Append('\n');
        }
        var json = new JsonObject
        {
            ["checkpoint"] = modelName,
            ["model"] = spec.ToString(),
            ["source"] = speciesDir,
            ["split"] = split,
            ["length"] = length,
            ["samples"] = matrix.Total,
            ["correct"] = matrix.Correct,
            ["accuracy"] = accuracy.Estimate,
            ["ci95_low"] = accuracy.Low,
            ["ci95_high"] = accuracy.High,
            ["interval"] = "Wilson score, 95%",
            ["chance"] = chance,
            ["classes"] = new JsonArray([.. matrix.Classes.Select(c => (JsonNode)JsonValue.Create(c))]),
            ["confusion"] = new JsonArray([.. Enumerable.Range(0, matrix.Classes.Count).Select(i =>
                (JsonNode)new JsonArray([.. Enumerable.Range(0, matrix.Classes.Count).Select(j => (JsonNode)JsonValue.Create(matrix[i, j]))]))]),
            ["recall"] = new JsonObject(Enumerable.Range(0, matrix.Classes.Count).Select(i => KeyValuePair.Create(matrix.Classes[i], Finite(matrix.Recall(i))))),
        };
        AtomicFile.Write(Path.Combine(outDir, "species.csv"), s => s.Write(Encoding.UTF8.GetBytes(summary.ToString())));
        AtomicFile.Write(Path.Combine(outDir, "confusion.csv"), s => s.Write(Encoding.UTF8.GetBytes(confusion.ToString())));
        AtomicFile.Write(Path.Combine(outDir, "species.json"), s => s.Write(Encoding.UTF8.GetBytes(json.ToJsonString(Json) + "\n")));
        ConfusionPlot.Write(Path.Combine(outDir, "confusion.png"), matrix,
            string.Create(CultureInfo.InvariantCulture, $"{split}, L = {length:N0}: accuracy {100 * accuracy.Estimate:F1}%, chance {100 * chance:F0}%"));
        log.WriteLine($"wrote {Path.Combine(outDir, "species.csv")}, confusion.csv, species.json, confusion.png");
        return 0;
    }
}
