using System.Text;
using Genomics.Data.Datasets;
using Genomics.Data.Genome;

namespace Genomics.Data.Tests.Species;

[Collection(ApeCollection.Name)]
public class ConcatenatedGenomeTests(ApeFixture apes)
{
    static InMemoryGenome Small() => InMemoryGenome.FromStrings("small.fa",
        ("a", "ACGTa"), ("empty", ""), ("b", "cc"), ("c", "GGTTNNacgt"), ("tail", ""));

    [Fact]
    public void Every_fetch_equals_the_same_slice_of_the_joined_records()
    {
        using var genome = new ConcatenatedGenome(Small(), "chrAll");
        string joined = "ACGTa" + "cc" + "GGTTNNacgt";
        Assert.Equal(joined.Length, genome.Length);
        for (int start = 0; start <= joined.Length; start++)
        {
            for (int length = 0; start + length <= joined.Length; length++)
            {
                var kept = new byte[length];
                genome.FetchRecord(0, start, kept, keepSoftMask: true);
                Assert.Equal(joined.Substring(start, length), Encoding.ASCII.GetString(kept));
                var upper = new byte[length];
                genome.FetchRecord(0, start, upper);
                Assert.Equal(joined.Substring(start, length).ToUpperInvariant(), Encoding.ASCII.GetString(upper));
            }
        }
    }

    [Fact]
    public void The_concatenation_is_one_record_with_the_given_name_and_total_length()
    {
        using var genome = new ConcatenatedGenome(Small(), "chr22");
        var record = Assert.Single(genome.Records);
        Assert.Equal("chr22", record.Name);
        Assert.Equal(17, record.Length);
        Assert.Equal("GTac", Encoding.ASCII.GetString(genome.Fetch("22", 2, 4, keepSoftMask: true)));
    }

    [Fact]
    public void Boundary_table_lists_each_record_start_and_the_total_length()
    {
        using var genome = new ConcatenatedGenome(Small(), "all");
        Assert.Equal([0L, 5, 5, 7, 17, 17], genome.RecordStarts);
    }

    [Fact]
    public void Locate_maps_positions_back_to_source_records_skipping_empty_ones()
    {
        using var genome = new ConcatenatedGenome(Small(), "all");
        Assert.Equal((0, 0L), genome.Locate(0));
        Assert.Equal((0, 4L), genome.Locate(4));
        Assert.Equal((2, 0L), genome.Locate(5));
        Assert.Equal((2, 1L), genome.Locate(6));
        Assert.Equal((3, 0L), genome.Locate(7));
        Assert.Equal((3, 9L), genome.Locate(16));
        Assert.Throws<ArgumentOutOfRangeException>(() => genome.Locate(17));
    }

    [Fact]
    public void Fetch_past_the_end_names_the_length()
    {
        using var genome = new ConcatenatedGenome(Small(), "all");
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => genome.FetchRecord(0, 15, new byte[3]));
        Assert.Contains("17", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => genome.FetchRecord(1, 0, new byte[1]));
    }

    [Fact]
    public void A_region_like_name_stays_the_name_of_a_whole_record()
    {
        using var genome = new ConcatenatedGenome(InMemoryGenome.FromStrings("x.fa", ("r", "ACGT")), "chr1:1-4");
        Assert.False(genome.Records[0].IsRegion);
    }

    [Fact]
    public void Disposing_disposes_the_inner_genome_unless_asked_to_leave_it_open()
    {
        var inner = new CountingGenome();
        new ConcatenatedGenome(inner, "x", leaveInnerOpen: true).Dispose();
        Assert.Equal(0, inner.Disposals);
        new ConcatenatedGenome(inner, "x").Dispose();
        Assert.Equal(1, inner.Disposals);
    }

    [Fact]
    public void Ape_concatenation_length_is_the_sum_of_the_block_lengths_in_the_headers()
    {
        foreach (string species in ApeData.Species)
        {
            var blocks = ApeData.HeaderBlocks(ApeData.File(species));
            Assert.Equal(Enumerable.Range(1, ApeData.SharedBlocks), blocks.Select(b => b.Block));
            var genome = Ape(species);
            Assert.Equal(blocks.Sum(b => b.Length), genome.Length);
            Assert.Equal(ApeData.SharedBlocks + 1, genome.RecordStarts.Count);
        }
    }

    [Fact]
    public void Ape_windows_across_junctions_equal_the_joined_blocks()
    {
        byte[] joined = ApeData.JoinedBases(ApeData.File("human"));
        var genome = Ape("human");
        var buffer = new byte[1 << 14];
        // Windows starting a little before every 97th junction: each crosses at least one block boundary.
        for (int k = 1; k < genome.RecordStarts.Count - 1; k += 97)
        {
            long start = Math.Max(0, genome.RecordStarts[k] - 100);
            if (start + buffer.Length > genome.Length)
            {
                break;
            }
            genome.FetchRecord(0, start, buffer, keepSoftMask: true);
            Assert.True(joined.AsSpan((int)start, buffer.Length).SequenceEqual(buffer), $"window at {start}");
        }
    }

    // The concatenations the species dataset built over the real reader (owned by the fixture).
    ConcatenatedGenome Ape(string species) => (ConcatenatedGenome)apes.Dataset.GenomeOf(apes.Dataset.LabelOf(species));

    sealed class CountingGenome : IGenome
    {
        public int Disposals;
        public string Path => "counting.fa";
        public IReadOnlyList<SequenceRecord> Records { get; } = [new SequenceRecord("r", 1)];
        public ChromosomeMap Chromosomes => new(Records);
        public void FetchRecord(int record, long offset, Span<byte> destination, bool keepSoftMask = false) => destination.Fill((byte)'A');
        public void Dispose() => Disposals++;
    }
}
