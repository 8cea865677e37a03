namespace Genomics.Cli.Tests;

/// <summary>The tokenizer's ids written out by hand (A=7 C=8 G=9 T=10 N=11, soft mask upper-cased), and reverse complement.</summary>
internal static class ReferenceTokens
{
    public static byte[] Encode(ReadOnlySpan<char> bases)
    {
        var ids = new byte[bases.Length];
        for (int i = 0; i < bases.Length; i++)
        {
            ids[i] = char.ToUpperInvariant(bases[i]) switch
            {
                'A' => 7,
                'C' => 8,
                'G' => 9,
                'T' => 10,
                _ => 11,
            };
        }
        return ids;
    }

    public static byte[] ReverseComplement(byte[] ids) =>
        ids.Reverse().Select(id => id switch { 7 => (byte)10, 10 => (byte)7, 8 => (byte)9, 9 => (byte)8, _ => id }).ToArray();

    /// <summary>Ids of <paramref name="length"/> bases from <paramref name="start"/>, reverse-complemented on the "-" strand.</summary>
    public static byte[] Window(string bases, long start, int length, string strand)
    {
        byte[] forward = Encode(bases.AsSpan(checked((int)start), length));
        return strand == "-" ? ReverseComplement(forward) : forward;
    }
}
