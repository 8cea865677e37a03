using Genomics.Data.Fasta;
using Genomics.Data.TwoBit;

namespace Genomics.Data.Genome;

/// <summary>
/// Opens any genome file the toolkit reads, choosing the reader from the file's first bytes rather than its
/// name: UCSC .2bit (either byte order), gzip/BGZF FASTA, plain FASTA.
/// </summary>
public static class GenomeFile
{
    /// <param name="path">the genome file</param>
    /// <param name="allowDuplicateNames">
    /// accept FASTA records that share a name (told apart by index; a name lookup finds the first), e.g. the
    /// orangutan EPO blocks, whose unplaced coordinates repeat. Needed only when records are read by position
    /// or concatenated, never for name-based access.
    /// </param>
    public static IGenome Open(string path, bool allowDuplicateNames = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path))
        {
            throw new DataFormatException(path, "is a directory, not a genome file", "give a .fa, .fa.gz or .2bit file");
        }
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, "no such file", "check the path; genomes are .fa, .fa.gz (gzip or BGZF) or .2bit");
        }
        Span<byte> head = stackalloc byte[4];
        int read;
        using (var stream = File.OpenRead(path))
        {
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        uint magic = read == 4 ? BitConverter.ToUInt32(head) : 0;
        bool twoBit = magic == TwoBitFormat.Signature || magic == System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(TwoBitFormat.Signature);
        return twoBit ? TwoBitGenome.Open(path) : FastaGenome.Open(path, allowDuplicateNames);
    }
}
