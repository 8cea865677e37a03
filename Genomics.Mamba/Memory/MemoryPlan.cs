using System.Globalization;
using System.Text;
using Genomics.Mamba.Modules;

namespace Genomics.Mamba.Memory;

/// <summary>
/// The <see cref="MemoryPlanner"/>'s choice for one training setup: how to run a step of <see cref="Batch"/> sequences
/// of <see cref="Length"/> tokens within <see cref="BudgetBytes"/>, and what it is predicted to cost. Prints as a short
/// table (the CLI's --dry-run shows it as is).
/// </summary>
/// <param name="Model">The model's one-line description (its config's ToString).</param>
/// <param name="Length">Tokens per sequence, L.</param>
/// <param name="Batch">Sequences per optimizer step: MicroBatch × GradientAccumulation.</param>
/// <param name="Precision">Activation dtype.</param>
/// <param name="BudgetBytes">Resident memory the step may use, runtime included.</param>
/// <param name="Recompute">Recompute each block in backward (keep only block inputs).</param>
/// <param name="SegmentLength">With checkpointing, run each block's recompute and backward over segments of this many
/// tokens (the segmented recompute of long sequences); null for the whole sequence at once.</param>
/// <param name="MicroBatch">Sequences per forward/backward.</param>
/// <param name="GradientAccumulation">Forward/backward passes per optimizer step.</param>
/// <param name="Estimate">The predicted peak of one micro-step, by part.</param>
/// <param name="Fits">Whether <see cref="Estimate"/> is within the budget; when false this is the smallest plan found.</param>
public sealed record MemoryPlan(
    string Model,
    long Length,
    long Batch,
    TrainingPrecision Precision,
    long BudgetBytes,
    bool Recompute,
    long? SegmentLength,
    long MicroBatch,
    long GradientAccumulation,
    MemoryEstimate Estimate,
    bool Fits)
{
    /// <summary>The backbone setting that realises <see cref="Recompute"/> (MambaBackbone/HyenaBackbone.Recompute).</summary>
    public RecomputePolicy RecomputePolicy => Recompute ? RecomputePolicy.Always : RecomputePolicy.Never;

    /// <summary>Predicted peak RSS of a step.</summary>
    public long PredictedPeakBytes => Estimate.TotalBytes;

    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(inv, $"memory plan: {Model}");
        text.AppendLine(inv, $"  L {Length:N0}, batch {Batch}, {(Precision == TrainingPrecision.Float32 ? "fp32" : "bf16")}, budget {MemoryEstimate.Format(BudgetBytes)}");
        text.AppendLine(inv, $"  {"micro-batch",-24} {MicroBatch} × {GradientAccumulation} accumulation step{(GradientAccumulation == 1 ? "" : "s")}");
        string recompute = !Recompute ? "off"
            : SegmentLength is { } s ? $"on, segments of {s:N0}"
            : "on (per block)";
        text.AppendLine(inv, $"  {"recompute",-24} {recompute}");
        text.AppendLine(Estimate.ToString());
        text.Append(inv, $"  {(Fits ? "fits" : "DOES NOT FIT"),-24} {100.0 * Estimate.TotalBytes / BudgetBytes,9:F0}% of budget");
        return text.ToString();
    }
}
