namespace Genomics.Data.Schedules;

/// <summary>
/// Where a global epoch or step falls in a <see cref="WarmupPlan"/>: the stage (and its index), the global
/// epoch, the epoch within the stage, and the step within that epoch (0 when located by epoch).
/// </summary>
public readonly record struct WarmupPosition(int StageIndex, WarmupStage Stage, int Epoch, int EpochInStage, long StepInEpoch);
