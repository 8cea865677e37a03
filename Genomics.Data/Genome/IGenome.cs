namespace Genomics.Data.Genome;

/// <summary>
/// Random access to a genome, whatever the file: FASTA (.fa, .fa.gz, BGZF, with .fai) or UCSC .2bit.
/// Bases come out as ASCII: A C G T N upper case, other IUPAC codes as N; soft-masked (lower-case) bases
/// are upper-cased unless the caller asks to keep the mask. Implementations are safe for concurrent
/// fetches from several threads.
/// </summary>
public interface IGenome : IDisposable
{
    /// <summary>The file this genome was read from (used in error messages).</summary>
    string Path { get; }

    /// <summary>Records in file order.</summary>
    IReadOnlyList<SequenceRecord> Records { get; }

    /// <summary>Name, alias and region resolution over <see cref="Records"/>.</summary>
    ChromosomeMap Chromosomes { get; }

    /// <summary>Copies bases [offset, offset + destination.Length) of one record into <paramref name="destination"/>.</summary>
    void FetchRecord(int record, long offset, Span<byte> destination, bool keepSoftMask = false);
}
