using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;

namespace Genomics.Mamba.Memory;

/// <summary>
/// Predicts the peak resident memory of a training step (forward, next-token loss, backward, AdamW step) of a Mamba
/// or HyenaDNA language model on CPU, and picks how to train within a memory budget: activation checkpointing on or
/// off, the segment length of the segmented recompute, the micro-batch and the gradient accumulation.
///
/// The model: peak = runtime + weights, gradients and AdamW moments + at the start of backward, every block's saved
/// activations (or with checkpointing each block's two inputs) + one block's backward working set (checkpointed: its
/// recomputed activations too, over one segment when segmented) + scan chunk states / FFT spectra + head. The tensor
/// inventory is counted from the modules (<see cref="ModelFootprint"/>); the runtime and the backward working sets
/// are measured (<see cref="MemoryCalibration"/>), and `genomamba bench model` checks the total against VmHWM.
///
/// The choice, in order of preference: no checkpointing with the largest micro-batch that fits while it still holds
/// at least <see cref="MinTokensPerMicroBatch"/> tokens (recompute costs about one extra forward, a smaller
/// micro-batch of that size costs next to nothing on CPU); otherwise whichever fits the larger micro-batch, with
/// checkpointing when that is a tie; segments (Mamba: segmented recompute; HyenaDNA: staged recompute in position chunks) of 2^14 (or L/2), halving down to <see cref="MinSegmentLength"/> when
/// even one checkpointed sequence does not fit. Micro-batches divide the batch, so accumulation keeps it exact.
/// </summary>
public static class MemoryPlanner
{
    /// <summary>Below this many tokens per micro-batch the planner prefers checkpointing to shrinking the micro-batch.</summary>
    public const long MinTokensPerMicroBatch = 8192;

    /// <summary>Shortest segment the planner proposes: shorter ones pay per-segment overheads for little memory.</summary>
    public const long MinSegmentLength = 4096;

    /// <summary>Predicted peak of one micro-step of a Mamba LM.</summary>
    public static MemoryEstimate Estimate(MambaConfig config, long length, long microBatch,
        TrainingPrecision precision = TrainingPrecision.Float32, bool checkpointing = false, long? segmentLength = null) =>
        Estimate(ModelFootprint.Of(config.Validate(), length), length, microBatch, precision, checkpointing, segmentLength);

    /// <summary>Predicted peak of one micro-step of a HyenaDNA LM (its filter must cover <paramref name="length"/>);
    /// <paramref name="segmentLength"/>: staged recompute in position chunks of that length.</summary>
    public static MemoryEstimate Estimate(HyenaConfig config, long length, long microBatch,
        TrainingPrecision precision = TrainingPrecision.Float32, bool checkpointing = false, long? segmentLength = null) =>
        Estimate(Covering(config, length), length, microBatch, precision, checkpointing, segmentLength);

    /// <summary>How to train a Mamba LM at batch × length within <paramref name="budgetBytes"/>; <paramref name="policy"/>
    /// Always/Never fixes checkpointing, Auto lets the planner choose.</summary>
    public static MemoryPlan Plan(MambaConfig config, long length, long batch, long budgetBytes,
        TrainingPrecision precision = TrainingPrecision.Float32, RecomputePolicy policy = RecomputePolicy.Auto) =>
        Plan(ModelFootprint.Of(config.Validate(), length), length, batch, budgetBytes, precision, policy);

    /// <summary>How to train a HyenaDNA LM at batch × length within <paramref name="budgetBytes"/>.</summary>
    public static MemoryPlan Plan(HyenaConfig config, long length, long batch, long budgetBytes,
        TrainingPrecision precision = TrainingPrecision.Float32, RecomputePolicy policy = RecomputePolicy.Auto) =>
        Plan(Covering(config, length), length, batch, budgetBytes, precision, policy);

    /// <summary>Predicted peak of one micro-step of the language model of <paramref name="model"/>'s architecture and config.</summary>
    public static MemoryEstimate Estimate(ModelSpec model, long length, long microBatch,
        TrainingPrecision precision = TrainingPrecision.Float32, bool checkpointing = false, long? segmentLength = null) =>
        model.Mamba is { } m
            ? Estimate(m, length, microBatch, precision, checkpointing, segmentLength)
            : Estimate(model.Hyena!, length, microBatch, precision, checkpointing, segmentLength);

    /// <summary>How to train the language model of <paramref name="model"/>'s architecture and config (a classifier's
    /// trunk costs the same; its head is smaller than the LM head) at batch × length within <paramref name="budgetBytes"/>.</summary>
    public static MemoryPlan Plan(ModelSpec model, long length, long batch, long budgetBytes,
        TrainingPrecision precision = TrainingPrecision.Float32, RecomputePolicy policy = RecomputePolicy.Auto) =>
        model.Mamba is { } m
            ? Plan(m, length, batch, budgetBytes, precision, policy)
            : Plan(model.Hyena!, length, batch, budgetBytes, precision, policy);

    static ModelFootprint Covering(HyenaConfig config, long length)
    {
        config.Validate();
        if (length > config.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length,
                $"cannot plan length {length}: the Hyena filter covers only {config.MaxLength} positions; plan config.ForContext({length})");
        }
        return ModelFootprint.Of(config, length);
    }

    internal static MemoryEstimate Estimate(ModelFootprint f, long length, long microBatch, TrainingPrecision precision,
        bool checkpointing, long? segmentLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(microBatch, 1);
        if (segmentLength is { } s)
        {
            if (!checkpointing)
            {
                throw new ArgumentException("segmented recompute needs checkpointing", nameof(segmentLength));
            }
            if (!f.Segmentable)
            {
                throw new ArgumentException($"{f.Family} blocks cannot be recomputed in segments", nameof(segmentLength));
            }
            ArgumentOutOfRangeException.ThrowIfLessThan(s, 1, nameof(segmentLength));
        }
        double act = precision == TrainingPrecision.Float32 ? 4 : 2;
        double tokens = (double)microBatch * length;
        long segment = Math.Min(segmentLength ?? length, length);
        double segTokens = (double)microBatch * segment;
        int layers = f.Layers;

        double Saved(double t, double positions) => t * (4 * f.SavedFp32PerToken + act * f.SavedActPerToken) + positions * 4 * f.SavedPerPosition;
        double Work(double t) => 4 * t * f.WorkPerToken;
        double Chunks(double t) => 4 * t * f.ChunkStatesPerToken;
        double Fft(double t, double positions) => 4 * (t * f.FftPerToken + positions * f.FftPerPosition);

        double saved, working, chunks, fft;
        if (!checkpointing)
        {
            saved = layers * Saved(tokens, length);
            working = Work(tokens);
            chunks = layers * Chunks(tokens);
            fft = layers * Fft(tokens, length);
        }
        else
        {
            // Each block's saved input (measured: see MemoryCalibration), kept until the block's backward.
            saved = layers * tokens * 4 * f.CheckpointedPerToken * (precision == TrainingPrecision.Float32 ? 1 : 0.75);
            // The block being back-propagated: its recomputed activations and its backward, over one segment.
            working = f.SegmentWorkPerToken is { } w && segment < length ? 4 * segTokens * w : Saved(segTokens, segment) + Work(segTokens);
            if (segment < length)
            {
                // Tensors that still span the whole sequence: the gradients entering and leaving the block, the
                // embedding output, the final norm's tensors (HyenaDNA: its stage buffers).
                working += 4 * tokens * f.SegmentedWholeSequencePerToken;
            }
            chunks = Chunks(segTokens);
            fft = f.SegmentWorkPerToken is not null && segment < length ? 0 : Fft(segTokens, segment);   // measured within the stages
        }
        // The head's tensors (final norm, logits, their gradients) are freed before the blocks' backward begins; with
        // checkpointing the peak falls in a block's backward (measured: the depth-0 rise equals one block's recompute
        // and backward, nothing for the head), without it the head's saved tensors are live beside everything else.
        double head = checkpointing ? 0 : 4 * tokens * f.HeadPerToken;
        // glibc's share: by the size of the typical tensor of each part (checkpointed block inputs are d wide, the
        // working set spans a segment).
        double full = MemoryCalibration.AllocatorSlack(4 * tokens * f.TypicalWidth);
        // Segmented runs map every block of 1 MiB or more (MallocTuning.ForSegmentedRecompute, applied by the stage): RSS follows them.
        double part = checkpointing && segment < length ? MemoryCalibration.MappedSlack : MemoryCalibration.AllocatorSlack(4 * segTokens * f.TypicalWidth);
        saved *= checkpointing ? MemoryCalibration.AllocatorSlack(4 * tokens * f.DModel) : full;
        (working, chunks, fft, head) = (working * part, chunks * part, fft * part, head * full);

        long p = f.ParameterCount;
        long weights = 4 * p + f.BufferBytes + (precision == TrainingPrecision.BFloat16 ? 2 * p : 0);
        return new MemoryEstimate(
            MemoryCalibration.RuntimeBytes,
            weights,
            4 * p,
            8 * p,
            (long)saved,
            (long)working,
            (long)chunks,
            (long)fft,
            (long)head);
    }

    internal static MemoryPlan Plan(ModelFootprint f, long length, long batch, long budgetBytes, TrainingPrecision precision,
        RecomputePolicy policy)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(budgetBytes, 1);
        var divisors = Enumerable.Range(1, (int)Math.Min(batch, int.MaxValue)).Select(i => (long)i)
            .Where(m => batch % m == 0).OrderDescending().ToArray();

        MemoryPlan Make(bool ckpt, long? segment, long micro)
        {
            var estimate = Estimate(f, length, micro, precision, ckpt, segment);
            return new MemoryPlan(f.Description, length, batch, precision, budgetBytes, ckpt, segment, micro, batch / micro,
                estimate, estimate.TotalBytes <= budgetBytes);
        }

        MemoryPlan? Largest(bool ckpt) => divisors.Select(m => Make(ckpt, null, m)).FirstOrDefault(p => p.Fits);

        var off = policy == RecomputePolicy.Always ? null : Largest(false);
        var on = policy == RecomputePolicy.Never ? null : Largest(true);
        if (off is not null && (on is null || off.MicroBatch * length >= MinTokensPerMicroBatch || off.MicroBatch >= on.MicroBatch))
        {
            return off;
        }
        if (on is not null)
        {
            return on;
        }
        if (policy != RecomputePolicy.Never && f.Segmentable)
        {
            MemoryPlan? smallest = null;
            // From the backbones' default segment (2^14) down: longer segments save little time and much memory.
            for (long s = Math.Min(length / 2, SegmentPolicy.AutoSegmentLength); s >= Math.Min(MinSegmentLength, length / 2) && s >= 1; s /= 2)
            {
                smallest = Make(true, s, 1);
                if (smallest.Fits)
                {
                    return smallest;
                }
            }
            if (smallest is not null)
            {
                return smallest;
            }
        }
        // Nothing fits: the least memory the allowed options reach, marked as not fitting.
        return Make(policy != RecomputePolicy.Never, null, 1);
    }
}
