namespace Genomics.Mamba.Tests.Training;

/// <summary>
/// Training tests build models from torch's global generator (manual_seed, then init) and compare runs bit for bit:
/// another test drawing from that generator at the same time would change the weights. They run alone.
/// </summary>
[CollectionDefinition(nameof(TrainingCollection), DisableParallelization = true)]
public sealed class TrainingCollection;
