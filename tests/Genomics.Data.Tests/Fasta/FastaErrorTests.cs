using System.Text;
using Genomics.Data.Fasta;
using Genomics.Data.Genome;

namespace Genomics.Data.Tests.Fasta;

/// <summary>Bad input reads like a compiler error: the file, the line, what is wrong, what to do.</summary>
public class FastaErrorTests
{
    static DataFormatException OpenFails(string path) => Assert.Throws<DataFormatException>(() => FastaGenome.Open(path));

    /// <summary>The same text as plain FASTA and as gzip: both must fail the same way.</summary>
    static IEnumerable<string> BothWays(TestData.TempDir dir, string text) =>
        [FastaFiles.WriteText(dir, "x.fa", text), FastaFiles.WriteGzipMembers(dir, "x.fa.gz", Encoding.Latin1.GetBytes(text))];

    [Fact]
    public void Empty_file_is_rejected()
    {
        using var dir = TestData.NewTempDir();
        foreach (string path in BothWays(dir, ""))
        {
            var e = OpenFails(path);
            Assert.Equal(path, e.FilePath);
            Assert.Null(e.Line);
            Assert.Equal($"{path}: file is empty (expected FASTA: a '>name' line, then lines of bases)", e.Message);
        }
    }

    [Fact]
    public void File_of_empty_lines_has_no_header()
    {
        using var dir = TestData.NewTempDir();
        foreach (string path in BothWays(dir, "\n\r\n\n"))
        {
            Assert.Equal("no '>' header in the file", OpenFails(path).Problem);
        }
    }

    [Fact]
    public void Sequence_before_the_first_header_is_rejected_at_its_line()
    {
        using var dir = TestData.NewTempDir();
        foreach (string path in BothWays(dir, "\n\nACGT\n>x\nACGT\n"))
        {
            var e = OpenFails(path);
            Assert.Equal(3, e.Line);
            Assert.Equal("sequence before the first '>' header", e.Problem);
        }
    }

    [Fact]
    public void Fastq_is_recognised_in_the_hint()
    {
        using var dir = TestData.NewTempDir();
        string path = FastaFiles.WriteText(dir, "x.fq", "@read1\nACGT\n+\nIIII\n");
        Assert.Contains("FASTQ", OpenFails(path).Hint);
    }

    [Fact]
    public void Duplicate_record_names_are_rejected_naming_both_lines()
    {
        const string text = ">a\nAC\n>b\nGG\n>a second\nTT\n";
        using var dir = TestData.NewTempDir();
        string indexed = FastaFiles.WriteText(dir, "indexed.fa", text);
        FaiIndex.Write(indexed + ".fai", FaiIndex.Build(indexed)); // the index keeps both (samtools: first only)
        foreach (string path in BothWays(dir, text).Append(indexed))
        {
            var e = OpenFails(path);
            Assert.Equal(path, e.FilePath);
            Assert.Equal(5, e.Line);
            Assert.Equal("duplicate record name 'a' (first at line 1)", e.Problem);
            Assert.Contains("allowing duplicate names", e.Hint);

            // Allowed on request: records stay apart by index, the name finds the first.
            using var genome = FastaGenome.Open(path, allowDuplicateNames: true);
            Assert.Equal(["a", "b", "a"], genome.Records.Select(r => r.Name));
            Assert.Equal("TT", FastaFiles.FetchAll(genome, 2));
            Assert.Equal("AC", Encoding.ASCII.GetString(genome.Fetch("a", 0, 2)));
        }
    }

    [Theory]
    [InlineData(">\nACGT\n", 1)]
    [InlineData(">x\nACGT\n> \t\nACGT\n", 3)]
    public void Header_without_a_name_is_rejected(string text, int line)
    {
        using var dir = TestData.NewTempDir();
        foreach (string path in BothWays(dir, text))
        {
            var e = OpenFails(path);
            Assert.Equal(line, e.Line);
            Assert.Equal("header has no name", e.Problem);
        }
    }

    [Theory]
    [InlineData(">a\n>b\nACGT\n", 1, "a")]
    [InlineData(">a\nACGT\n>b\n", 3, "b")]
    [InlineData(">a\nACGT\n>b", 3, "b")]
    [InlineData(">a\nACGT\n>b\n\n>c\nA\n", 3, "b")]
    public void Record_without_bases_is_rejected(string text, int line, string name)
    {
        using var dir = TestData.NewTempDir();
        foreach (string path in BothWays(dir, text))
        {
            var e = OpenFails(path);
            Assert.Equal(line, e.Line);
            Assert.Equal($"record '{name}' has no sequence", e.Problem);
        }
    }

    [Fact]
    public void Foreign_byte_in_a_real_file_is_reported_with_file_line_and_record()
    {
        // Human mtDNA with an 'X' put into line 100; the line number is found by reading the text.
        string[] lines = File.ReadAllText(TestData.Shared("apes/mtdna/minimap2_MT-human.fa")).Split('\n');
        lines[99] = lines[99][..17] + "X" + lines[99][18..];
        string text = string.Join('\n', lines);
        using var dir = TestData.NewTempDir();
        foreach (string path in BothWays(dir, text))
        {
            var e = OpenFails(path);
            Assert.Equal($"{path}:100: unexpected byte 'X' in record 'MT_human' (sequence lines may hold only nucleotide letters: A C G T N and the IUPAC codes R Y K M S W B D H V)", e.Message);
        }

        // Through a .fai nothing reads the bases at opening; the fetch that meets the byte reports it.
        string indexed = FastaFiles.WriteText(dir, "indexed.fa", text);
        FaiIndex.Write(indexed + ".fai", FaiIndex.Build(indexed));
        using var genome = FastaGenome.Open(indexed);
        var buffer = new byte[60];
        genome.FetchRecord(0, 97 * 60, buffer);
        var fetchError = Assert.Throws<DataFormatException>(() => genome.FetchRecord(0, 98 * 60, buffer));
        Assert.Equal($"{indexed}:100: unexpected byte 'X' in record 'MT_human'", $"{fetchError.FilePath}:{fetchError.Line}: {fetchError.Problem}");
        Assert.Throws<DataFormatException>(() => genome.OtherIupacCount(0));
    }

    [Fact]
    public void Alignment_gaps_in_a_real_file_are_rejected_at_their_line()
    {
        string path = TestData.Shared("apes/mtdna/beast_apes_6taxa_768bp_aligned.fa");
        string[] lines = File.ReadAllText(path).Split('\n');
        int gapLine = Array.FindIndex(lines, l => !l.StartsWith('>') && l.Contains('-')) + 1;
        int headerLine = Array.FindLastIndex(lines, gapLine - 1, l => l.StartsWith('>')) + 1;
        string record = lines[headerLine - 1][1..].Split(' ')[0];
        var e = OpenFails(path);
        Assert.Equal(gapLine, e.Line);
        Assert.Equal($"unexpected byte '-' in record '{record}'", e.Problem);
        Assert.Contains("alignment gaps", e.Hint);
    }

    [Fact]
    public void Carriage_return_inside_a_line_is_rejected()
    {
        using var dir = TestData.NewTempDir();
        foreach (string path in BothWays(dir, ">a\r\nAC\rGT\r\n"))
        {
            var e = OpenFails(path);
            Assert.Equal(2, e.Line);
            Assert.Equal("unexpected byte '\\r' (carriage return) in record 'a'", e.Problem);
        }
    }

    [Theory]
    [InlineData(">x\nACGT\nACGTA\nA\n", 3, "lines of different lengths")]
    [InlineData(">x\nACGT\nAC\nACGT\n", 4, "continues after line 3")]
    [InlineData(">x\nACGT\n\nACGT\n", 4, "empty line inside record 'x'")]
    [InlineData(">x\r\nACGT\r\nACGTA\n", 3, "lines of different lengths")]
    public void Uneven_lines_are_rejected_for_plain_fasta_but_read_from_gzip(string text, int line, string problem)
    {
        // Plain FASTA is read in place by line arithmetic, which uneven lines would break (samtools
        // rejects them too). A compressed file is loaded into memory, where line lengths do not matter.
        using var dir = TestData.NewTempDir();
        var e = OpenFails(FastaFiles.WriteText(dir, "x.fa", text));
        Assert.Equal(line, e.Line);
        Assert.Contains(problem, e.Problem);
        Assert.Contains("gzip", e.Hint);

        using var genome = FastaGenome.Open(FastaFiles.WriteGzipMembers(dir, "x.fa.gz", Encoding.Latin1.GetBytes(text)));
        Assert.Equal(ReferenceFasta.Parse(text)[0].Bases, FastaFiles.FetchAll(genome, 0));
    }
}
