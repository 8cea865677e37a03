namespace Genomics.Mamba.Memory;

/// <summary>
/// The measured constants of <see cref="MemoryPlanner"/>. The rest of its arithmetic is counted from the module code
/// (<see cref="ModelFootprint"/>); these are what counting does not give.
///
/// How they were measured: `genomamba bench model --case MODEL:L:BATCH:fwdbwd:POLICY` (one forward + next-token loss +
/// backward in a fresh process, VmHWM reset before the step, peak minus the RSS before it) with
/// GLIBC_TUNABLES=glibc.malloc.mmap_threshold=65536, which makes glibc map and unmap every block over 64 KiB so
/// that RSS follows the live tensors exactly. Sizes: Mamba d 64 and d 128 with 1 and 4 blocks, Hyena d 128 with 1 and
/// 3 blocks, each at 1 × 16,384 and (Hyena) 4 × 4,096 tokens, checkpointing off and on (Mamba also 8 blocks, and
/// 1.4M at 1 × 131,072 with the default allocator). Differences between depths give the per-block figures, between
/// the two shapes the per-token and per-position split, and what remains at depth 0 the head and working set.
/// Cross-check of the count: Mamba's per-block saved activations came out at 0.96 × (d 128) and 1.01 × (d 64) of
/// <see cref="ModelFootprint.Of(Config.MambaConfig, long)"/>'s count; Hyena's at 1.10 ×, the rest is below.
/// </summary>
internal static class MemoryCalibration
{
    /// <summary>
    /// .NET, TorchSharp, libtorch (its code pages and thread pools) and a small model, resident before the first step:
    /// 159–177 MiB over every measurement above (the model's own weights add 0.2–6 MiB of it).
    /// </summary>
    public const long RuntimeBytes = 165L << 20;

    /// <summary>
    /// Mamba block backward on top of the saved activations, per token, in units of d_inner (fp32 elements): 6.75 at
    /// d 128, 7.3 at d 64. It matches the gradients alive at once in the mixer's backward: dy, its contiguous copy for
    /// the scan, du, dΔ, dz (5e), then dxz (2e).
    /// </summary>
    public const double MambaWorkPerDInner = 7;

    /// <summary>
    /// HyenaDNA block backward on top of the saved activations, per token, in units of d_model: 3.9 at d 128 (lower
    /// than the gradients' sizes suggest, since the block's saved tensors are released while its backward runs).
    /// </summary>
    public const double HyenaWorkPerDModel = 3.9;

    /// <summary>
    /// HyenaDNA saved per block and token beyond the count, in units of d_model: measured 3,235 fp32 elements per token
    /// against 2,948 counted at d 128 (the count misses a tensor of about 2.25·d; the FFT's 2L padding is the suspect).
    /// </summary>
    public const double HyenaUncountedPerDModel = 2.25;

    /// <summary>HyenaDNA saved per block and position beyond the count: 1,205 measured against 1,088 counted at d 128, F 64.</summary>
    public const double HyenaUncountedPerPositionPerDModel = 0.9;

    /// <summary>
    /// A checkpointed block keeps, per token, this many d_model-sized fp32 tensors until its backward: the residual sum
    /// it starts from (BlockRecompute saves one tensor; the backbones drop their own handles as soon as a block has run).
    /// Measured in exact-RSS mode (every block over 64 KiB mapped, one forward + backward, one thread) from the depth
    /// difference Mamba d 128 × 4 → × 12: 1.07 at 1 × 65,536 (whole blocks), 1.06 at 1 × 131,072 (segments of 2^14).
    /// </summary>
    public const double CheckpointedBlockPerDModel = 1.06;

    /// <summary>
    /// With segmented recompute, the d_model-wide fp32 tensors per token that span the whole sequence while one block
    /// runs its segments: the gradient entering the block and the one it returns, the embedding output and what the
    /// final norm left. Measured at depth 0 (the same runs as <see cref="CheckpointedBlockPerDModel"/>, less one
    /// segment's working set): 2.6 at 2^17; the 2^20 run of LongContext.md (9.12 GB over start) implies 4.6 — 3.5 is
    /// the middle, and `genomamba bench model` checks it at 2^20.
    /// </summary>
    public const double SegmentedWholeSequencePerDModel = 3.5;

    /// <summary>
    /// HyenaDNA with staged recompute (HyenaStagedRecompute): the d_model-wide fp32 tensors per token that span the
    /// whole sequence at the peak beyond each block's saved input. The gated measurement (HyenaLongContextMemory, 1.4M,
    /// one thread, 1 MiB mmap threshold) peaked at 12 full-length (1, L, 128) tensors plus 0.57 GB that does not grow
    /// with L, at 2^17, 2^18 and 2^20 (1.34 / 2.11 / 6.66 GB of heap): 12 − 6 blocks × 1.06 = 5.6.
    /// </summary>
    public const double HyenaStagedWholeSequencePerDModel = 5.6;

    /// <summary>
    /// The 0.57 GB of <see cref="HyenaStagedWholeSequencePerDModel"/>'s measurement that stays flat with L, per token of
    /// one chunk (2^14) and per d_model, fp32 elements: 0.57e9 / (16,384 · 128 · 4) ≈ 68 (chunk activations, FFT groups,
    /// filter chunk).
    /// </summary>
    public const double HyenaStagedChunkWorkPerDModel = 68;

    /// <summary>glibc's mmap threshold as the CLI fixes it (its ceiling): blocks of at least this size are mapped fresh.</summary>
    public const long MmapThresholdBytes = 32L << 20;

    /// <summary>
    /// Peak RSS rise over the live tensors when the step's tensors come from glibc's heap (under
    /// <see cref="MmapThresholdBytes"/>): freed blocks are kept for the next step (CLI malloc settings) and the mix of
    /// sizes fragments the heap. Measured over 3–4 training steps with the CLI's settings and a GC after every step,
    /// Mamba 1.4M at 1 × 4,096 / 1 × 16,384 / 4 × 4,096 tokens: 1.61 / 1.42 / 1.73; Mamba d 128 × 8 at 1 × 4,096:
    /// 1.55–1.65 (HyenaDNA 1.4M at 4 × 4,096, half-way to the threshold: 1.37).
    /// </summary>
    public const double HeapSlack = 1.6;

    /// <summary>
    /// The same once the big tensors are mapped and RSS follows them: the bench rows at 2^16 tokens per step, Mamba
    /// 1.4M 1.12 (64 × 1,024 and 4 × 16,384) and 1.01 (checkpointed, 1 × 131,072), HyenaDNA 1.4M 1.01, 1.06 and 0.95.
    /// </summary>
    public const double MappedSlack = 1.05;

    /// <summary>
    /// The allocator factor for activations whose typical tensor is <paramref name="tensorBytes"/>: <see cref="HeapSlack"/>
    /// up to half the mmap threshold, <see cref="MappedSlack"/> from the threshold on, log-linear between (the factor falls
    /// by less than half per doubling, so predicted peaks still grow with the tokens).
    /// </summary>
    public static double AllocatorSlack(double tensorBytes)
    {
        double x = tensorBytes / MmapThresholdBytes;
        if (x <= 0.5)
        {
            return HeapSlack;
        }
        if (x >= 1)
        {
            return MappedSlack;
        }
        return HeapSlack + (MappedSlack - HeapSlack) * Math.Log2(2 * x);
    }
}
