namespace Genomics.Data.Fasta;

/// <summary>
/// One line of a samtools <c>.fai</c> index: the record's name, its length in bases, the byte offset of
/// its first base, and its line layout (bases per line, bytes per line including the line ending).
/// Base <c>i</c> of the record lives at byte <c>Offset + i / LineBases * LineWidth + i % LineBases</c>.
/// </summary>
public sealed record FaiEntry(string Name, long Length, long Offset, int LineBases, int LineWidth)
{
    /// <summary>Byte position of base <paramref name="index"/> (0-based) in the FASTA file.</summary>
    public long PositionOf(long index) => Offset + index / LineBases * LineWidth + index % LineBases;

    /// <summary>Number of sequence lines the record spans.</summary>
    public long LineCount => LineBases == 0 ? 0 : (Length + LineBases - 1) / LineBases;
}
