namespace Genomics.Mamba.Memory;

/// <summary>Element type of the activations a training step keeps (the master weights and AdamW state stay fp32).</summary>
public enum TrainingPrecision
{
    /// <summary>Everything in fp32: what the models run today.</summary>
    Float32,

    /// <summary>
    /// bf16 matmuls and activations with fp32 master weights, fp32 residual stream, scan and FFT (issue 4's mixed
    /// precision). Planned from the per-tensor inventory with those tensors at 2 bytes; not yet calibrated by measurement.
    /// </summary>
    BFloat16,
}

/// <summary>The module setting that realises a <see cref="TrainingPrecision"/>.</summary>
public static class TrainingPrecisionExtensions
{
    /// <summary>The compute dtype the backbones run in for this training precision.</summary>
    public static Precision.ComputePrecision Compute(this TrainingPrecision precision) =>
        precision == TrainingPrecision.BFloat16 ? Precision.ComputePrecision.BFloat16 : Precision.ComputePrecision.Float32;
}
