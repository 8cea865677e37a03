using System.Text;
using Genomics.Data.Fasta;

namespace Genomics.Data.Tests.Fasta;

/// <summary>gzip, BGZF and concatenated members load fully; cut-off or damaged files are caught.</summary>
public class GzipTests
{
    static readonly string Chr2 = TestData.Shared("human/hg38_chr2_1-2333275.fa.gz");

    static void AssertSameAsReference(string path, string original)
    {
        var expected = ReferenceFasta.ParseFile(original);
        using var genome = FastaGenome.Open(path);
        Assert.True(genome.IsCompressed);
        Assert.Equal(expected.Select(r => r.Name), genome.Records.Select(r => r.Name));
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(ReferenceFasta.Serve(expected[i].Bases, keepSoftMask: true), FastaFiles.FetchAll(genome, i, keepSoftMask: true));
        }
    }

    static string Bgzip(TestData.TempDir dir, byte[] text)
    {
        string? bgzip = FastaFiles.OnPath("bgzip");
        string plain = dir.File("bgzf.fa");
        File.WriteAllBytes(plain, text);
        if (bgzip is null)
        {
            // BGZF is gzip members of at most 64 KiB each; without bgzip, write such members directly.
            var cuts = Enumerable.Range(1, (text.Length - 1) / 65280).Select(k => k * 65280).ToArray();
            return FastaFiles.WriteGzipMembers(dir, "bgzf.fa.gz", text, cuts);
        }
        FastaFiles.Run(bgzip, "-f", plain);
        return plain + ".gz";
    }

    [Fact]
    public void Bgzf_file_reads_the_same_as_the_gzip_original()
    {
        using var dir = TestData.NewTempDir();
        byte[] text = ReferenceFasta.ReadMaybeGzip(Chr2);
        string bgzf = Bgzip(dir, text);
        Assert.True(new FileInfo(bgzf).Length > 65536 * 2, "several BGZF blocks");
        AssertSameAsReference(bgzf, Chr2);
    }

    [Fact]
    public void Concatenated_gzip_members_read_as_one_file()
    {
        // Member boundaries inside a header, inside a line and between CR and LF.
        string crlf = FastaFiles.Resource("mt_human_crlf_w70.fa");
        byte[] text = File.ReadAllBytes(crlf);
        int cr = Array.IndexOf(text, (byte)'\r', 5000);
        using var dir = TestData.NewTempDir();
        string gz = FastaFiles.WriteGzipMembers(dir, "multi.fa.gz", text, 3, 1000, cr + 1, text.Length - 5);
        AssertSameAsReference(gz, crlf);
    }

    [Fact]
    public void Compression_is_detected_by_content_not_name()
    {
        using var dir = TestData.NewTempDir();
        string gzNamedFa = dir.File("really_gzip.fa");
        File.Copy(Chr2, gzNamedFa);
        AssertSameAsReference(gzNamedFa, Chr2);

        string plainNamedGz = FastaFiles.WriteText(dir, "really_plain.fa.gz", ">p\nACGT\n");
        using var genome = FastaGenome.Open(plainNamedGz);
        Assert.False(genome.IsCompressed);
        Assert.Equal("ACGT", FastaFiles.FetchAll(genome, 0));
    }

    [Theory]
    [InlineData(0.10)]
    [InlineData(0.50)]
    [InlineData(0.999)]
    [InlineData(-1)]
    [InlineData(-4)]
    [InlineData(-8)]
    public void Truncated_gzip_is_rejected_naming_the_file(double cut)
    {
        byte[] whole = File.ReadAllBytes(Chr2);
        int keep = cut > 0 ? (int)(whole.Length * cut) : whole.Length + (int)cut;
        using var dir = TestData.NewTempDir();
        string path = dir.File("cut.fa.gz");
        File.WriteAllBytes(path, whole[..keep]);
        var e = Assert.Throws<DataFormatException>(() => FastaGenome.Open(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("truncated", e.Problem);
    }

    [Fact]
    public void Truncated_bgzf_is_rejected_even_when_cut_between_blocks()
    {
        using var dir = TestData.NewTempDir();
        byte[] bgzf = File.ReadAllBytes(Bgzip(dir, ReferenceFasta.ReadMaybeGzip(Chr2)));
        // Second block starts at 1 + BSIZE of the first (RFC 1952 extra field 'BC', SAM spec 4.1).
        int secondBlock = (bgzf[16] | bgzf[17] << 8) + 1;
        foreach (int keep in new[] { bgzf.Length / 2, bgzf.Length - 28, secondBlock })
        {
            string path = dir.File($"cut{keep}.fa.gz");
            File.WriteAllBytes(path, bgzf[..keep]);
            var e = Assert.Throws<DataFormatException>(() => FastaGenome.Open(path));
            Assert.Equal(path, e.FilePath);
            Assert.Contains("truncated", e.Problem);
        }
    }

    [Fact]
    public void Truncated_multi_member_gzip_is_rejected()
    {
        using var dir = TestData.NewTempDir();
        byte[] text = File.ReadAllBytes(FastaFiles.Resource("paml_ape_w37.fa"));
        byte[] gz = File.ReadAllBytes(FastaFiles.WriteGzipMembers(dir, "m.fa.gz", text, 20000, 40000));
        string path = dir.File("cut.fa.gz");
        File.WriteAllBytes(path, gz[..(gz.Length - 100)]);
        Assert.Contains("truncated", Assert.Throws<DataFormatException>(() => FastaGenome.Open(path)).Problem);
    }

    [Fact]
    public void Damaged_gzip_is_rejected_naming_the_file()
    {
        using var dir = TestData.NewTempDir();
        byte[] gz = File.ReadAllBytes(Chr2);
        foreach (int at in new[] { 100, gz.Length / 3, gz.Length - 12 })
        {
            byte[] damaged = (byte[])gz.Clone();
            damaged[at] ^= 0x5a;
            string path = dir.File($"damaged{at}.fa.gz");
            File.WriteAllBytes(path, damaged);
            var e = Assert.Throws<DataFormatException>(() => FastaGenome.Open(path));
            Assert.Equal(path, e.FilePath);
        }
    }

    [Fact]
    public void Gzip_of_text_that_is_not_fasta_is_rejected()
    {
        using var dir = TestData.NewTempDir();
        string path = FastaFiles.WriteGzipMembers(dir, "x.gz", Encoding.ASCII.GetBytes("chrom\tstart\tend\nchr1\t1\t2\n"));
        Assert.Equal(1, Assert.Throws<DataFormatException>(() => FastaGenome.Open(path)).Line);
    }
}
