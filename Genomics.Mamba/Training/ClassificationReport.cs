using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Genomics.Data.Datasets;
using Genomics.Mamba.Evaluation;
using Genomics.Mamba.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Training;

/// <summary>
/// Accuracy of a classifier on a fixed split: overall, per class, and the confusion matrix (rows: true class, columns:
/// predicted), with the mean cross-entropy. <see cref="Score"/> runs it.
/// </summary>
public sealed record ClassificationReport(IReadOnlyList<string> Classes, long[,] Confusion, double Loss)
{
    /// <summary>Samples scored.</summary>
    public long Count => Enumerable.Range(0, Classes.Count).Sum(i => Enumerable.Range(0, Classes.Count).Sum(j => Confusion[i, j]));

    /// <summary>Fraction of samples whose arg-max is the true class.</summary>
    public double Accuracy => Count == 0 ? double.NaN : (double)Enumerable.Range(0, Classes.Count).Sum(i => Confusion[i, i]) / Count;

    /// <summary>Correct predictions (the confusion matrix's diagonal).</summary>
    public long Correct => Enumerable.Range(0, Classes.Count).Sum(i => Confusion[i, i]);

    /// <summary>The accuracy with its 95% Wilson interval (NaN-free only when something was scored).</summary>
    public ConfidenceInterval AccuracyInterval => WilsonInterval.Of(Correct, Count);

    /// <summary>Recall per class (its share of its own samples predicted right).</summary>
    public IReadOnlyList<double> PerClassAccuracy => Enumerable.Range(0, Classes.Count).Select(i =>
    {
        long row = Enumerable.Range(0, Classes.Count).Sum(j => Confusion[i, j]);
        return row == 0 ? double.NaN : (double)Confusion[i, i] / row;
    }).ToArray();

    /// <summary>
    /// Scores <paramref name="model"/> on <paramref name="split"/> of <paramref name="dataset"/> (a fixed set: valid or
    /// test) at <paramref name="length"/> tokens, <paramref name="batchSize"/> sequences per forward, without gradients.
    /// </summary>
    public static ClassificationReport Score(SequenceClassifier model, SpeciesDataset dataset, SpeciesSplit split, int batchSize, int? length = null,
        CancellationToken cancellationToken = default)
    {
        int k = dataset.SpeciesCount;
        var confusion = new long[k, k];
        if (dataset.Count(split) == 0)
        {
            return new ClassificationReport(dataset.SpeciesNames, confusion, double.NaN);
        }
        var (matrix, loss) = SpeciesEvaluation.Score(model, dataset, split, length ?? dataset.Options.SequenceLength, batchSize,
            cancellationToken: cancellationToken);
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++)
            {
                confusion[i, j] = matrix[i, j];
            }
        }
        return new ClassificationReport(dataset.SpeciesNames, confusion, loss);
    }

    /// <summary>The report as JSON: accuracy with its interval, per-class accuracy, the confusion matrix (rows: true class), loss.</summary>
    public JsonObject ToJson()
    {
        var per = PerClassAccuracy;
        var json = new JsonObject
        {
            ["samples"] = Count,
            ["correct"] = Correct,
            ["accuracy"] = Count == 0 ? null : Accuracy,
            ["accuracy_ci95"] = Count == 0 ? null : new JsonArray(AccuracyInterval.Low, AccuracyInterval.High),
            ["chance"] = 1.0 / Classes.Count,
            ["loss"] = double.IsFinite(Loss) ? Loss : null,
            ["classes"] = new JsonArray(Classes.Select(c => (JsonNode)c).ToArray()),
            ["per_class_accuracy"] = new JsonArray(per.Select(a => (JsonNode?)(double.IsFinite(a) ? a : null)).ToArray()),
            ["confusion"] = new JsonArray(Enumerable.Range(0, Classes.Count)
                .Select(i => (JsonNode)new JsonArray(Enumerable.Range(0, Classes.Count).Select(j => (JsonNode)Confusion[i, j]).ToArray())).ToArray()),
        };
        return json;
    }

    /// <summary>Accuracy, per-class accuracy and the confusion matrix as aligned text.</summary>
    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        int w = Math.Max(10, Classes.Max(c => c.Length) + 2);
        var text = new StringBuilder();
        string interval = Count == 0 ? "" : string.Create(inv, $" (95% CI {100 * AccuracyInterval.Low:F1}–{100 * AccuracyInterval.High:F1}%, Wilson)");
        text.AppendLine(inv, $"accuracy {100 * Accuracy:F1}%{interval} on {Count} samples (chance {100.0 / Classes.Count:F1}%), loss {Loss:F4}");
        text.AppendLine("per species:");
        var per = PerClassAccuracy;
        for (int i = 0; i < Classes.Count; i++)
        {
            text.AppendLine(inv, $"  {Classes[i].PadRight(w)} {100 * per[i],6:F1}%");
        }
        text.AppendLine("confusion matrix (rows: true species, columns: predicted):");
        text.Append(new string(' ', w + 2));
        foreach (var c in Classes)
        {
            text.Append(c.PadLeft(w));
        }
        text.AppendLine();
        for (int i = 0; i < Classes.Count; i++)
        {
            text.Append("  ").Append(Classes[i].PadRight(w));
            for (int j = 0; j < Classes.Count; j++)
            {
                text.Append(Confusion[i, j].ToString(inv).PadLeft(w));
            }
            text.AppendLine();
        }
        return text.ToString().TrimEnd();
    }
}
