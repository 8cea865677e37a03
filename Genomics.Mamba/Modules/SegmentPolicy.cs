namespace Genomics.Mamba.Modules;

/// <summary>
/// Whether, and in segments of how many positions, a Mamba backbone runs its blocks segment by segment
/// (<see cref="SegmentedRecompute"/>): a block's working memory then grows with the segment, not the sequence.
/// </summary>
public readonly record struct SegmentPolicy
{
    /// <summary>
    /// Sequence length from which <see cref="Auto"/> segments (2^17: below it a whole block's recompute fits easily), one
    /// doubling after whole-block recompute starts (<see cref="BlockRecompute.AutoFromLength"/>). Unplanned runs
    /// (inference, `bench model`) follow it; a training stage sets the memory planner's segments instead.
    /// </summary>
    public const long AutoFromLength = 1 << 17;

    /// <summary>
    /// The segment length <see cref="Auto"/> uses, 2^14: a Mamba 1.4M block's recompute over 2^14 positions holds about
    /// 0.3 GB per sequence, small next to the 2^20-token block inputs every checkpointed model keeps, while segments stay
    /// long enough that their per-segment overhead (a few small kernels, state copies) is noise.
    /// </summary>
    public const long AutoSegmentLength = 1 << 14;

    readonly long _length;   // > 0 a fixed length, 0 off, −1 auto

    SegmentPolicy(long length) => _length = length;

    /// <summary>Segments of <see cref="AutoSegmentLength"/> when training (grad on, checkpointing not turned off) or
    /// running inference on sequences of at least <see cref="AutoFromLength"/>; whole blocks otherwise. The default.</summary>
    public static SegmentPolicy Auto { get; } = new(-1);

    /// <summary>Never segment (whole-block checkpointing, or none, as <see cref="RecomputePolicy"/> says).</summary>
    public static SegmentPolicy Off { get; } = new(0);

    /// <summary>Always segment, <paramref name="positions"/> at a time, whatever the length and checkpointing policy.</summary>
    public static SegmentPolicy Every(long positions) => positions >= 1
        ? new(positions)
        : throw new ArgumentOutOfRangeException(nameof(positions), positions, "a segment holds at least 1 position");

    /// <summary>The fixed segment length, or null for <see cref="Auto"/> and <see cref="Off"/>.</summary>
    public long? Length => _length > 0 ? _length : null;

    /// <summary>
    /// The segment length to use for a sequence of <paramref name="length"/> positions, or null to run whole blocks.
    /// <paramref name="checkpointing"/> is the backbone's policy: Auto does not segment a model whose checkpointing
    /// the caller turned off (segmenting is a way of recomputing).
    /// </summary>
    public long? SegmentFor(long length, RecomputePolicy checkpointing) => _length switch
    {
        > 0 => _length,
        < 0 when length >= AutoFromLength && checkpointing != RecomputePolicy.Never => AutoSegmentLength,
        _ => null,
    };

    public override string ToString() => _length switch
    {
        > 0 => $"every {_length} positions",
        0 => "off",
        _ => $"auto ({AutoSegmentLength} positions from length {AutoFromLength})",
    };
}
