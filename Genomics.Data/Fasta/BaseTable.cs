using System.Buffers;
using System.Text;

namespace Genomics.Data.Fasta;

/// <summary>
/// The one place that says which FASTA bytes are bases and how they are served: A C G T N keep their
/// letter, the other IUPAC codes (RYKMSWBDHV) become N, lower case (soft mask) is kept or upper-cased on
/// request, and every other byte is an error. Conceptually a 256-entry table; implemented with
/// vectorised <see cref="SearchValues{T}"/> scans because real sequence is almost all A/C/G/T/N, so
/// "find the first byte that needs attention" skips whole vectors at a time.
/// </summary>
internal static class BaseTable
{
    const string Ambiguity = "RYKMSWBDHVrykmswbdhv";

    static readonly SearchValues<byte> Bases = SearchValues.Create(Encoding.ASCII.GetBytes("ACGTNacgtn" + Ambiguity));
    static readonly SearchValues<byte> OtherIupac = SearchValues.Create(Encoding.ASCII.GetBytes(Ambiguity));

    /// <summary>True when the byte is a base letter (A C G T N or another IUPAC code, either case).</summary>
    public static bool IsBase(byte b) => Bases.Contains(b);

    /// <summary>Index of the first byte that is not a base letter, or -1.</summary>
    public static int IndexOfNonBase(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyExcept(Bases);

    /// <summary>Counts IUPAC codes other than N (either case).</summary>
    public static long CountOtherIupac(ReadOnlySpan<byte> bytes)
    {
        long n = 0;
        for (int i = bytes.IndexOfAny(OtherIupac); i >= 0; i = Next(bytes, i))
        {
            n++;
        }
        return n;
    }

    /// <summary>
    /// Turns validated base letters into served form, in place: other IUPAC codes become N (n when lower
    /// case and <paramref name="keepSoftMask"/>); lower case is upper-cased unless the mask is kept.
    /// Returns how many other IUPAC codes were replaced.
    /// </summary>
    public static long Normalize(Span<byte> bases, bool keepSoftMask)
    {
        long n = 0;
        for (int i = bases.IndexOfAny(OtherIupac); i >= 0; i = Next(bases, i))
        {
            bases[i] = (bases[i] & 0x20) != 0 ? (byte)'n' : (byte)'N';
            n++;
        }
        if (!keepSoftMask)
        {
            Ascii.ToUpperInPlace(bases, out _);
        }
        return n;
    }

    static int Next(ReadOnlySpan<byte> bytes, int i)
    {
        int j = bytes[(i + 1)..].IndexOfAny(OtherIupac);
        return j < 0 ? -1 : i + 1 + j;
    }

    /// <summary>How a byte reads in an error message: quoted when printable, named or in hex otherwise.</summary>
    public static string Describe(byte b) => b switch
    {
        (byte)' ' => "' ' (space)",
        (byte)'\t' => "'\\t' (tab)",
        (byte)'\r' => "'\\r' (carriage return)",
        (byte)'\n' => "'\\n' (line feed)",
        >= 0x21 and < 0x7f => $"'{(char)b}'",
        _ => $"0x{b:x2}",
    };

    /// <summary>A hint that fits the byte found where a base should be.</summary>
    public static string HintFor(byte b) => b is (byte)'-' or (byte)'.'
        ? "alignment gaps are not bases: remove them, e.g. `seqkit seq -g`"
        : "sequence lines may hold only nucleotide letters: A C G T N and the IUPAC codes R Y K M S W B D H V";
}
