using Genomics.Data.Datasets;
using Genomics.Data.Schedules;
using Genomics.Mamba.Modules;
using static TorchSharp.torch;

namespace Genomics.Mamba.Training;

/// <summary>
/// Species classification (Mamba E.3.4): train samples drawn afresh per (seed, epoch, index), the last position's
/// output through the linear head, cross-entropy on the species label; validation accuracy on the fixed valid set at
/// the target length. The batch stays the same through the species warmup stages (E.3.4 fixes batch and steps).
/// </summary>
public sealed class SpeciesTask : ITrainingTask
{
    readonly SequenceClassifier _model;

    /// <param name="evalBatch">Sequences per forward in validation.</param>
    public SpeciesTask(SequenceClassifier model, SpeciesDataset dataset, WarmupPlan plan, int evalBatch, string dataSource)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        Dataset = dataset ?? throw new ArgumentNullException(nameof(dataset));
        Plan = plan ?? throw new ArgumentNullException(nameof(plan));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(evalBatch);
        EvalBatch = evalBatch;
        DataSource = dataSource;
    }

    public nn.Module<Tensor, Tensor> Model => _model;

    public SpeciesDataset Dataset { get; }

    public WarmupPlan Plan { get; }

    public int EvalBatch { get; }

    public string DataSource { get; }

    public bool IsLanguageModel => false;

    public long SamplesPerEpoch(int length) => Dataset.Count(SpeciesSplit.Train);

    public IBatchSource TrainBatches(WarmupStage stage) => new SpeciesBatches(Dataset, SpeciesSplit.Train, stage.MicroBatch, stage.Length);

    public Tensor Loss(Batch batch)
    {
        using var scope = NewDisposeScope();
        var logits = _model.forward(BatchTensors.Inputs(batch));          // (b, classes)
        return nn.functional.cross_entropy(logits, BatchTensors.Labels(batch)).MoveToOuterDisposeScope();
    }

    public IReadOnlyDictionary<string, double> Evaluate(CancellationToken cancellationToken)
    {
        if (Dataset.Count(SpeciesSplit.Valid) == 0)
        {
            return new Dictionary<string, double>();
        }
        var report = ClassificationReport.Score(_model, Dataset, SpeciesSplit.Valid, EvalBatch, Plan.Target.Length, cancellationToken);
        return new Dictionary<string, double> { ["valid_loss"] = report.Loss, ["valid_acc"] = report.Accuracy, ["valid_samples"] = report.Count };
    }
}
