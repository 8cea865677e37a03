namespace Genomics.Mamba.Evaluation;

/// <summary>
/// Counts of (true class, predicted class) for a classifier, with accuracy and its Wilson interval. The species
/// evaluation and the fine-tuning loop's validation both fill one.
/// </summary>
public sealed class ConfusionMatrix
{
    readonly long[,] _counts;

    /// <param name="classes">Class names; the index is the label.</param>
    public ConfusionMatrix(IReadOnlyList<string> classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        if (classes.Count < 2)
        {
            throw new ArgumentException("a classifier has at least 2 classes", nameof(classes));
        }
        Classes = classes;
        _counts = new long[classes.Count, classes.Count];
    }

    public IReadOnlyList<string> Classes { get; }

    /// <summary>Samples counted.</summary>
    public long Total { get; private set; }

    /// <summary>Samples predicted right.</summary>
    public long Correct { get; private set; }

    /// <summary>How many samples of class <paramref name="truth"/> were predicted as <paramref name="predicted"/>.</summary>
    public long this[int truth, int predicted] => _counts[truth, predicted];

    public void Add(int truth, int predicted)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(truth);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(truth, Classes.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(predicted);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(predicted, Classes.Count);
        _counts[truth, predicted]++;
        Total++;
        Correct += truth == predicted ? 1 : 0;
    }

    /// <summary>Accuracy with its 95% Wilson interval; throws when nothing was counted.</summary>
    public ConfidenceInterval Accuracy(double level = 0.95) => Total > 0
        ? WilsonInterval.Of(Correct, Total, level)
        : throw new InvalidOperationException("no samples counted: accuracy is undefined");

    /// <summary>Recall of class <paramref name="label"/> (its row's diagonal share); NaN when it has no samples.</summary>
    public double Recall(int label)
    {
        long row = 0;
        for (int j = 0; j < Classes.Count; j++)
        {
            row += _counts[label, j];
        }
        return row > 0 ? (double)_counts[label, label] / row : double.NaN;
    }

    /// <summary>The accuracy of always answering the most frequent true class: what a classifier must beat.</summary>
    public double MajorityBaseline
    {
        get
        {
            long best = 0;
            for (int i = 0; i < Classes.Count; i++)
            {
                long row = 0;
                for (int j = 0; j < Classes.Count; j++)
                {
                    row += _counts[i, j];
                }
                best = Math.Max(best, row);
            }
            return Total > 0 ? (double)best / Total : double.NaN;
        }
    }
}
