using Genomics.Data.Bed;
using Genomics.Data.Genome;

namespace Genomics.Cli.Tests;

public class DataTileTests(Chr2Files chr2) : IClassFixture<Chr2Files>
{
    /// <summary>Starts of the tiles the tiler promises, worked out here: every full tile from the record start with at most ⌊maxN·L⌋ non-ACGT bases.</summary>
    static List<long> ExpectedStarts(string bases, int length, double maxN = 0.1)
    {
        var starts = new List<long>();
        for (int s = 0; s + length <= bases.Length; s += length)
        {
            int n = bases.Substring(s, length).Count(c => "ACGTacgt".IndexOf(c) < 0);
            if (n <= Math.Floor(maxN * length))
            {
                starts.Add(s);
            }
        }
        return starts;
    }

    [Fact]
    public void Tiles_split_by_fraction_are_the_N_poor_tiles_and_BedReader_accepts_them_against_the_genome()
    {
        using var dir = TestData.NewTempDir();
        string bed = dir.File("tiles.bed");

        var result = Genomamba.Run(dir, "data", "tile", chr2.Gzip, "-o", bed, "--len", "32768", "--valid-fraction", "0.1", "--test-fraction", "0.1", "--seed", "1");

        Assert.Equal(0, result.ExitCode);
        using var genome = GenomeFile.Open(chr2.Gzip);
        var rows = BedReader.Read(bed, new BedReadOptions { Genome = genome });
        Assert.Equal(ExpectedStarts(chr2.Bases, 32768), rows.Intervals.Select(r => r.Start));
        Assert.All(rows.Intervals, r => Assert.Equal(("chr2", r.Start + 32768), (r.Chrom, r.End)));
        var counts = rows.CountBySplit();
        Assert.Equal(["test", "train", "valid"], counts.Keys.Order());
        // 10% each of ~70 tiles: a hash split lands near that, and never empties train.
        Assert.InRange(counts["valid"], 1, 15);
        Assert.InRange(counts["test"], 1, 15);
        Assert.Equal($"wrote {bed}: {rows.Intervals.Count} tiles (test {counts["test"]}, train {counts["train"]}, valid {counts["valid"]})", Assert.Single(result.StderrLines));
        Assert.Equal(["tiles.bed"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Tiles_split_by_chromosome_put_every_tile_of_a_chromosome_in_its_split()
    {
        using var dir = TestData.NewTempDir();
        string yeast = TestData.Shared("genomes/Saccharomyces_cerevisiae_chrI_chrII.fa.gz");
        string bed = dir.File("yeast.bed");

        var result = Genomamba.Run(dir, "data", "tile", yeast, "-o", bed, "--len", "10000", "--valid-chroms", "chrI");

        Assert.Equal(0, result.ExitCode);
        var records = ReferenceFasta.Read(yeast).ToDictionary(r => r.Name, r => r.Bases);
        using var genome = GenomeFile.Open(yeast);
        var rows = BedReader.Read(bed, new BedReadOptions { Genome = genome });
        Assert.Equal(ExpectedStarts(records["chrI"], 10000), BedSplit.Filter(rows.Intervals, "valid").Select(r => r.Start));
        Assert.Equal(ExpectedStarts(records["chrII"], 10000), BedSplit.Filter(rows.Intervals, "train").Select(r => r.Start));
        Assert.All(BedSplit.Filter(rows.Intervals, "valid"), r => Assert.Equal("chrI", r.Chrom));
        Assert.All(BedSplit.Filter(rows.Intervals, "train"), r => Assert.Equal("chrII", r.Chrom));
        Assert.Empty(BedSplit.Filter(rows.Intervals, "test"));
    }
}
