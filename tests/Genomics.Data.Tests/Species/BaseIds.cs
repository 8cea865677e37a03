namespace Genomics.Data.Tests.Species;

/// <summary>Token ids of ASCII bases written out independently of DnaTokenizer: A=7 C=8 G=9 T=10 N=11 in either case, −1 otherwise.</summary>
internal static class BaseIds
{
    static readonly int[] Table = Build();

    public static int Of(byte ascii) => Table[ascii];

    /// <summary>The index of the first token that differs from the ids of <paramref name="bases"/>, or −1.</summary>
    public static int FirstMismatch(ReadOnlySpan<int> tokens, ReadOnlySpan<byte> bases)
    {
        for (int k = 0; k < tokens.Length; k++)
        {
            if (tokens[k] != Table[bases[k]])
            {
                return k;
            }
        }
        return tokens.Length == bases.Length ? -1 : tokens.Length;
    }

    static int[] Build()
    {
        var ids = new int[256];
        Array.Fill(ids, -1);
        foreach (var (c, id) in new[] { ('A', 7), ('C', 8), ('G', 9), ('T', 10), ('N', 11) })
        {
            ids[c] = ids[char.ToLowerInvariant(c)] = id;
        }
        return ids;
    }
}
