namespace Genomics.Mamba.Training;

/// <summary>What just happened in a run.</summary>
public enum TrainingEventKind
{
    /// <summary>A run starts or resumes (Step is where it starts).</summary>
    Started,
    /// <summary>A new sequence-length stage begins.</summary>
    StageStarted,
    /// <summary>An optimizer step finished.</summary>
    Step,
    /// <summary>A validation pass finished (Metrics holds its values).</summary>
    Evaluated,
    /// <summary>A checkpoint was written (Path).</summary>
    Saved,
    /// <summary>The run ended (completed or stopped).</summary>
    Finished,
}

/// <summary>
/// One progress report of the <see cref="Trainer"/> (the library never prints; the CLI renders these as a live bar,
/// plain lines, and a metrics file). Figures that do not apply to the event are zero.
/// </summary>
public sealed record TrainingEvent(
    TrainingEventKind Kind,
    long Step,
    long TotalSteps,
    int StageIndex,
    int StageCount,
    int Epoch,
    int Length,
    int Batch,
    int MicroBatch,
    int Accumulation,
    double Loss,
    double LearningRate,
    double GradientNorm,
    double TokensPerSecond,
    double StepSeconds,
    TimeSpan Elapsed,
    TimeSpan? Remaining,
    long ResidentBytes,
    long PeakResidentBytes,
    long TokensSeen)
{
    /// <summary>Validation metrics (Evaluated) or none.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>The checkpoint written (Saved).</summary>
    public string? Path { get; init; }

    /// <summary>Why the run ended (Finished): "completed", "step limit", "stopped".</summary>
    public string? Reason { get; init; }

    /// <summary>exp(loss), for language models.</summary>
    public double Perplexity => Math.Exp(Math.Min(Loss, 80));
}
