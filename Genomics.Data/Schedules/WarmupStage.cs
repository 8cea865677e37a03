namespace Genomics.Data.Schedules;

/// <summary>
/// A stretch of training at one sequence length: <see cref="Epochs"/> epochs of samples of
/// <see cref="Length"/> tokens, <see cref="Batch"/> samples per optimizer step, fed to the model as
/// <see cref="Accumulation"/> micro-batches of <see cref="MicroBatch"/> (Batch = MicroBatch × Accumulation).
/// </summary>
public sealed record WarmupStage(int Epochs, int Length, int Batch, int MicroBatch, int Accumulation)
{
    /// <summary>Tokens behind one optimizer step.</summary>
    public long TokensPerStep => (long)Batch * Length;

    /// <summary>Optimizer steps in one epoch of <paramref name="samplesPerEpoch"/> samples; a partial batch is dropped.</summary>
    public long StepsPerEpoch(long samplesPerEpoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samplesPerEpoch);
        return samplesPerEpoch / Batch;
    }

    public override string ToString() =>
        $"{Epochs} epoch(s) at L={Length}: batch {Batch}" + (Accumulation > 1 ? $" = {MicroBatch} × {Accumulation} accumulated" : "");
}
