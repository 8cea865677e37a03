namespace Genomics.Mamba.Tests.Memory;

/// <summary>Tests that read the process's peak RSS run alone: another test allocating at the same time would count.</summary>
[CollectionDefinition(nameof(MemoryMeasurementCollection), DisableParallelization = true)]
public sealed class MemoryMeasurementCollection;
