namespace Genomics.Data.Datasets;

/// <summary>Which part of the species data a sample comes from.</summary>
public enum SpeciesSplit
{
    /// <summary>Drawn on the fly from (seed, epoch, index): a fresh sample every epoch.</summary>
    Train,
    /// <summary>A fixed set drawn from (seed, index) only: the same samples on every call.</summary>
    Valid,
    /// <summary>A fixed set like <see cref="Valid"/>, from its own held-out part of the data.</summary>
    Test,
}
