using System.Text;
using Genomics.Data.Genome;
using Genomics.Data.TwoBit;

namespace Genomics.Data.Tests.TwoBit;

/// <summary>The reader and writer against bytes laid out by hand from the UCSC format page.</summary>
public sealed class TwoBitSpecTests
{
    [Theory]
    [InlineData(0u, false)]
    [InlineData(1u, false)]
    [InlineData(0u, true)]
    [InlineData(1u, true)]
    public void Hand_built_file_decodes_to_its_bases_in_either_version_and_byte_order(uint version, bool bigEndian)
    {
        using var dir = TestData.NewTempDir();
        string path = dir.File("tiny.2bit");
        File.WriteAllBytes(path, HandBuiltTwoBit.Build(HandBuiltTwoBit.Tiny, version, bigEndian));

        using var genome = TwoBitGenome.Open(path);

        Assert.Equal((int)version, genome.Version);
        Assert.Equal(bigEndian, genome.IsByteSwapped);
        Assert.Equal(["chr1", "chr2:11-14"], genome.Records.Select(r => r.Name));
        Assert.Equal(HandBuiltTwoBit.TinyChr1, Ascii(genome.Fetch("chr1", 0, 15, keepSoftMask: true)));
        Assert.Equal(HandBuiltTwoBit.TinyChr1.ToUpperInvariant(), Ascii(genome.Fetch("chr1", 0, 15)));
        Assert.Equal(HandBuiltTwoBit.TinyChr2, Ascii(genome.Fetch("chr2", 10, 4)));
    }

    [Fact]
    public void Every_sub_window_of_the_hand_built_record_matches_the_same_slice_of_its_bases()
    {
        using var dir = TestData.NewTempDir();
        string path = dir.File("tiny.2bit");
        File.WriteAllBytes(path, HandBuiltTwoBit.Build(HandBuiltTwoBit.Tiny));
        using var genome = TwoBitGenome.Open(path);

        for (int start = 0; start <= 15; start++)
        {
            for (int length = 0; start + length <= 15; length++)
            {
                var window = new byte[length];
                genome.FetchRecord(0, start, window, keepSoftMask: true);
                Assert.Equal(HandBuiltTwoBit.TinyChr1.Substring(start, length), Ascii(window));
            }
        }
    }

    [Fact]
    public void Writer_lays_out_a_tiny_genome_byte_for_byte_as_the_format_page_says()
    {
        using var dir = TestData.NewTempDir();
        var source = InMemoryGenome.FromStrings("tiny.fa", ("chr1", HandBuiltTwoBit.TinyChr1), ("chr2:11-14", HandBuiltTwoBit.TinyChr2));
        string path = dir.File("tiny.2bit");

        TwoBitWriter.Write(source, path);

        byte[] expected = HandBuiltTwoBit.Build(HandBuiltTwoBit.Tiny);
        byte[] actual = File.ReadAllBytes(path);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i] == actual[i], $"byte {i}: expected 0x{expected[i]:X2}, got 0x{actual[i]:X2}");
        }
    }

    [Fact]
    public void Writer_stores_IUPAC_codes_as_N_blocks_keeping_their_case_as_mask()
    {
        using var dir = TestData.NewTempDir();
        // InMemoryGenome is meant to hold only ACGTN, but a source may still hand over other letters.
        var source = new InMemoryGenome("iupac.fa", [("x", "ACRYacry"u8.ToArray())]);
        string path = dir.File("x.2bit");

        TwoBitWriter.Write(source, path);

        using var genome = TwoBitGenome.Open(path);
        Assert.Equal("ACNNacnn", Ascii(genome.Fetch("x", 0, 8, keepSoftMask: true)));
    }

    static string Ascii(ReadOnlySpan<byte> bytes) => Encoding.ASCII.GetString(bytes);
}
