using System.Globalization;
using System.Text;
using Genomics.Mamba.Memory;
using Genomics.Mamba.Training;

namespace Genomics.Cli.Output;

/// <summary>A <see cref="TrainingPlan"/> as `--dry-run` prints it: the model, the budget, one row per stage, totals and a rough time.</summary>
public static class TrainingPlanText
{
    public static string Format(TrainingPlan plan)
    {
        var inv = CultureInfo.InvariantCulture;
        var t = new StringBuilder();
        t.AppendLine(inv, $"model: {plan.Model.ConfigText}");
        t.AppendLine(inv, $"memory budget {MemoryEstimate.Format(plan.BudgetBytes)}, activations {(plan.Precision == TrainingPrecision.Float32 ? "fp32" : "bf16")}");
        t.AppendLine(inv, $"{plan.Stages.Count} stage(s):");
        t.AppendLine(inv, $"  {"stage",5} {"L",10} {"epochs",6} {"steps/epoch",11} {"batch",7} {"micro × acc",13} {"recompute",20} {"predicted peak",14} {"tokens",16}");
        int i = 1;
        foreach (var s in plan.Stages)
        {
            string recompute = !s.Memory.Recompute ? "off" : s.Memory.SegmentLength is { } seg ? $"on, segments {seg:N0}" : "on";
            t.AppendLine(inv, $"  {i++,5} {s.Warmup.Length,10:N0} {s.Warmup.Epochs,6} {s.StepsPerEpoch,11:N0} {s.Warmup.Batch,7:N0} {$"{s.Warmup.MicroBatch} × {s.Warmup.Accumulation}",13} {recompute,20} " +
                             $"{MemoryEstimate.Format(s.Memory.PredictedPeakBytes) + (s.Memory.Fits ? "" : " (!)"),14} {s.Tokens,16:N0}");
        }
        t.AppendLine(inv, $"total: {plan.TotalSteps:N0} optimizer steps, {plan.TotalTokens:N0} tokens");
        if (plan.WorldSize > 1)
        {
            var rows = plan.Stages.Select(s => $"L={s.Warmup.Length:N0}: {s.Warmup.MicroBatch} × {s.Warmup.Accumulation / plan.WorldSize}, {s.Warmup.TokensPerStep / plan.WorldSize:N0} tokens");
            t.AppendLine(inv, $"per rank ({plan.WorldSize} ranks, the batch and tokens above are global): {string.Join("; ", rows)}");
        }
        t.Append(inv, $"time estimate: about {TrainingProgressView.Duration(plan.EstimatedTime)} (h:mm:ss; rough: {TrainingPlan.AssumedFlops / 1e9:F0} GFLOP/s effective, as Mamba 1.4M trains on 2 CPU cores)");
        if (plan.Stages.Any(s => s.Steps == 0))
        {
            t.AppendLine();
            t.Append("note: stages with 0 steps per epoch hold fewer samples than one batch: lower --tokens-per-step or give more intervals");
        }
        return t.ToString();
    }
}
