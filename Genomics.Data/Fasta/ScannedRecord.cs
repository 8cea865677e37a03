namespace Genomics.Data.Fasta;

/// <summary>
/// What one pass over a FASTA learns about a record: its index entry (layout in the scanned bytes), the
/// line its header is on, its count of non-N ambiguity codes, and its bases when they were kept.
/// </summary>
internal sealed record ScannedRecord(FaiEntry Entry, long HeaderLine, long OtherIupac, byte[]? Bases);
