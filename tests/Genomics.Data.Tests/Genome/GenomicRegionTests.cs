using Genomics.Data.Genome;

namespace Genomics.Data.Tests.Genome;

public class GenomicRegionTests
{
    [Theory]
    [InlineData("chr1", "chr1", 0, null)]
    [InlineData("chr1:100", "chr1", 99, null)]
    [InlineData("chr1:100-200", "chr1", 99, 200L)]
    [InlineData("chr1:1,000-2,000", "chr1", 999, 2000L)]
    public void Samtools_region_syntax_is_1_based_inclusive(string text, string chrom, long start, long? end)
    {
        var r = GenomicRegion.Parse(text);
        Assert.Equal((chrom, start, end), (r.Chrom, r.Start, r.End));
    }

    [Theory]
    [InlineData("chr1:200-100", "before start")]
    [InlineData("chr1:0-10", "positive")]
    [InlineData("chr1:x-10", "not a positive")]
    [InlineData(":1-10", "no chromosome")]
    public void Malformed_regions_say_what_is_wrong(string text, string fragment)
    {
        var e = Assert.Throws<FormatException>(() => GenomicRegion.Parse(text));
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void A_region_prints_back_in_samtools_spelling()
    {
        Assert.Equal("chr2:1001-2000", GenomicRegion.Parse("chr2:1,001-2000").ToString());
    }
}
