using Genomics.Data.Genome;

namespace Genomics.Data.Tests.Genome;

public class ChromosomeMapTests
{
    static InMemoryGenome Genome() => InMemoryGenome.FromStrings("g.fa",
        ("chr20", "ACGTACGTAC"),
        ("MT", "GGGGCCCC"),
        ("chr2:101-110", "AAAAACCCCC"),
        ("chr2:201-205", "TTTTT"),
        ("chr13:1000-1004", "ACGT"));

    [Theory]
    [InlineData("chr20", "20")]
    [InlineData("20", "chr20")]
    [InlineData("chrM", "MT")]
    [InlineData("M", "chrMT")]
    public void Aliases_resolve_to_the_same_record(string a, string b)
    {
        var map = Genome().Chromosomes;
        var la = map.Locate(a, 1, 3);
        var lb = map.Locate(b, 1, 3);
        Assert.Equal(LocateStatus.Found, la.Status);
        Assert.Equal(la, lb);
    }

    [Fact]
    public void Region_records_serve_chromosome_coordinates_inside_them()
    {
        using var g = Genome();
        // chr2:101-110 is 1-based inclusive: 0-based 100..110 of chr2.
        Assert.Equal("AACCC"u8.ToArray(), g.Fetch("chr2", 103, 5));
        Assert.Equal("AACCC"u8.ToArray(), g.Fetch("2", 103, 5));
        Assert.Equal("TTT"u8.ToArray(), g.Fetch("chr2", 201, 3));
        // UCSC-style 0-based half-open name: chr13:1000-1004 holds 0-based 1000..1004.
        Assert.Equal("CG"u8.ToArray(), g.Fetch("chr13", 1001, 2));
    }

    [Fact]
    public void Intervals_outside_a_partial_chromosome_are_reported_as_outside_coverage()
    {
        var map = Genome().Chromosomes;
        Assert.Equal(LocateStatus.OutsideCoverage, map.Locate("chr2", 95, 105).Status);
        Assert.Equal(LocateStatus.OutsideCoverage, map.Locate("chr2", 150, 160).Status);
        Assert.Null(map.WholeLength("chr2"));
        Assert.Equal(10, map.WholeLength("20"));
    }

    [Fact]
    public void Unknown_and_out_of_bounds_intervals_are_told_apart()
    {
        using var g = Genome();
        Assert.Equal(LocateStatus.UnknownChromosome, g.Chromosomes.Locate("chr7", 0, 1).Status);
        Assert.Equal(LocateStatus.OutOfBounds, g.Chromosomes.Locate("chr20", 5, 11).Status);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => g.Fetch("chr20", 8, 5));
        Assert.Contains("length 10", e.Message);
        var u = Assert.Throws<ArgumentOutOfRangeException>(() => g.Fetch("chr7", 0, 1));
        Assert.Contains("no sequence named 'chr7'", u.Message);
    }

    [Fact]
    public void A_record_name_whose_range_disagrees_with_its_length_stays_a_whole_record()
    {
        var r = SequenceRecord.FromName("chr2:1-100", 7);
        Assert.False(r.IsRegion);
        Assert.Equal("chr2:1-100", r.Chrom);
        var ok = SequenceRecord.FromName("chr2:1-2333275", 2_333_275);
        Assert.True(ok.IsRegion);
        Assert.Equal(("chr2", 0L), (ok.Chrom, ok.ChromStart));
    }

    [Fact]
    public void Soft_mask_is_upper_cased_unless_kept()
    {
        using var g = InMemoryGenome.FromStrings("m.fa", ("c", "ACgtN"));
        Assert.Equal("ACGTN"u8.ToArray(), g.Fetch("c", 0, 5));
        Assert.Equal("ACgtN"u8.ToArray(), g.Fetch("c", 0, 5, keepSoftMask: true));
    }
}
