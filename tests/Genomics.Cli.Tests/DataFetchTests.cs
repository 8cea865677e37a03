using System.Text;

namespace Genomics.Cli.Tests;

public class DataFetchTests(Chr2Files chr2) : IClassFixture<Chr2Files>
{
    const string R = Chr2Files.RecordName;

    // Record-relative regions samtools understands: the N run at the start, soft-mask edges, the last bases.
    static readonly string[] Regions = [$"{R}:1-100", $"{R}:10001-10250", $"{R}:1000000-1001234", $"{R}:2333000-2333275", $"{R}:2333275"];

    [Theory]
    [InlineData("plain")]
    [InlineData("gzip")]
    [InlineData("bgzf")]
    public void Regions_are_byte_identical_to_samtools_faidx(string shape)
    {
        var result = Genomamba.Run(chr2.Dir, ["data", "fetch", chr2.Shape(shape), .. Regions]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(ReferenceFasta.SamtoolsFaidx(chr2.Plain, Regions), result.Stdout);
    }

    [Fact]
    public void The_whole_record_at_another_line_width_is_byte_identical_to_samtools_faidx()
    {
        var result = Genomamba.Run(chr2.Dir, "data", "fetch", "-n", "80", chr2.Gzip, R);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(ReferenceFasta.SamtoolsFaidx(chr2.Plain, [R], width: 80), result.Stdout);
        Assert.Equal(2_333_275, ReferenceFasta.Sequence(result.Stdout).Length);
    }

    [Theory]
    [InlineData("chr2:10001-10250", "10001-10250")]
    [InlineData("2:10001-10250", "10001-10250")]
    [InlineData("chr2:1,000,001-1,000,100", "1000001-1000100")]
    [InlineData("chr2:2333001-2333275", "2333001-2333275")]
    public void Chromosome_coordinates_and_aliases_samtools_cannot_resolve_give_its_sequence_under_the_name_asked(string region, string withinRecord)
    {
        var result = Genomamba.Run(chr2.Dir, "data", "fetch", chr2.Gzip, region);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal([region], ReferenceFasta.Headers(result.Stdout));
        // The piece starts at chr2's first base, so chr2 coordinates are record coordinates.
        Assert.Equal(ReferenceFasta.Sequence(ReferenceFasta.SamtoolsFaidx(chr2.Plain, [$"{R}:{withinRecord}"])), ReferenceFasta.Sequence(result.Stdout));
    }

    [Fact]
    public void Records_of_a_multi_record_file_named_like_regions_are_byte_identical_to_samtools_faidx()
    {
        using var dir = TestData.NewTempDir();
        string fasta = dir.File("blat.fa");
        File.Copy(TestData.Shared("human/hg38_biopython_blat_regions.fa"), fasta);
        string[] regions = ["chr13:75549820-75605809", "chr4:41257605-41263290", "chr4:41257605-41263290:5600-5685", "chr13:75549820-75605809:1-61"];

        var result = Genomamba.Run(dir, ["data", "fetch", fasta, .. regions]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(ReferenceFasta.SamtoolsFaidx(fasta, regions), result.Stdout);
    }

    [Fact]
    public void Output_to_a_file_holds_the_same_bytes_and_upper_case_only_changes_the_case()
    {
        using var dir = TestData.NewTempDir();
        string[] regions = [$"{R}:10001-10250", $"{R}:500000-500300"];

        var toFile = Genomamba.Run(dir, ["data", "fetch", chr2.Gzip, "-o", dir.File("out.fa"), .. regions]);
        var upper = Genomamba.Run(dir, ["data", "fetch", "--upper", chr2.Gzip, .. regions]);

        byte[] expected = ReferenceFasta.SamtoolsFaidx(chr2.Plain, regions);
        Assert.Equal(0, toFile.ExitCode);
        Assert.Empty(toFile.Stdout);
        Assert.Equal(expected, File.ReadAllBytes(dir.File("out.fa")));
        Assert.Equal(["out.fa"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
        Assert.Equal(0, upper.ExitCode);
        string expectedText = Encoding.ASCII.GetString(expected);
        Assert.Contains(expectedText, c => char.IsLower(c));
        string upperExpected = string.Join('\n', expectedText.Split('\n').Select(l => l.StartsWith('>') ? l : l.ToUpperInvariant()));
        Assert.Equal(upperExpected, upper.StdoutText);
    }
}
