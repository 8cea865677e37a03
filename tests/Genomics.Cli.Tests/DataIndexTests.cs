namespace Genomics.Cli.Tests;

public class DataIndexTests(Chr2Files chr2) : IClassFixture<Chr2Files>
{
    [Theory]
    [InlineData("human/hg38_biopython_blat_regions.fa")]
    [InlineData("apes/mtdna/minimap2_MT-human.fa")]
    [InlineData("apes/mtdna/paml_mtCDNApri_7hominoids_12mtgenes_aligned.fa")]
    [InlineData("apes/mtdna/beast2_Primates_12taxa_898bp_aligned.fa")]
    public void The_index_is_byte_identical_to_samtools_faidx(string file)
    {
        using var dir = TestData.NewTempDir();
        string ours = dir.File("ours.fa");
        File.Copy(TestData.Shared(file), ours);

        var result = Genomamba.Run(dir, "data", "index", ours);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(SamtoolsIndex(TestData.Shared(file), dir), File.ReadAllBytes(ours + ".fai"));
        int records = File.ReadLines(ours).Count(l => l.StartsWith('>'));
        Assert.Equal($"wrote {ours}.fai: {records} records", Assert.Single(result.StderrLines));
    }

    [Fact]
    public void The_index_of_the_soft_masked_chr2_piece_is_byte_identical_to_samtools_faidx()
    {
        using var dir = TestData.NewTempDir();
        string copy = dir.File("chr2.fa");
        File.Copy(chr2.Plain, copy);

        var result = Genomamba.Run(dir, "data", "index", copy, "-o", dir.File("elsewhere.fai"));

        Assert.Equal(0, result.ExitCode);
        byte[] expected;
        if (Tools.Samtools is not null)
        {
            expected = File.ReadAllBytes(chr2.Plain + ".fai");
        }
        else
        {
            // One record wrapped at 60: name, length, offset of the first base, bases per line, bytes per line.
            string header = File.ReadLines(copy).First();
            expected = System.Text.Encoding.ASCII.GetBytes($"{Chr2Files.RecordName}\t{chr2.Bases.Length}\t{header.Length + 1}\t60\t61\n");
        }
        Assert.Equal(expected, File.ReadAllBytes(dir.File("elsewhere.fai")));
        Assert.False(File.Exists(copy + ".fai"));
    }

    /// <summary>samtools run now on a copy, or the index samtools made for Genomics.Data's tests.</summary>
    static byte[] SamtoolsIndex(string fasta, TestData.TempDir dir)
    {
        if (Tools.Samtools is { } samtools)
        {
            string theirs = dir.File("theirs.fa");
            File.Copy(fasta, theirs);
            Tools.Run(samtools, "faidx", theirs);
            return File.ReadAllBytes(theirs + ".fai");
        }
        return File.ReadAllBytes(Path.Combine(TestData.RepoRoot, "tests", "Genomics.Data.Tests", "Resources", "fasta", "golden", Path.GetFileName(fasta) + ".fai"));
    }
}
