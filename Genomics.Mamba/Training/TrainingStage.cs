using Genomics.Data.Schedules;
using Genomics.Mamba.Memory;
using Genomics.Mamba.Modules;
using static TorchSharp.torch;

namespace Genomics.Mamba.Training;

/// <summary>
/// One stage of a <see cref="TrainingPlan"/>: its warmup stage (length, epochs, batch, micro-batch × accumulation) and the
/// memory plan chosen for that length and micro-batch (recompute, segment length, predicted peak). The
/// <see cref="Trainer"/> applies it to the model when the stage starts (<see cref="ApplyTo"/>).
/// </summary>
public sealed record TrainingStage(WarmupStage Warmup, long StepsPerEpoch, MemoryPlan Memory)
{
    public long Steps => Warmup.Epochs * StepsPerEpoch;

    public long Tokens => Steps * Warmup.TokensPerStep;

    /// <summary>How blocks are recomputed in backward at this stage.</summary>
    public RecomputePolicy Recompute => Memory.RecomputePolicy;

    /// <summary>Segments (Mamba) or position chunks (HyenaDNA) of the recompute at this stage, or null for whole blocks.</summary>
    public SegmentPolicy Segmenting => Memory.SegmentLength is { } s ? SegmentPolicy.Every(s) : SegmentPolicy.Off;

    /// <summary>
    /// Sets this stage's recompute and segments on every backbone in <paramref name="model"/>, and the allocator setting
    /// the planner's prediction assumes for segmented recompute (<see cref="MallocTuning.ForSegmentedRecompute"/>).
    /// </summary>
    public void ApplyTo(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (Memory.SegmentLength is not null)
        {
            MallocTuning.ForSegmentedRecompute();
        }
        foreach (var backbone in Backbones(model))
        {
            backbone.Recompute = Recompute;
            backbone.Segmenting = Segmenting;
        }
    }

    /// <summary>The backbones in <paramref name="model"/> (itself included).</summary>
    public static IEnumerable<IBackbone> Backbones(nn.Module model) => model.modules().Prepend(model).OfType<IBackbone>();
}
