using System.Buffers.Binary;
using Genomics.Data.Genome;
using Genomics.Data.TwoBit;

namespace Genomics.Data.Tests.TwoBit;

/// <summary>Bad .2bit files fail at open (or at the first fetch of a bad block list) with the file and record named.</summary>
public sealed class TwoBitErrorTests
{
    [Fact]
    public void FASTA_file_opened_as_2bit_is_rejected_for_its_signature()
    {
        string path = TestData.Shared("human/hg38_biopython_blat_regions.fa");

        var e = Assert.Throws<DataFormatException>(() => TwoBitGenome.Open(path));

        Assert.Equal(path, e.FilePath);
        Assert.StartsWith($"{path}: not a .2bit file: signature 0x", e.Message);
        Assert.Contains("expected 0x1A412743", e.Message);
    }

    [Fact]
    public void Empty_file_is_rejected()
    {
        using var dir = TestData.NewTempDir();
        string path = dir.File("empty.2bit");
        File.WriteAllBytes(path, []);

        var e = Assert.Throws<DataFormatException>(() => TwoBitGenome.Open(path));

        Assert.Contains("empty file", e.Message);
    }

    [Fact]
    public void Unknown_version_is_rejected()
    {
        using var dir = TestData.NewTempDir();
        string path = dir.File("v2.2bit");
        byte[] bytes = HandBuiltTwoBit.Build(HandBuiltTwoBit.Tiny);
        bytes[4] = 2;
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<DataFormatException>(() => TwoBitGenome.Open(path));

        Assert.Contains("unsupported .2bit version 2", e.Message);
    }

    [Fact]
    public void File_cut_at_any_byte_is_rejected_at_open_naming_what_is_missing()
    {
        using var dir = TestData.NewTempDir();
        byte[] whole = HandBuiltTwoBit.Build(HandBuiltTwoBit.Tiny);
        string path = dir.File("cut.2bit");

        for (int length = 1; length < whole.Length; length++)
        {
            File.WriteAllBytes(path, whole[..length]);
            var e = Assert.Throws<DataFormatException>(() => TwoBitGenome.Open(path));
            Assert.True(e.Message.StartsWith(path + ": truncated", StringComparison.Ordinal), $"cut at {length}: {e.Message}");
        }
    }

    [Fact]
    public void Truncated_real_file_names_the_record_that_is_cut()
    {
        var source = ReferenceGenomes.Load(TestData.Shared("human/hg38_biopython_blat_regions.fa"));
        using var dir = TestData.NewTempDir();
        string path = dir.File("blat.2bit");
        TwoBitWriter.Write(source, path);
        byte[] whole = File.ReadAllBytes(path);
        File.WriteAllBytes(path, whole[..^100]);

        var e = Assert.Throws<DataFormatException>(() => TwoBitGenome.Open(path));

        Assert.Contains("record 'chr4:41257605-41263290'", e.Message);
        Assert.Contains($"the file has {whole.Length - 100}", e.Message);
    }

    [Fact]
    public void Index_offset_past_the_end_is_rejected_naming_the_record()
    {
        using var dir = TestData.NewTempDir();
        string path = dir.File("offset.2bit");
        byte[] bytes = HandBuiltTwoBit.Build(HandBuiltTwoBit.Tiny);
        // Second index entry: after the header (16) and the first entry (1 + 4 + 4), then its own name byte and name.
        int offsetField = 16 + 9 + 1 + "chr2:11-14".Length;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offsetField), 1_000_000);
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<DataFormatException>(() => TwoBitGenome.Open(path));

        Assert.Contains("record 'chr2:11-14' starts at offset 1000000, past the end", e.Message);
    }

    [Fact]
    public void N_block_running_past_its_record_is_rejected_on_first_fetch()
    {
        using var dir = TestData.NewTempDir();
        string path = dir.File("block.2bit");
        var records = HandBuiltTwoBit.Tiny.ToArray();
        records[0] = records[0] with { NBlocks = [(10, 9)] };
        File.WriteAllBytes(path, HandBuiltTwoBit.Build(records));
        using var genome = TwoBitGenome.Open(path);

        var e = Assert.Throws<DataFormatException>(() => genome.Fetch("chr1", 0, 4));

        Assert.Equal($"{path}: record 'chr1': N block 0 [10, 19) runs past the record's 15 bases (re-create the .2bit file (faToTwoBit or genomamba data 2bit))", e.Message);
    }

    [Fact]
    public void Fetch_past_the_record_end_is_rejected()
    {
        using var dir = TestData.NewTempDir();
        string path = dir.File("tiny.2bit");
        File.WriteAllBytes(path, HandBuiltTwoBit.Build(HandBuiltTwoBit.Tiny));
        using var genome = TwoBitGenome.Open(path);

        Assert.Throws<ArgumentOutOfRangeException>(() => genome.FetchRecord(0, 10, new byte[6]));
        Assert.Throws<ArgumentOutOfRangeException>(() => genome.FetchRecord(0, -1, new byte[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => genome.FetchRecord(2, 0, new byte[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => genome.Fetch("chr2", 12, 4));
    }

    [Fact]
    public void Record_name_too_long_for_the_index_is_rejected_by_the_writer()
    {
        using var dir = TestData.NewTempDir();
        var source = InMemoryGenome.FromStrings("long.fa", (new string('x', 256), "ACGT"));

        var e = Assert.Throws<DataFormatException>(() => TwoBitWriter.Write(source, dir.File("long.2bit")));

        Assert.Contains("1 to 255 ASCII characters", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Writer_failing_midway_leaves_the_old_output_and_no_temporary_file()
    {
        using var dir = TestData.NewTempDir();
        string path = dir.File("out.2bit");
        File.WriteAllText(path, "previous contents");
        var source = new FailingGenome(InMemoryGenome.FromStrings("src.fa", ("a", "ACGT"), ("b", "GGCC")), failOnRecord: 1);

        Assert.Throws<IOException>(() => TwoBitWriter.Write(source, path));

        Assert.Equal("previous contents", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    /// <summary>A genome whose fetches of one record fail, like a disk error halfway through a conversion.</summary>
    sealed class FailingGenome(IGenome inner, int failOnRecord) : IGenome
    {
        public string Path => inner.Path;
        public IReadOnlyList<SequenceRecord> Records => inner.Records;
        public ChromosomeMap Chromosomes => inner.Chromosomes;

        public void FetchRecord(int record, long offset, Span<byte> destination, bool keepSoftMask = false)
        {
            if (record == failOnRecord)
            {
                throw new IOException("simulated read error");
            }
            inner.FetchRecord(record, offset, destination, keepSoftMask);
        }

        public void Dispose() => inner.Dispose();
    }
}
