using Genomics.Data.Bed;
using Genomics.Data.Genome;

namespace Genomics.Data.Tests.Bed;

/// <summary>Made-up BED lines: what is skipped, what is kept, and errors as path:line.</summary>
public sealed class BedReaderTests
{
    static readonly InMemoryGenome Small = InMemoryGenome.FromStrings("small.fa", ("chr1", new string('A', 1000)), ("chrM", new string('C', 50)));

    [Fact]
    public void Headers_comments_and_blank_lines_are_skipped_and_extra_columns_kept()
    {
        using var dir = TestData.NewTempDir();
        string path = dir.File("mixed.bed");
        File.WriteAllText(path,
            "track name=test\n" +
            "browser position chr1:1-100\n" +
            "# a comment\n" +
            "\n" +
            "chr1\t10\t20\tpeak one\t960\t+\n" +
            "chr1 30   40\n" +
            "   \t  \n" +
            "trackless\t5\t6\r\n");

        var result = BedReader.Read(path);

        Assert.Equal(3, result.Intervals.Count);
        var tabbed = result.Intervals[0];
        Assert.Equal(("chr1", 10L, 20L, "peak one", 5L), (tabbed.Chrom, tabbed.Start, tabbed.End, tabbed.Name, tabbed.Line));
        Assert.Equal(["960", "+"], tabbed.Extra);
        var spaced = result.Intervals[1];
        Assert.Equal(("chr1", 30L, 40L, (string?)null, 6L), (spaced.Chrom, spaced.Start, spaced.End, spaced.Name, spaced.Line));
        Assert.Equal(("trackless", 8L), (result.Intervals[2].Chrom, result.Intervals[2].Line));
    }

    [Theory]
    [InlineData("chr1\tabc\t20", "start 'abc' is not an integer (columns 2 and 3 are 0-based integer positions)")]
    [InlineData("chr1\t10\t2x0", "end '2x0' is not an integer (columns 2 and 3 are 0-based integer positions)")]
    [InlineData("chr1\t200\t100", "end 100 is before start 200 (BED is 0-based half-open: start < end)")]
    [InlineData("chr1\t200\t200", "empty interval: end 200 equals start 200 (BED is 0-based half-open: start < end)")]
    [InlineData("chr1\t-5\t100", "start -5 is negative")]
    [InlineData("chr1\t10", "expected at least 3 columns (chrom, start, end), found 2 (BED lines are tab-separated: chrom start end [name ...])")]
    [InlineData("chr1\t900\t1001", "end 1001 is past the end of chr1 (length 1000 in small.fa) (is the BED for another assembly?)")]
    [InlineData("MT\t0\t51", "end 51 is past the end of MT (length 50 in small.fa) (is the BED for another assembly?)")]
    [InlineData("chr7\t0\t10", "chromosome 'chr7' is not in small.fa (set SkipMissing (--skip-missing) to drop rows the genome does not hold)")]
    public void Malformed_line_is_reported_as_path_colon_line(string bad, string problem)
    {
        using var dir = TestData.NewTempDir();
        string path = dir.File("bad.bed");
        File.WriteAllText(path, $"# header\nchr1\t0\t100\tok\n{bad}\nchr1\t0\t10\n");

        var e = Assert.Throws<DataFormatException>(() => BedReader.Read(path, new BedReadOptions { Genome = Small }));

        Assert.Equal($"{path}:3: {problem}", e.Message);
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void Past_the_end_stays_an_error_even_with_SkipMissing()
    {
        using var dir = TestData.NewTempDir();
        string path = dir.File("bad.bed");
        File.WriteAllText(path, "chr7\t0\t10\nchr1\t0\t1001\n");

        var e = Assert.Throws<DataFormatException>(() => BedReader.Read(path, new BedReadOptions { Genome = Small, SkipMissing = true }));

        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void Chromosome_aliases_resolve_against_the_genome()
    {
        using var dir = TestData.NewTempDir();
        string path = dir.File("alias.bed");
        File.WriteAllText(path, "1\t0\t1000\nchrMT\t0\t50\n");

        var result = BedReader.Read(path, new BedReadOptions { Genome = Small });

        Assert.Equal(2, result.Intervals.Count);
    }

    [Fact]
    public void Asking_for_a_split_of_a_file_without_a_split_column_names_the_line()
    {
        using var dir = TestData.NewTempDir();
        string path = dir.File("three.bed");
        File.WriteAllText(path, "#c\nchr1\t0\t10\tvalid\nchr1\t10\t20\n");
        var result = BedReader.Read(path);

        var e = Assert.Throws<DataFormatException>(() => result.InSplit(BedSplit.Valid));

        Assert.StartsWith($"{path}:3: no split column", e.Message);
    }

    [Fact]
    public void Gzipped_BED_reads_like_plain()
    {
        using var dir = TestData.NewTempDir();
        string path = dir.File("x.bed.gz");
        BedWriter.Write(path, [new BedInterval("chr1", 1, 2, "train"), new BedInterval("chr1", 5, 9, "test")]);

        var result = BedReader.Read(path);

        Assert.Equal([("chr1", 1L, 2L, "train"), ("chr1", 5L, 9L, "test")], result.Intervals.Select(i => (i.Chrom, i.Start, i.End, i.Split!)));
    }
}
