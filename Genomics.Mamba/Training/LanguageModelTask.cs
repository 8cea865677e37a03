using Genomics.Data.Datasets;
using Genomics.Data.Genome;
using Genomics.Data.Schedules;
using Genomics.Mamba.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Training;

/// <summary>
/// Next-token pretraining on genome intervals (Mamba E.3.1): one <see cref="IntervalDataset"/> per stage length over the
/// train split (Mamba semantics, reverse-complement augmentation), the mean cross-entropy over every position, and
/// validation perplexity on a fixed subset of the valid split at the target length.
/// </summary>
public sealed class LanguageModelTask : ITrainingTask
{
    readonly IGenome _genome;
    readonly IReadOnlyList<GenomeInterval> _intervals;
    readonly IntervalDatasetOptions _options;
    readonly Dictionary<int, IntervalDataset> _datasets = [];
    IntervalDataset? _valid;

    /// <param name="model">A <see cref="MambaLM"/> or <see cref="HyenaLM"/> (ids → logits).</param>
    /// <param name="datasetOptions">Seed, semantics and case policy; Length and Split are set per use.</param>
    /// <param name="validationWindows">Size of the fixed validation subset (windows at the target length).</param>
    public LanguageModelTask(nn.Module<Tensor, Tensor> model, IGenome genome, IReadOnlyList<GenomeInterval> intervals, WarmupPlan plan,
        IntervalDatasetOptions datasetOptions, int validationWindows, string dataSource)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        _genome = genome ?? throw new ArgumentNullException(nameof(genome));
        _intervals = intervals ?? throw new ArgumentNullException(nameof(intervals));
        Plan = plan ?? throw new ArgumentNullException(nameof(plan));
        _options = datasetOptions ?? throw new ArgumentNullException(nameof(datasetOptions));
        ArgumentOutOfRangeException.ThrowIfNegative(validationWindows);
        ValidationWindows = validationWindows;
        DataSource = dataSource;
    }

    public nn.Module<Tensor, Tensor> Model { get; }

    public WarmupPlan Plan { get; }

    public string DataSource { get; }

    public bool IsLanguageModel => true;

    /// <summary>Windows of the fixed validation subset.</summary>
    public int ValidationWindows { get; }

    /// <summary>Default validation subset: 2^22 tokens or 256 windows, whichever is smaller (at least one window).</summary>
    public static int DefaultValidationWindows(int length) => (int)Math.Max(1, Math.Min(256, (1L << 22) / length));

    /// <summary>The train dataset at length L (built once per length).</summary>
    public IntervalDataset Dataset(int length)
    {
        if (!_datasets.TryGetValue(length, out var dataset))
        {
            dataset = new IntervalDataset(_genome, _intervals, _options with { Length = length, Split = IntervalDatasetOptions.TrainSplit });
            _datasets[length] = dataset;
        }
        return dataset;
    }

    /// <summary>The valid split at the target length.</summary>
    public IntervalDataset ValidDataset => _valid ??=
        new IntervalDataset(_genome, _intervals, _options with { Length = Plan.Target.Length, Split = "valid", ReverseComplementProbability = null });

    public long SamplesPerEpoch(int length) => Dataset(length).Count;

    public IBatchSource TrainBatches(WarmupStage stage) => new IntervalDatasetBatches(Dataset(stage.Length), stage.MicroBatch, shuffle: true, dropLast: true);

    public Tensor Loss(Batch batch)
    {
        using var scope = NewDisposeScope();
        var x = BatchTensors.Inputs(batch);                                // (b, l)
        var y = BatchTensors.Targets(batch);                               // (b, l)
        var logits = Model.forward(x);                                     // (b, l, v)
        return MambaLM.Loss(logits, y).MoveToOuterDisposeScope();
    }

    public IReadOnlyDictionary<string, double> Evaluate(CancellationToken cancellationToken)
    {
        var valid = ValidDataset;
        if (valid.Count == 0 || ValidationWindows == 0)
        {
            return new Dictionary<string, double> { ["valid_windows"] = 0 };
        }
        int[] subset = valid.FixedSubset(ValidationWindows);
        var batches = new IntervalDatasetBatches(valid, Plan.Target.MicroBatch, shuffle: false, dropLast: false, indices: subset);
        var loader = new PrefetchLoader(batches, new PrefetchLoaderOptions { Workers = 1, Prefetch = 2 });
        double sum = 0;
        long tokens = 0;
        foreach (var batch in loader.Epoch(0, 0, cancellationToken))
        {
            using var scope = NewDisposeScope();
            long n = (long)batch.Size * batch.Length;
            sum += Loss(batch).ToDouble() * n;
            tokens += n;
        }
        double loss = sum / tokens;
        return new Dictionary<string, double>
        {
            ["valid_loss"] = loss,
            ["valid_ppl"] = Math.Exp(loss),
            ["valid_windows"] = subset.Length,
            ["valid_tokens"] = tokens,
        };
    }
}
