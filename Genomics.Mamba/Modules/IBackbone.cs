using Genomics.Mamba.Precision;

namespace Genomics.Mamba.Modules;

/// <summary>
/// The settings a training stage sets on a backbone, whichever it is (<see cref="MambaBackbone"/>,
/// <see cref="HyenaBackbone"/>): whether blocks are recomputed in backward, in segments of how many positions, and the
/// compute dtype. A <see cref="Training.TrainingStage"/> applies its memory plan through this.
/// </summary>
public interface IBackbone
{
    /// <summary>Whether training recomputes each block in backward instead of keeping its activations.</summary>
    RecomputePolicy Recompute { get; set; }

    /// <summary>Whether, and in segments (Mamba) or position chunks (HyenaDNA) of how many positions, blocks are recomputed.</summary>
    SegmentPolicy Segmenting { get; set; }

    /// <summary>The compute dtype of the blocks; weights, norms and the residual stream stay fp32.</summary>
    ComputePrecision Precision { get; set; }
}
