using System.Text;
using Genomics.Data.Genome;

namespace Genomics.Data.Tests.Species;

/// <summary>Seeded random genomes for the held-out-chromosome tests.</summary>
internal static class SmallGenomes
{
    /// <summary>A genome with the given records; bases random in mixed case, reproducible from the seed.</summary>
    public static InMemoryGenome Random(string path, int seed, params (string Name, int Length)[] records)
    {
        var random = new Random(seed);
        const string alphabet = "ACGTacgt";
        return new InMemoryGenome(path, records.Select(r =>
        {
            var bases = new byte[r.Length];
            for (int i = 0; i < bases.Length; i++)
            {
                bases[i] = (byte)alphabet[random.Next(alphabet.Length)];
            }
            return (r.Name, bases);
        }).ToArray());
    }

    /// <summary>Token ids of ASCII bases, written out independently of DnaTokenizer (A=7 C=8 G=9 T=10 N=11, either case).</summary>
    public static int[] Ids(ReadOnlySpan<byte> ascii)
    {
        var ids = new int[ascii.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = char.ToUpperInvariant((char)ascii[i]) switch
            {
                'A' => 7,
                'C' => 8,
                'G' => 9,
                'T' => 10,
                'N' => 11,
                _ => throw new InvalidOperationException($"unexpected base {(char)ascii[i]}"),
            };
        }
        return ids;
    }

    public static string Text(IGenome genome, int record, long start, int length)
    {
        var bytes = new byte[length];
        genome.FetchRecord(record, start, bytes, keepSoftMask: true);
        return Encoding.ASCII.GetString(bytes);
    }
}
