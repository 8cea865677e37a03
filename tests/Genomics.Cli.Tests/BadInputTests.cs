namespace Genomics.Cli.Tests;

/// <summary>
/// Bad input of every kind ends the same way: exit code 1, one line on stderr that starts
/// "genomamba: error:" and names the file at fault, no stack trace, nothing on stdout, and no output file or
/// temporary file left in the folder.
/// </summary>
public class BadInputTests
{
    static readonly string Bases200 = string.Concat(Enumerable.Repeat("ACGTTGCAAC", 20));

    /// <summary>The inputs each case may use, all in the case's own folder.</summary>
    static void WriteInputs(TestData.TempDir dir)
    {
        File.WriteAllText(dir.File("empty.fa"), "");
        File.WriteAllText(dir.File("headless.fa"), "ACGT\n>x\nACGT\n");
        File.WriteAllText(dir.File("uneven.fa"), ">a\nACGTACGT\nACG\nACGTACGT\n");
        File.WriteAllText(dir.File("badbyte.fa"), ">x\nACGT\n>y\nAC#T\n");
        File.WriteAllText(dir.File("small.fa"), ReferenceFastaFormat(">chr2", Bases200));
        File.WriteAllText(dir.File("backwards.bed"), "chr2\t0\t100\ttrain\nchr2\t150\t50\ttrain\n");
        File.WriteAllText(dir.File("past.bed"), "chr2\t0\t100\ttrain\nchr2\t100\t300\ttrain\n");
        File.WriteAllText(dir.File("ok.bed"), "chr2\t0\t100\ttrain\n");
        File.WriteAllText(dir.File("empty.bed"), "");
        Directory.CreateDirectory(dir.File("species"));
        File.WriteAllText(dir.File("species/ape.fa"), ReferenceFastaFormat(">chr2", Bases200));
        File.WriteAllText(dir.File("species/monkey.fa"), "");
    }

    static string ReferenceFastaFormat(string header, string bases) =>
        header + "\n" + string.Concat(bases.Chunk(60).Select(c => new string(c) + "\n"));

    public static TheoryData<string, string, string[]> Cases() => new()
    {
        // name of the case, the file the error must name, the arguments
        { "index: missing file", "missing.fa", ["data", "index", "missing.fa"] },
        { "index: empty file", "empty.fa", ["data", "index", "empty.fa"] },
        { "index: sequence before any header", "headless.fa", ["data", "index", "headless.fa"] },
        { "index: uneven lines", "uneven.fa", ["data", "index", "uneven.fa"] },
        { "fetch: missing file", "missing.fa", ["data", "fetch", "missing.fa", "chr2", "-o", "out.fa"] },
        { "fetch: empty file", "empty.fa", ["data", "fetch", "empty.fa", "chr2", "-o", "out.fa"] },
        { "fetch: bad byte", "badbyte.fa", ["data", "fetch", "badbyte.fa", "y", "-o", "out.fa"] },
        { "fetch: unknown chromosome", "small.fa", ["data", "fetch", "small.fa", "chrX:1-10", "-o", "out.fa"] },
        { "fetch: unparsable region", "small.fa", ["data", "fetch", "small.fa", "chr2:0-5", "-o", "out.fa"] },
        { "fetch: region past the end", "small.fa", ["data", "fetch", "small.fa", "chr2:150-300", "-o", "out.fa"] },
        { "fetch: second region past the end", "small.fa", ["data", "fetch", "small.fa", "chr2:1-10", "chr2:190-201", "-o", "out.fa"] },
        { "stats: missing file", "missing.fa", ["data", "stats", "missing.fa"] },
        { "stats: empty file", "empty.fa", ["data", "stats", "--json", "empty.fa"] },
        { "stats: bad byte", "badbyte.fa", ["data", "stats", "--json", "badbyte.fa"] },
        { "pack: missing file", "missing.fa", ["data", "pack", "missing.fa", "out.2bit"] },
        { "pack: empty file", "empty.fa", ["data", "pack", "empty.fa", "out.2bit"] },
        { "pack: bad byte", "badbyte.fa", ["data", "pack", "badbyte.fa", "out.2bit"] },
        { "pack: uneven lines", "uneven.fa", ["data", "pack", "uneven.fa", "out.2bit"] },
        { "tile: missing file", "missing.fa", ["data", "tile", "missing.fa", "-o", "out.bed"] },
        { "tile: empty file", "empty.fa", ["data", "tile", "empty.fa", "-o", "out.bed"] },
        { "tile: sequence before any header", "headless.fa", ["data", "tile", "headless.fa", "-o", "out.bed"] },
        { "export: missing genome", "missing.fa", ["data", "export-parquet", "--genome", "missing.fa", "--intervals", "ok.bed", "--len", "50", "--out", "out"] },
        { "export: missing BED", "missing.bed", ["data", "export-parquet", "--genome", "small.fa", "--intervals", "missing.bed", "--len", "50", "--out", "out"] },
        { "export: empty BED", "empty.bed", ["data", "export-parquet", "--genome", "small.fa", "--intervals", "empty.bed", "--len", "50", "--out", "out"] },
        { "export: BED end before start", "backwards.bed:2", ["data", "export-parquet", "--genome", "small.fa", "--intervals", "backwards.bed", "--len", "50", "--out", "out"] },
        { "export: BED row past the chromosome end", "past.bed:2", ["data", "export-parquet", "--genome", "small.fa", "--intervals", "past.bed", "--len", "50", "--out", "out"] },
        { "export: length longer than the genome holds", "ok.bed", ["data", "export-parquet", "--genome", "small.fa", "--intervals", "ok.bed", "--len", "4096", "--out", "out"] },
        { "export: missing species folder", "apes-missing", ["data", "export-parquet", "--species", "apes-missing", "--out", "out"] },
        { "export: empty genome among species", "monkey.fa", ["data", "export-parquet", "--species", "species", "--len", "50", "--out", "out"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_input_is_one_error_line_naming_the_file_with_exit_code_1_and_nothing_written(string name, string named, string[] args)
    {
        using var dir = TestData.NewTempDir();
        WriteInputs(dir);
        string[] before = Entries(dir);

        var result = Genomamba.Run(dir, args);

        Assert.True(result.ExitCode == 1, $"{name}: exit code {result.ExitCode}, stderr: {result.Stderr}");
        string error = Assert.Single(result.StderrLines);
        Assert.StartsWith("genomamba: error: ", error);
        Assert.Contains(named, error);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.DoesNotContain("Exception", result.Stderr);
        Assert.Empty(result.Stdout);
        Assert.Equal(before, Entries(dir));
    }

    static string[] Entries(TestData.TempDir dir) =>
        Directory.GetFileSystemEntries(dir.Path, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(dir.Path, p)).Order().ToArray();
}
