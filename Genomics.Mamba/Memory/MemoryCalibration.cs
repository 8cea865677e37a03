namespace Genomics.Mamba.Memory;

/// <summary>
/// The measured constants of <see cref="MemoryPlanner"/>. Everything else it uses is counted from the module code
/// (<see cref="ModelFootprint"/>); these are what counting cannot give: the runtime's own footprint and the transient
/// memory of a block's backward. How they were measured is written beside each.
/// </summary>
internal static class MemoryCalibration
{
    /// <summary>PLACEHOLDER until measured.</summary>
    public const long RuntimeBytes = 400L << 20;

    /// <summary>PLACEHOLDER until measured.</summary>
    public const double MambaWorkPerDInner = 8;

    /// <summary>PLACEHOLDER until measured.</summary>
    public const double HyenaWorkPerDModel = 12;

    /// <summary>PLACEHOLDER until measured.</summary>
    public const double HyenaWorkPerPositionPerDModel = 6;
}
