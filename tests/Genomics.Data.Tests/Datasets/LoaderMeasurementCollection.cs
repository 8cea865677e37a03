namespace Genomics.Data.Tests.Datasets;

/// <summary>Measurements that must not share the machine with other tests: run alone.</summary>
[CollectionDefinition(nameof(LoaderMeasurementCollection), DisableParallelization = true)]
public sealed class LoaderMeasurementCollection;
