namespace Genomics.Data.Tests.Species;

/// <summary>Test classes that share one <see cref="ApeFixture"/>: the full ape files are inflated once per run, not once per class.</summary>
[CollectionDefinition(Name)]
public sealed class ApeCollection : ICollectionFixture<ApeFixture>
{
    public const string Name = "ape chr22 (shared data)";
}
