using Genomics.Data.Bed;

namespace Genomics.Data.Tests.Bed;

public sealed class BedWriterTests
{
    [Fact]
    public void Rows_without_a_name_but_with_extra_columns_get_a_dot_name_and_read_back()
    {
        using var dir = TestData.NewTempDir();
        string path = dir.File("out.bed");

        BedWriter.Write(path, [new BedInterval("chr1", 0, 10), new BedInterval("chr2", 5, 6) { Extra = ["0", "-"] }]);

        Assert.Equal("chr1\t0\t10\nchr2\t5\t6\t.\t0\t-\n", File.ReadAllText(path));
        var back = BedReader.Read(path).Intervals;
        Assert.Equal(".", back[1].Name);
        Assert.Equal(["0", "-"], back[1].Extra);
    }

    [Fact]
    public void A_bad_row_leaves_the_old_file_untouched_and_no_temporary_file()
    {
        using var dir = TestData.NewTempDir();
        string path = dir.File("out.bed");
        File.WriteAllText(path, "old\n");

        Assert.Throws<ArgumentException>(() => BedWriter.Write(path, [new BedInterval("chr1", 0, 10, "ok"), new BedInterval("chr1", 0, 10, "tab\there")]));
        Assert.Throws<ArgumentException>(() => BedWriter.Write(path, [new BedInterval("chr1", 10, 10)]));

        Assert.Equal("old\n", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }
}
