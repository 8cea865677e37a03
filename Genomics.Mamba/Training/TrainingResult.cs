namespace Genomics.Mamba.Training;

/// <summary>How a run ended: the step reached, whether it was stopped early, the last losses and validation metrics.</summary>
public sealed record TrainingResult(long Step, long TotalSteps, bool Stopped, IReadOnlyList<double> Losses,
    IReadOnlyDictionary<string, double> Validation, string? CheckpointPath);
