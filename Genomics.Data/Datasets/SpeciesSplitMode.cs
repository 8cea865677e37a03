namespace Genomics.Data.Datasets;

/// <summary>How the species data is divided into train, valid and test.</summary>
public enum SpeciesSplitMode
{
    /// <summary>Whole chromosomes held out by name (HyenaDNA: valid 1, 3, 12, 13; test 5, 7, 9, 10, 11).</summary>
    HeldOutChromosomes,
    /// <summary>
    /// Contiguous regions held out by fraction at the end of every chromosome: [train | valid | test].
    /// Meant for one sequence per species (the concatenated ape chr22).
    /// </summary>
    HeldOutRegions,
}
