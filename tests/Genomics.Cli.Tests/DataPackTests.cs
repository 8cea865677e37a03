namespace Genomics.Cli.Tests;

public class DataPackTests(Chr2Files chr2) : IClassFixture<Chr2Files>
{
    const string R = Chr2Files.RecordName;

    [Fact]
    public void Fetching_from_the_packed_2bit_gives_the_bytes_fetching_from_the_fasta_gives()
    {
        using var dir = TestData.NewTempDir();
        string twoBit = dir.File("chr2.2bit");
        string[] regions = [R, $"{R}:1-10050", $"{R}:10001-10250", "chr2:1000000-1001234", "2:2333001-2333275", $"{R}:2333275"];

        var pack = Genomamba.Run(dir, "data", "pack", chr2.Gzip, twoBit);
        var fromTwoBit = Genomamba.Run(dir, ["data", "fetch", twoBit, .. regions]);
        var fromFasta = Genomamba.Run(dir, ["data", "fetch", chr2.Gzip, .. regions]);

        Assert.Equal(0, pack.ExitCode);
        Assert.Equal(["chr2.2bit"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
        Assert.Equal(0, fromTwoBit.ExitCode);
        Assert.Equal(0, fromFasta.ExitCode);
        Assert.Equal(fromFasta.Stdout, fromTwoBit.Stdout);
        // And both are what samtools prints, where samtools can name the region.
        Assert.Equal(ReferenceFasta.SamtoolsFaidx(chr2.Plain, [R]), Genomamba.Run(dir, "data", "fetch", twoBit, R).Stdout);
    }

    [Fact]
    public void A_packed_multi_record_file_fetches_every_record_as_samtools_does()
    {
        using var dir = TestData.NewTempDir();
        string fasta = TestData.Shared("human/hg38_biopython_blat_regions.fa");
        string[] names = ReferenceFasta.Read(fasta).Select(r => r.Name).ToArray();

        var pack = Genomamba.Run(dir, "data", "pack", fasta, dir.File("blat.2bit"));
        var fetch = Genomamba.Run(dir, ["data", "fetch", dir.File("blat.2bit"), .. names]);

        Assert.Equal(0, pack.ExitCode);
        Assert.Equal(0, fetch.ExitCode);
        string plain = dir.File("blat.fa");
        File.Copy(fasta, plain);
        Assert.Equal(ReferenceFasta.SamtoolsFaidx(plain, names), fetch.Stdout);
    }
}
