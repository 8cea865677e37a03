using Genomics.Data.Datasets;
using Genomics.Mamba.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Evaluation;

/// <summary>
/// Species accuracy of a <see cref="SequenceClassifier"/> on a fixed split of a <see cref="SpeciesDataset"/> (valid or
/// test: the same windows at every call, species balanced round-robin): fills a <see cref="ConfusionMatrix"/>. Runs in
/// eval mode and leaves the model in the mode it found it in, so fine-tuning can call it for validation.
/// </summary>
public static class SpeciesEvaluation
{
    /// <summary>
    /// Classifies <paramref name="count"/> samples (null: the whole fixed split) of <paramref name="length"/> tokens in
    /// batches of <paramref name="batch"/>; progress reports samples done.
    /// </summary>
    public static ConfusionMatrix Run(SequenceClassifier classifier, SpeciesDataset dataset, SpeciesSplit split, int length,
        int batch = 16, long? count = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
        Score(classifier, dataset, split, length, batch, count, progress, cancellationToken).Matrix;

    /// <summary>
    /// <see cref="Run"/> with the mean cross-entropy of the scored samples (NaN when none): the one scoring loop, which
    /// fine-tuning's validation and test reports (<see cref="Training.ClassificationReport"/>) and `evaluate` share.
    /// </summary>
    public static (ConfusionMatrix Matrix, double Loss) Score(SequenceClassifier classifier, SpeciesDataset dataset, SpeciesSplit split, int length,
        int batch = 16, long? count = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if (classifier.Classes != dataset.SpeciesCount)
        {
            throw new ArgumentException(
                $"the classifier has {classifier.Classes} classes, the data {dataset.SpeciesCount} species ({string.Join(", ", dataset.SpeciesNames)})", nameof(dataset));
        }
        long total = count ?? dataset.Count(split);
        if (split != SpeciesSplit.Train && total > dataset.Count(split))
        {
            throw new ArgumentOutOfRangeException(nameof(count), total, $"the fixed {split} set holds {dataset.Count(split)} samples");
        }
        var matrix = new ConfusionMatrix(dataset.SpeciesNames);
        var device = classifier.parameters().First().device;
        using var evalMode = Inference.EvalMode.Enter(classifier);
        using var noGrad = no_grad();
        var tokens = new int[length];
        double lossSum = 0;
        for (long start = 0; start < total; start += batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = (int)Math.Min(batch, total - start);
            var ids = new long[n * (long)length];
            var labels = new int[n];
            for (int i = 0; i < n; i++)
            {
                labels[i] = dataset.Read(split, 0, start + i, tokens).Label;
                for (int t = 0; t < length; t++)
                {
                    ids[(long)i * length + t] = tokens[t];
                }
            }
            using var scope = NewDisposeScope();
            var logits = classifier.forward(tensor(ids, [n, length], device: device));                   // (n, classes)
            lossSum += nn.functional.cross_entropy(logits, tensor(labels.Select(l => (long)l).ToArray(), device: device),
                reduction: nn.Reduction.Sum).ToDouble();
            var predicted = logits.argmax(1).cpu().data<long>().ToArray();
            for (int i = 0; i < n; i++)
            {
                matrix.Add(labels[i], (int)predicted[i]);
            }
            progress?.Report(start + n);
        }
        return (matrix, matrix.Total == 0 ? double.NaN : lossSum / matrix.Total);
    }
}
