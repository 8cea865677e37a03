namespace Genomics.Data.Datasets;

/// <summary>One species and the genome file (FASTA or .2bit) that holds it.</summary>
public sealed record SpeciesSource(string Species, string Path);
