using Genomics.Data.Datasets;
using Genomics.Data.Schedules;
using static TorchSharp.torch;

namespace Genomics.Mamba.Training;

/// <summary>
/// What the <see cref="Trainer"/> needs to know about a task (next-token pretraining, species classification): the
/// model, the sequence-length plan, the train batches of each stage, the loss of a micro-batch and a validation pass.
/// The engine owns everything else — optimizer, schedule, accumulation, clipping, checkpoints, progress.
/// </summary>
public interface ITrainingTask
{
    /// <summary>The model being trained (ids (b, l) → logits).</summary>
    nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>Stages of the run: length, batch, micro-batch × accumulation, epochs.</summary>
    WarmupPlan Plan { get; }

    /// <summary>Train samples in one epoch at length L.</summary>
    long SamplesPerEpoch(int length);

    /// <summary>The train batches of a stage, <see cref="WarmupStage.MicroBatch"/> rows each, addressed by (epoch, index).</summary>
    IBatchSource TrainBatches(WarmupStage stage);

    /// <summary>The mean loss over the filled rows of a micro-batch (a scalar with grad).</summary>
    Tensor Loss(Batch batch);

    /// <summary>One validation pass (no grad). Keys are metric names ("valid_loss", "valid_ppl", "valid_acc", …).</summary>
    IReadOnlyDictionary<string, double> Evaluate(CancellationToken cancellationToken);

    /// <summary>What the data is, recorded in checkpoints so a resume on other data is noticed.</summary>
    string DataSource { get; }

    /// <summary>Metric name of the training loss in logs ("loss"); perplexity is shown for language models only.</summary>
    bool IsLanguageModel { get; }
}
