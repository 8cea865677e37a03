using Genomics.Data.Genome;

namespace Genomics.Data.Tests.TwoBit;

/// <summary>Comparisons of two genomes that report the first differing record and position.</summary>
internal static class GenomeAssert
{
    /// <summary>Same record names, lengths, and bytes both with the soft mask kept and upper-cased.</summary>
    public static void Identical(IGenome expected, IGenome actual)
    {
        Assert.Equal(expected.Records.Select(r => (r.Name, r.Length)), actual.Records.Select(r => (r.Name, r.Length)));
        for (int i = 0; i < expected.Records.Count; i++)
        {
            foreach (bool mask in new[] { true, false })
            {
                var a = new byte[expected.Records[i].Length];
                var b = new byte[expected.Records[i].Length];
                expected.FetchRecord(i, 0, a, mask);
                actual.FetchRecord(i, 0, b, mask);
                SameBytes(a, b, $"{expected.Records[i].Name} (keepSoftMask: {mask})");
            }
        }
    }

    public static void SameBytes(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        int at = expected.CommonPrefixLength(actual);
        if (at != expected.Length)
        {
            Assert.Fail($"{what}: first difference at {at}: expected '{(char)expected[at]}', got '{(char)actual[at]}'");
        }
    }
}
