using Genomics.Data.Fasta;

namespace Genomics.Data.Tests.Fasta;

public class FaiIndexTests
{
    /// <summary>FASTA files with a samtools-made index in Resources/fasta/golden (file name → path).</summary>
    public static TheoryData<string> IndexedFiles() =>
    [
        "mt_human_crlf_w70.fa",
        "paml_ape_w37.fa",
        "mt_orang_one_line.fa",
        "apes/mtdna/beast2_Primates_12taxa_898bp_aligned.fa",
        "apes/mtdna/beast_apes_6taxa_768bp_aligned.fa",
        "apes/mtdna/minimap2_MT-human.fa",
        "apes/mtdna/minimap2_MT-orang.fa",
        "apes/mtdna/paml_mtCDNAape_human_chimp_gorilla_aligned.fa",
        "apes/mtdna/paml_mtCDNApri_7hominoids_12mtgenes_aligned.fa",
        "human/hg38_biopython_blat_regions.fa",
    ];

    static string FastaPath(string file) => file.Contains('/') ? TestData.Shared(file) : FastaFiles.Resource(file);

    static string GoldenPath(string file) => FastaFiles.Resource(Path.Combine("golden", Path.GetFileName(file) + ".fai"));

    [Theory]
    [MemberData(nameof(IndexedFiles))]
    public void Index_is_byte_identical_to_the_one_samtools_made(string file)
    {
        using var dir = TestData.NewTempDir();
        string fai = dir.File("out.fai");
        FaiIndex.Write(fai, FaiIndex.Build(FastaPath(file)));
        Assert.Equal(File.ReadAllBytes(GoldenPath(file)), File.ReadAllBytes(fai));
    }

    [Theory]
    [MemberData(nameof(IndexedFiles))]
    public void Index_is_byte_identical_to_samtools_run_now(string file)
    {
        string? samtools = FastaFiles.OnPath("samtools");
        using var dir = TestData.NewTempDir();
        string copy = dir.File(Path.GetFileName(file));
        File.Copy(FastaPath(file), copy);
        // Without samtools on PATH, the committed samtools output stands in for it.
        string expected = GoldenPath(file);
        if (samtools is not null)
        {
            FastaFiles.Run(samtools, "faidx", copy);
            expected = copy + ".fai";
        }
        string ours = dir.File("ours.fai");
        FaiIndex.Write(ours, FaiIndex.Build(copy));
        Assert.Equal(File.ReadAllBytes(expected), File.ReadAllBytes(ours));
    }

    [Fact]
    public void Layout_found_when_opening_equals_the_built_index()
    {
        foreach (string file in new[] { "mt_human_crlf_w70.fa", "paml_ape_w37.fa", "mt_orang_one_line.fa" })
        {
            using var genome = FastaGenome.Open(FastaFiles.Resource(file));
            Assert.Equal(FaiIndex.Build(FastaFiles.Resource(file)), genome.Index!);
        }
    }

    [Theory]
    [MemberData(nameof(IndexedFiles))]
    public void Reading_and_writing_an_index_reproduces_it(string file)
    {
        using var dir = TestData.NewTempDir();
        var entries = FaiIndex.Read(GoldenPath(file));
        FaiIndex.Write(dir.File("copy.fai"), entries);
        Assert.Equal(File.ReadAllBytes(GoldenPath(file)), File.ReadAllBytes(dir.File("copy.fai")));
    }

    [Fact]
    public void Writing_replaces_an_existing_index_and_leaves_no_temporary_file()
    {
        using var dir = TestData.NewTempDir();
        string fai = dir.File("x.fa.fai");
        File.WriteAllText(fai, "old contents that are longer than the new index will be\n");
        FaiIndex.Write(fai, [new FaiEntry("chr1", 100, 6, 60, 61)]);
        Assert.Equal("chr1\t100\t6\t60\t61\n", File.ReadAllText(fai));
        Assert.Equal([fai], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Compressed_file_cannot_be_indexed()
    {
        string path = TestData.Shared("human/hg38_chr2_1-2333275.fa.gz");
        var e = Assert.Throws<DataFormatException>(() => FaiIndex.Build(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("gzip", e.Problem);
        Assert.Contains("decompress", e.Hint);
    }

    [Theory]
    [InlineData("chr1\t100\t6\t60\n", 1, "5 tab-separated columns")]
    [InlineData("chr1\t100\t6\t60\t61\nchr2\t1O\t200\t60\t61\n", 2, "length '1O'")]
    [InlineData("chr1\t100\t6\t60\t61\t900\n", 1, "FASTQ")]
    [InlineData("chr1\t100\t6\t60\t60\n", 1, "line ending")]
    [InlineData("\t100\t6\t60\t61\n", 1, "5 tab-separated columns")]
    public void Malformed_index_line_is_rejected_with_its_line_number(string text, int line, string problem)
    {
        using var dir = TestData.NewTempDir();
        string fai = FastaFiles.WriteText(dir, "x.fa.fai", text);
        var e = Assert.Throws<DataFormatException>(() => FaiIndex.Read(fai));
        Assert.Equal(fai, e.FilePath);
        Assert.Equal(line, e.Line);
        Assert.Contains(problem, e.Problem);
    }

    [Theory]
    [InlineData(">x\nACGT\nACGTA\n", 3)]     // a line longer than the first (samtools: "Different line length")
    [InlineData(">x\nACGT\nAC\nACGT\n", 4)]  // a short line that is not the last
    [InlineData(">x\nACGT\n\nACGT\n", 4)]    // an empty line inside the record
    public void Index_rejects_uneven_lines_as_samtools_does(string text, int line)
    {
        using var dir = TestData.NewTempDir();
        string path = FastaFiles.WriteText(dir, "x.fa", text);
        var e = Assert.Throws<DataFormatException>(() => FaiIndex.Build(path));
        Assert.Equal(line, e.Line);
        string? samtools = FastaFiles.OnPath("samtools");
        if (samtools is not null)
        {
            Assert.Throws<InvalidOperationException>(() => FastaFiles.Run(samtools, "faidx", path));
        }
    }
}
