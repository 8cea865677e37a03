namespace Genomics.Mamba.Training;

/// <summary>A run's output directory: where its checkpoint is, and which checkpoint a new or resumed run starts from.</summary>
public static class RunDirectory
{
    /// <summary>
    /// The checkpoint to resume from (null: a fresh run) for a run writing into <paramref name="outDir"/>, given what was
    /// asked: null for a fresh run, "" to continue the run in <paramref name="outDir"/>, else a checkpoint path. A fresh
    /// run never overwrites another run's checkpoint, and a resume without a checkpoint says where one was looked for.
    /// </summary>
    public static string? ResumeFrom(string? request, string outDir)
    {
        string checkpointPath = Path.Combine(outDir, Trainer.CheckpointFileName);
        string? from = request is null ? null : request.Length > 0 ? request : checkpointPath;
        if (from is null && File.Exists(checkpointPath))
        {
            throw new InvalidOperationException($"{checkpointPath} exists: pass --resume to continue that run, or choose another --out");
        }
        if (from is not null && !File.Exists(from))
        {
            throw new FileNotFoundException($"--resume: no checkpoint at {from} (a run writes {Trainer.CheckpointFileName} in its --out directory)");
        }
        return from;
    }
}
