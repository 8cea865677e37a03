using Genomics.Mamba.Config;

namespace Genomics.Mamba.Memory;

/// <summary>
/// What one block of a model keeps alive during a training step, in elements, read off the module code
/// (Genomics.Mamba/Modules) tensor by tensor. "Per token" counts scale with batch × length, "per position" ones with
/// length alone (Hyena's implicit filter is generated once per step, whatever the batch). Saved counts are the tensors
/// autograd holds from forward until the block's backward; work counts are what the block's backward (and, with
/// checkpointing, its recompute) allocates on top, calibrated by measurement (see <see cref="MemoryPlanner"/>).
/// </summary>
internal sealed record ModelFootprint
{
    public required string Family { get; init; }
    public required string Description { get; init; }
    public required long ParameterCount { get; init; }
    public required int Layers { get; init; }
    public required int DModel { get; init; }

    /// <summary>Saved per block and token that stay fp32 whatever the precision (residual stream, norms' statistics, scan inputs).</summary>
    public required double SavedFp32PerToken { get; init; }

    /// <summary>Saved per block and token in the activation dtype (projections, convolutions, MLP).</summary>
    public required double SavedActPerToken { get; init; }

    /// <summary>Saved per block and position, fp32, batch-independent (Hyena's filter FFN and window).</summary>
    public double SavedPerPosition { get; init; }

    /// <summary>The native scan's chunk-boundary states per block and token (fp32): d_inner · N / chunk.</summary>
    public double ChunkStatesPerToken { get; init; }

    /// <summary>Hyena's saved spectra of size 2L per channel: the input's (per token) and the filter's (per position), fp32 complex.</summary>
    public double FftPerToken { get; init; }

    /// <summary>See <see cref="FftPerToken"/>.</summary>
    public double FftPerPosition { get; init; }

    /// <summary>Transient per token while one block runs backward (gradients of its activations, FFT scratch), fp32. Calibrated.</summary>
    public required double WorkPerToken { get; init; }

    /// <summary>What a checkpointed block keeps per token until its backward (fp32): its inputs, measured (see MemoryCalibration).</summary>
    public required double CheckpointedPerToken { get; init; }

    /// <summary>Final norm, logits (B·L·16), log-softmax and the logits' gradient, plus the embedding output, per token, fp32.</summary>
    public required double HeadPerToken { get; init; }

    /// <summary>Width of a typical big activation, per token (Mamba d_inner, HyenaDNA 3·d): its bytes decide whether glibc maps it.</summary>
    public required double TypicalWidth { get; init; }

    /// <summary>Buffers that grow with the configured length (Hyena's positional features), bytes.</summary>
    public long BufferBytes { get; init; }

    /// <summary>Whether a block's backward can run in segments of the sequence (Mamba: conv and scan states carry
    /// across; HyenaDNA: staged, position chunks around the long convolution's channel groups).</summary>
    public required bool Segmentable { get; init; }

    /// <summary>Segmented: fp32 elements per token of tensors that span the whole sequence while one block recomputes
    /// (gradients in and out, and for HyenaDNA the stage buffers), beyond the blocks' saved inputs. Measured.</summary>
    public required double SegmentedWholeSequencePerToken { get; init; }

    /// <summary>Segmented: a block's working set per token of one segment, fp32 elements, when measured rather than
    /// counted (HyenaDNA's stages); null: the block's saved activations and backward over the segment, as counted.</summary>
    public double? SegmentWorkPerToken { get; init; }

    /// <summary>
    /// Mamba (MambaBlock → MambaMixer.Forward, native scan), per block and token, with d = d_model, e = d_inner,
    /// r = dt_rank, n = d_state. Kept in fp32: residual sum d, RMSNorm rstd 1 and x·rstd d and its output d (the norm
    /// runs in the weight dtype), and the scan's inputs, which the native kernel takes in fp32 only and copies to
    /// contiguous rows: Δ e, B and C 2n, z e, plus its output y e. In the activation dtype: in_proj output xz 2e (the
    /// conv keeps its x half as input, a view of all of it), conv output e (padded by d_conv − 1; SiLU keeps it), SiLU
    /// output u e (x_proj's and the scan's input), x_proj output r + 2n (dt_proj reads a view of it).
    /// Chunk states: e · n / chunk with the library's default chunk, min(2048, max(256, 4n)), capped at L.
    /// Head: final sum d, RMSNorm 1 + 2d, logits, log-softmax and the logits' gradient 3 · 16.
    /// </summary>
    public static ModelFootprint Of(MambaConfig c, long length)
    {
        double d = c.DModel, e = c.DInner, n = c.DState, r = c.DtRank, v = c.PaddedVocabSize;
        long chunk = Math.Min(Math.Min(2048, Math.Max(256, 4L * c.DState)), Math.Max(1, length));
        return new ModelFootprint
        {
            Family = "Mamba",
            Description = c.ToString(),
            ParameterCount = c.ParameterCount,
            Layers = c.NLayer,
            DModel = c.DModel,
            SavedFp32PerToken = d + 1 + d + d + e + 2 * n + e + e,
            SavedActPerToken = 2 * e + e + e + r + 2 * n,
            ChunkStatesPerToken = e * n / chunk,
            WorkPerToken = MemoryCalibration.MambaWorkPerDInner * e,
            CheckpointedPerToken = MemoryCalibration.CheckpointedBlockPerDModel * d,
            HeadPerToken = d + 1 + 2 * d + 3 * v,
            TypicalWidth = e,
            Segmentable = true,
            SegmentedWholeSequencePerToken = MemoryCalibration.SegmentedWholeSequencePerDModel * d,
        };
    }

    /// <summary>
    /// HyenaDNA (HyenaBlock → HyenaOperator → HyenaFftConv, HyenaMlp), per block, with d = d_model, m = MLP width,
    /// F = filter order. Per token, fp32: the two residual sums 2d and the two LayerNorms' mean and rstd 4, the long
    /// convolution's input x1·v d (the FFT runs in fp32) and its output d. Activation dtype: LayerNorm outputs 2d,
    /// in_proj output 3d (the short conv's input) and short-conv output 3d (the gates' and v's storage), v·x0 d
    /// (out_proj's input), fc1 output m (GELU's input) and GELU output m (fc2's input). FFT: the input's rfft of size 2L,
    /// (L + 1) complex per channel ≈ 2d per token; the filter's spectrum 2d per position. Per position: the filter FFN
    /// keeps 3F per sine layer (Linear output, frequency product, sine output), its output d, and the window d.
    /// </summary>
    public static ModelFootprint Of(HyenaConfig c, long length)
    {
        double d = c.DModel, m = c.DInner, f = c.FilterOrder, v = c.PaddedVocabSize;
        int sineLayers = 1 + c.FilterInnerLayers;
        return new ModelFootprint
        {
            Family = "HyenaDNA",
            Description = c.ToString(),
            ParameterCount = c.ParameterCount,
            Layers = c.NLayer,
            DModel = c.DModel,
            SavedFp32PerToken = 2 * d + 4 + d + d + MemoryCalibration.HyenaUncountedPerDModel * d,
            SavedActPerToken = 2 * d + 3 * d + 3 * d + d + m + m,
            SavedPerPosition = 3 * f * sineLayers + d + d + MemoryCalibration.HyenaUncountedPerPositionPerDModel * d,
            FftPerToken = 2 * d,
            FftPerPosition = 2 * d,
            WorkPerToken = MemoryCalibration.HyenaWorkPerDModel * d,
            CheckpointedPerToken = MemoryCalibration.CheckpointedBlockPerDModel * d,
            HeadPerToken = d + 2 + 2 * d + 3 * v,
            TypicalWidth = 3 * d,
            // The positional features (t and the emb_dim features) of every block's filter, sized for MaxLength.
            BufferBytes = 4L * c.NLayer * (c.EmbDim + 1) * c.MaxLength,
            Segmentable = true,
            SegmentedWholeSequencePerToken = MemoryCalibration.HyenaStagedWholeSequencePerDModel * d,
            SegmentWorkPerToken = MemoryCalibration.HyenaStagedChunkWorkPerDModel * d,
        };
    }
}
