using Genomics.Data.Bed;
using Genomics.Data.Genome;
using Genomics.Data.Tests.TwoBit;

namespace Genomics.Data.Tests.Bed;

/// <summary>The real Enformer/Basenji2 human intervals (hg38): counts, splits, and validation against a partial genome.</summary>
public sealed class EnformerBedTests
{
    static readonly string Path = TestData.Shared("enformer/sequences_human.bed");

    [Fact]
    public void Enformer_file_has_38171_rows_of_131072_bp_split_34021_2213_1937()
    {
        var result = BedReader.Read(Path);

        Assert.Equal(38_171, result.Intervals.Count);
        Assert.All(result.Intervals, i => Assert.Equal(131_072, i.Length));
        Assert.Equal(34_021, result.InSplit(BedSplit.Train).Count);
        Assert.Equal(2_213, result.InSplit(BedSplit.Valid).Count);
        Assert.Equal(1_937, result.InSplit(BedSplit.Test).Count);
        Assert.Equal(3, result.CountBySplit().Count);
        Assert.Equal(0, result.Skipped);
    }

    [Fact]
    public void Rows_keep_their_line_numbers_and_fields_as_in_the_file()
    {
        var result = BedReader.Read(Path);
        string[] lines = File.ReadAllLines(Path);

        Assert.Equal(Enumerable.Range(1, lines.Length).Select(i => (long)i), result.Intervals.Select(i => i.Line));
        for (int k = 0; k < lines.Length; k += 997)
        {
            var interval = result.Intervals[k];
            Assert.Equal(lines[k], $"{interval.Chrom}\t{interval.Start}\t{interval.End}\t{interval.Split}");
            Assert.Empty(interval.Extra);
        }
    }

    [Fact]
    public void Validation_against_a_genome_holding_only_a_chr2_piece_fails_at_the_first_row_elsewhere()
    {
        var genome = Chr2Piece();
        string firstLine = File.ReadLines(Path).First();
        string chrom = firstLine.Split('\t')[0];

        var e = Assert.Throws<DataFormatException>(() => BedReader.Read(Path, new BedReadOptions { Genome = genome }));

        Assert.Equal(Path, e.FilePath);
        Assert.Equal(1, e.Line);
        Assert.StartsWith($"{Path}:1: chromosome '{chrom}' is not in ", e.Message);
        Assert.Contains("SkipMissing", e.Message);
    }

    [Fact]
    public void SkipMissing_keeps_exactly_the_rows_inside_the_chr2_piece_and_counts_the_rest()
    {
        var genome = Chr2Piece();
        // Independent filter over the raw text: rows on chr2 ending inside 1..2,333,275.
        var rows = File.ReadLines(Path).Select(l => l.Split('\t')).ToArray();
        var inside = rows.Where(c => c[0] == "chr2" && long.Parse(c[2]) <= 2_333_275).ToArray();
        int chr2Rows = rows.Count(c => c[0] == "chr2");

        var result = BedReader.Read(Path, new BedReadOptions { Genome = genome, SkipMissing = true });

        Assert.Equal(34, inside.Length); // known from the file; guards the filter itself
        Assert.Equal(inside.Select(c => (c[0], long.Parse(c[1]), long.Parse(c[2]), c[3])),
            result.Intervals.Select(i => (i.Chrom, i.Start, i.End, i.Split!)));
        Assert.Equal(rows.Length - inside.Length, result.Skipped);
        Assert.Equal(chr2Rows - inside.Length, result.SkippedByChromosome["chr2"]);
        Assert.Equal(result.Skipped, result.SkippedByChromosome.Values.Sum());
        Assert.Equal(rows.Select(c => c[0]).Distinct().Count(), result.SkippedByChromosome.Count);
        // The kept rows really are readable from the piece.
        foreach (var i in result.Intervals)
        {
            Assert.Equal(LocateStatus.Found, genome.Chromosomes.Locate(i.Chrom, i.Start, i.End).Status);
        }
    }

    [Fact]
    public void A_row_outside_the_chr2_piece_is_an_error_naming_what_the_genome_holds()
    {
        var genome = Chr2Piece();
        using var dir = TestData.NewTempDir();
        string path = dir.File("one.bed");
        File.WriteAllText(path, "chr2\t100000\t231072\ttrain\nchr2\t2300000\t2431072\ttrain\n");

        var e = Assert.Throws<DataFormatException>(() => BedReader.Read(path, new BedReadOptions { Genome = genome }));

        Assert.Equal(2, e.Line);
        Assert.Contains("chr2:2300000-2431072 is outside the part of chr2 held by", e.Message);
        Assert.Contains("(chr2:1-2333275)", e.Message);
    }

    [Fact]
    public void Writing_the_Enformer_rows_back_reproduces_the_file_byte_for_byte()
    {
        var result = BedReader.Read(Path);
        using var dir = TestData.NewTempDir();
        string copy = dir.File("copy.bed");

        BedWriter.Write(copy, result.Intervals);

        Assert.Equal(File.ReadAllBytes(Path), File.ReadAllBytes(copy));
    }

    static InMemoryGenome Chr2Piece() => ReferenceGenomes.Load(TestData.Shared("human/hg38_chr2_1-2333275.fa.gz"));
}
