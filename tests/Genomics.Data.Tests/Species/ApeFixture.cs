using Genomics.Data.Datasets;

namespace Genomics.Data.Tests.Species;

/// <summary>
/// The shared ape chr22 files as one species dataset, opened once per run (<see cref="ApeCollection"/>) through
/// the default reader (GenomeFile): inflating 4 × 15 Mb takes a second or two, too long to repeat in every test.
/// The target length is 2^14; reads at other lengths are checked against the regions when first asked for.
/// </summary>
public sealed class ApeFixture : IDisposable
{
    public ApeFixture()
    {
        Dataset = SpeciesDataset.OpenDirectory(ApeData.Directory, Options(1 << 14));
    }

    public static SpeciesDatasetOptions Options(int length) => new()
    {
        ConcatenateRecords = true,
        ConcatenatedName = "chr22",
        SplitMode = SpeciesSplitMode.HeldOutRegions,
        ValidFraction = 0.1,
        TestFraction = 0.1,
        SequenceLength = length,
        ValidSamples = 2000,
        TestSamples = 2000,
        Seed = 2023,
    };

    public SpeciesDataset Dataset { get; }

    public void Dispose() => Dataset.Dispose();
}
