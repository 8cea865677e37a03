using System.Text;
using Genomics.Data.Fasta;
using Genomics.Data.Genome;

namespace Genomics.Data.Tests.Fasta;

public class FastaGenomeTests
{
    static readonly string MtHuman = TestData.Shared("apes/mtdna/minimap2_MT-human.fa");

    /// <summary>Opens the text as plain FASTA, as a .fai-indexed plain FASTA and as gzip, and returns all three.</summary>
    static List<FastaGenome> OpenEveryWay(TestData.TempDir dir, string text)
    {
        string plain = FastaFiles.WriteText(dir, "plain.fa", text);
        string indexed = FastaFiles.WriteText(dir, "indexed.fa", text);
        FaiIndex.Write(indexed + ".fai", FaiIndex.Build(indexed));
        string gz = FastaFiles.WriteGzipMembers(dir, "packed.fa.gz", Encoding.Latin1.GetBytes(text));
        return [FastaGenome.Open(plain), FastaGenome.Open(indexed), FastaGenome.Open(gz)];
    }

    static void AssertServes(string text, IReadOnlyList<FastaGenome> genomes)
    {
        var expected = ReferenceFasta.Parse(text);
        foreach (var genome in genomes)
        {
            Assert.Equal(expected.Select(r => r.Name), genome.Records.Select(r => r.Name));
            for (int i = 0; i < expected.Count; i++)
            {
                Assert.Equal(ReferenceFasta.Serve(expected[i].Bases, keepSoftMask: true), FastaFiles.FetchAll(genome, i, keepSoftMask: true));
                Assert.Equal(ReferenceFasta.Serve(expected[i].Bases, keepSoftMask: false), FastaFiles.FetchAll(genome, i));
            }
            genome.Dispose();
        }
    }

    [Theory]
    [InlineData(1, "\n")]
    [InlineData(7, "\n")]
    [InlineData(60, "\n")]
    [InlineData(61, "\r\n")]
    [InlineData(999, "\r\n")]
    [InlineData(20000, "\n")]
    public void Records_read_back_at_any_line_width_and_line_ending(int width, string newline)
    {
        // Three real records cut from human mtDNA, with soft-masked stretches.
        string mt = ReferenceFasta.ParseFile(MtHuman)[0].Bases;
        var records = new[]
        {
            new ReferenceFasta.Record("first", "first piece of MT", mt[..5000]),
            new ReferenceFasta.Record("second", "second", mt[5000..5001]),
            new ReferenceFasta.Record("third", "third masked", mt[5001..9000] + mt[9000..12000].ToLowerInvariant() + mt[12000..]),
        };
        string text = ReferenceFasta.Wrap(records, width, newline);
        using var dir = TestData.NewTempDir();
        AssertServes(text, OpenEveryWay(dir, text));
    }

    [Fact]
    public void Empty_lines_between_records_and_at_the_end_are_tolerated()
    {
        const string text = "\n\n>a\nACGT\nAC\n\n\r\n>b desc\nGGTT\n\n\n\n";
        using var dir = TestData.NewTempDir();
        AssertServes(text, OpenEveryWay(dir, text));
    }

    [Fact]
    public void Last_line_without_a_newline_is_read()
    {
        const string text = ">a\nACGT\nAC\n>b\nGGTTA";
        using var dir = TestData.NewTempDir();
        AssertServes(text, OpenEveryWay(dir, text));
    }

    [Fact]
    public void Record_name_is_the_first_word_after_the_header_mark()
    {
        const string text = ">chr1 Homo sapiens\nACGT\n>  chr2\tdesc\nAC\n>chr3\r\nGG\r\n";
        using var dir = TestData.NewTempDir();
        foreach (var genome in OpenEveryWay(dir, text))
        {
            Assert.Equal(["chr1", "chr2", "chr3"], genome.Records.Select(r => r.Name));
            genome.Dispose();
        }
    }

    [Fact]
    public void Soft_mask_is_kept_only_when_asked()
    {
        const string text = ">m\nACGTacgtNn\nacGT\n";
        using var dir = TestData.NewTempDir();
        foreach (var genome in OpenEveryWay(dir, text))
        {
            Assert.Equal("ACGTacgtNnacGT", FastaFiles.FetchAll(genome, 0, keepSoftMask: true));
            Assert.Equal("ACGTACGTNNACGT", FastaFiles.FetchAll(genome, 0));
            Assert.Equal("GTacgt", Encoding.ASCII.GetString(genome.Fetch("m", 2, 6, keepSoftMask: true)));
            genome.Dispose();
        }
    }

    [Fact]
    public void Ambiguity_codes_are_served_as_N_and_counted_apart()
    {
        const string text = ">a\nACRYKM\nSWBDHV\nNnrykm\n>b\nACGT\n";
        using var dir = TestData.NewTempDir();
        foreach (var genome in OpenEveryWay(dir, text))
        {
            Assert.Equal("ACNNNNNNNNNNNnnnnn", FastaFiles.FetchAll(genome, 0, keepSoftMask: true));
            Assert.Equal(14, genome.OtherIupacCount(0));
            Assert.Equal(0, genome.OtherIupacCount(1));
            genome.Dispose();
        }
    }

    [Fact]
    public void Every_byte_value_is_served_or_rejected_as_the_spec_says()
    {
        // The spec, written independently of BaseTable: which bytes are bases and how they are served.
        static string? Served(char c, bool mask) => c switch
        {
            'A' or 'C' or 'G' or 'T' or 'N' => c.ToString(),
            'a' or 'c' or 'g' or 't' or 'n' => mask ? c.ToString() : char.ToUpperInvariant(c).ToString(),
            _ when "RYKMSWBDHV".Contains(c) => "N",
            _ when "rykmswbdhv".Contains(c) => mask ? "n" : "N",
            _ => null,
        };
        using var dir = TestData.NewTempDir();
        for (int b = 0; b < 256; b++)
        {
            if (b == '\n')
            {
                continue;
            }
            byte[] bytes = [.. ">x\nAC"u8, (byte)b, .. "GT\n"u8];
            string path = dir.File($"b{b}.fa");
            File.WriteAllBytes(path, bytes);
            string? upper = Served((char)b, mask: false);
            if (upper is null)
            {
                var e = Assert.Throws<DataFormatException>(() => FastaGenome.Open(path));
                Assert.Equal(2, e.Line);
                Assert.StartsWith("unexpected byte", e.Problem);
                Assert.EndsWith("in record 'x'", e.Problem);
            }
            else
            {
                using var genome = FastaGenome.Open(path);
                Assert.Equal("AC" + upper + "GT", FastaFiles.FetchAll(genome, 0));
                Assert.Equal("AC" + Served((char)b, mask: true) + "GT", FastaFiles.FetchAll(genome, 0, keepSoftMask: true));
            }
        }
    }

    [Fact]
    public void Region_record_serves_chromosome_coordinates()
    {
        using var dir = TestData.NewTempDir();
        string path = FastaFiles.WriteText(dir, "r.fa", ">chr7:11-20\nACGTACGTAC\n");
        using var genome = FastaGenome.Open(path);
        Assert.Equal("chr7", genome.Records[0].Chrom);
        Assert.Equal(10, genome.Records[0].ChromStart);
        Assert.Equal("GTA", Encoding.ASCII.GetString(genome.Fetch("7", 12, 3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => genome.Fetch("chr7", 5, 3));
    }

    [Fact]
    public void Opening_plain_fasta_writes_no_index()
    {
        using var dir = TestData.NewTempDir();
        string path = FastaFiles.WriteText(dir, "x.fa", ">x\nACGT\n");
        using (FastaGenome.Open(path))
        {
        }
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Fetch_outside_a_record_is_rejected()
    {
        using var genome = FastaGenome.Open(MtHuman);
        var buffer = new byte[10];
        Assert.Throws<ArgumentOutOfRangeException>(() => genome.FetchRecord(0, 16560, buffer));
        Assert.Throws<ArgumentOutOfRangeException>(() => genome.FetchRecord(0, -1, buffer));
        genome.FetchRecord(0, 16559, buffer);
    }
}
