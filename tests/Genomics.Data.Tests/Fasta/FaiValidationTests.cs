using System.Globalization;
using Genomics.Data.Fasta;

namespace Genomics.Data.Tests.Fasta;

/// <summary>A .fai beside a FASTA is used only when it describes that file.</summary>
public class FaiValidationTests
{
    const string File6 = "paml_ape_w37.fa"; // 6 records of 10,707 bases, 37 per line

    /// <summary>Copies the FASTA and its samtools index, with the index lines passed through <paramref name="edit"/>.</summary>
    static (string Fasta, string Fai) CopyWithIndex(TestData.TempDir dir, Func<List<string[]>, List<string[]>> edit)
    {
        string fasta = dir.File(File6);
        File.Copy(FastaFiles.Resource(File6), fasta);
        var rows = File.ReadAllLines(FastaFiles.Resource("golden/" + File6 + ".fai")).Select(l => l.Split('\t')).ToList();
        File.WriteAllLines(fasta + ".fai", edit(rows).Select(r => string.Join('\t', r)));
        return (fasta, fasta + ".fai");
    }

    static List<string[]> Set(List<string[]> rows, int row, int column, Func<string, string> change)
    {
        rows[row][column] = change(rows[row][column]);
        return rows;
    }

    static string Add(string number, long delta) => (long.Parse(number, CultureInfo.InvariantCulture) + delta).ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void Matching_index_is_used_and_serves_the_same_bases()
    {
        using var dir = TestData.NewTempDir();
        var (fasta, fai) = CopyWithIndex(dir, rows => rows);
        var expected = ReferenceFasta.ParseFile(fasta);
        using var genome = FastaGenome.Open(fasta);
        Assert.Equal(FaiIndex.Read(fai), genome.Index!);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Bases, FastaFiles.FetchAll(genome, i, keepSoftMask: true));
        }
    }

    public static TheoryData<string, int, string> StaleIndexes() => new()
    {
        { "rename", 3, "is named '3.Chimp_Horai' in the FASTA header" },
        { "offset+1", 2, "does not start right after a header line" },
        { "offset-1", 2, "does not start right after a header line" },
        { "length+1", 6, "is shorter than 10708 bases" },
        { "length-1", 6, "is longer than 10706 bases" },
        { "length-37", 4, "is longer than 10670 bases" },
        { "linebases-1", 1, "does not have 36 bases on its first line" },
        { "drop-last", 5, "the FASTA goes on after record '5.Gorilla_Horai'" },
        { "drop-first", 1, "is not the first record in the file" },
        { "swap", 1, "record '2.Human_Arnason' is not the first record in the file" },
        { "extra", 7, "past the end of the file" },
    };

    [Theory]
    [MemberData(nameof(StaleIndexes))]
    public void Index_that_does_not_match_its_fasta_is_rejected_naming_it_and_the_record(string edit, int faiLine, string problem)
    {
        using var dir = TestData.NewTempDir();
        var (fasta, fai) = CopyWithIndex(dir, rows => edit switch
        {
            "rename" => Set(rows, 2, 0, _ => "3.Chimp_Renamed"),
            "offset+1" => Set(rows, 1, 2, v => Add(v, 1)),
            "offset-1" => Set(rows, 1, 2, v => Add(v, -1)),
            "length+1" => Set(rows, 5, 1, v => Add(v, 1)),
            "length-1" => Set(rows, 5, 1, v => Add(v, -1)),
            "length-37" => Set(rows, 3, 1, v => Add(v, -37)),
            "linebases-1" => Set(Set(rows, 0, 3, v => Add(v, -1)), 0, 4, v => Add(v, -1)),
            "drop-last" => rows[..5],
            "drop-first" => rows[1..],
            "swap" => [rows[1], rows[0], .. rows[2..]],
            "extra" => [.. rows, ["7.Extra", "100", "999999", "37", "38"]],
            _ => throw new ArgumentException(edit),
        });
        var e = Assert.Throws<DataFormatException>(() => FastaGenome.Open(fasta));
        Assert.Equal(fai, e.FilePath);
        Assert.Equal(faiLine, e.Line);
        Assert.StartsWith($"does not match {File6}: ", e.Problem);
        Assert.Contains(problem, e.Problem);
        Assert.Equal("delete it or rebuild with `genomamba data index`", e.Hint);
    }

    [Fact]
    public void Index_of_a_fasta_that_was_cut_short_is_rejected()
    {
        using var dir = TestData.NewTempDir();
        var (fasta, fai) = CopyWithIndex(dir, rows => rows);
        byte[] bytes = File.ReadAllBytes(fasta);
        File.WriteAllBytes(fasta, bytes[..(bytes.Length - 5000)]);
        var e = Assert.Throws<DataFormatException>(() => FastaGenome.Open(fasta));
        Assert.Equal((fai, 6L), (e.FilePath, e.Line));
        Assert.Contains("record '6.Gorilla_Arnason' of 10707 bases runs past the end of the file", e.Problem);
    }

    [Fact]
    public void Index_of_another_file_is_rejected()
    {
        using var dir = TestData.NewTempDir();
        string fasta = dir.File("mt.fa");
        File.Copy(TestData.Shared("apes/mtdna/minimap2_MT-human.fa"), fasta);
        File.Copy(FastaFiles.Resource("golden/" + File6 + ".fai"), fasta + ".fai");
        Assert.Equal(fasta + ".fai", Assert.Throws<DataFormatException>(() => FastaGenome.Open(fasta)).FilePath);
    }

    [Fact]
    public void Uneven_lines_behind_a_matching_outline_are_caught_when_fetched()
    {
        // Move one base from line 3 of the first record to line 5: same length, same first and last
        // lines, so the index still fits the outline; the lines in between no longer do.
        using var dir = TestData.NewTempDir();
        var (fasta, _) = CopyWithIndex(dir, rows => rows);
        string[] lines = File.ReadAllText(fasta).Split('\n');
        lines[3] = lines[3][1..];
        lines[5] = "A" + lines[5];
        File.WriteAllText(fasta, string.Join('\n', lines));

        using var genome = FastaGenome.Open(fasta);
        var buffer = new byte[37];
        genome.FetchRecord(0, 0, buffer); // line 2 is intact
        var e = Assert.Throws<DataFormatException>(() => genome.FetchRecord(0, 37, new byte[200]));
        Assert.Equal(fasta, e.FilePath);
        Assert.Equal(4, e.Line);
        Assert.Contains("record '1.Human_Horai'", e.Problem);
        Assert.Contains("genomamba data index", e.Hint);
    }

    [Fact]
    public void Line_break_missing_where_a_fetch_ends_is_caught()
    {
        // Line 4 of the file gets two bases of line 5. A fetch of line 4 plus one base reads no '\n'
        // at all (the break moved two bytes on); only the check of the expected line ending sees it.
        using var dir = TestData.NewTempDir();
        var (fasta, _) = CopyWithIndex(dir, rows => rows);
        string[] lines = File.ReadAllText(fasta).Split('\n');
        lines[3] += lines[4][..2];
        lines[4] = lines[4][2..];
        File.WriteAllText(fasta, string.Join('\n', lines));

        using var genome = FastaGenome.Open(fasta);
        var e = Assert.Throws<DataFormatException>(() => genome.FetchRecord(0, 2 * 37, new byte[38]));
        Assert.Equal(4, e.Line);
        Assert.Contains("line does not hold 37 bases", e.Problem);
    }

    [Fact]
    public void Removing_a_stale_index_lets_the_file_open_by_scanning()
    {
        using var dir = TestData.NewTempDir();
        var (fasta, fai) = CopyWithIndex(dir, rows => Set(rows, 2, 0, _ => "wrong"));
        Assert.Throws<DataFormatException>(() => FastaGenome.Open(fasta));
        File.Delete(fai);
        using var genome = FastaGenome.Open(fasta);
        Assert.Equal("3.Chimp_Horai", genome.Records[2].Name);
    }
}
