using Genomics.Data.Parquet;

namespace Genomics.Cli.Tests;

public class DataExportParquetTests(Chr2Files chr2) : IClassFixture<Chr2Files>
{
    static async Task<List<ParquetSample>> ReadAll(ParquetShardReader reader)
    {
        var rows = new List<ParquetSample>();
        await foreach (var row in reader.ReadAllAsync())
        {
            rows.Add(row);
        }
        return rows;
    }

    [Fact]
    public async Task Interval_rows_read_back_hold_the_L_plus_1_bases_their_coordinates_name()
    {
        using var dir = TestData.NewTempDir();
        const int L = 2048;
        string bed = TestData.Shared("enformer/sequences_human.bed");

        var result = Genomamba.Run(dir, "data", "export-parquet", "--genome", chr2.Gzip, "--intervals", bed, "--skip-missing",
            "--len", $"{L}", "--count", "300", "--epoch", "1", "--seed", "3", "--shard-size", "128", "--out", dir.File("shards"));

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("wrote ", result.StderrLines[^1]);
        Assert.Equal(["shard-00000.parquet", "shard-00001.parquet", "shard-00002.parquet"],
            Directory.GetFileSystemEntries(dir.File("shards")).Select(Path.GetFileName).Order());
        Assert.Equal(["shards"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
        var reader = await ParquetShardReader.OpenAsync(dir.File("shards"), sequenceLength: L);
        Assert.True(reader.Metadata.NextTokenTargets);
        var rows = await ReadAll(reader);
        Assert.Equal(300, rows.Count);
        // The Enformer rows inside the piece, read here from the BED text.
        var intervals = File.ReadLines(bed).Select(l => l.Split('\t'))
            .Where(f => f[0] == "chr2" && f[3] == "train" && long.Parse(f[2]) <= chr2.Bases.Length)
            .Select(f => (Start: long.Parse(f[1]), End: long.Parse(f[2]))).ToArray();
        int[] inputs = new int[L], targets = new int[L];
        foreach (var row in rows)
        {
            Assert.Equal(("hg38_chr2_1-2333275.fa.gz", "chr2", L), (row.Source, row.Chrom, row.Length));
            Assert.Equal(ReferenceTokens.Window(chr2.Bases, row.Start, L + 1, row.Strand), row.Tokens);
            Assert.Contains(intervals, iv => row.Start >= iv.Start && row.Start + L <= iv.End);
            row.CopyInputsTo(inputs);
            row.CopyTargetsTo(targets);
            Assert.Equal(inputs.AsSpan(1).ToArray(), targets.AsSpan(0, L - 1).ToArray());
        }
        Assert.Equal(300, rows.Select(r => r.Start).Distinct().Count());
        Assert.Contains(rows, r => r.Strand == "-");
        Assert.Contains(rows, r => r.Strand == "+");
    }

    [Fact]
    public async Task Species_rows_read_back_with_their_labels_and_the_bases_of_each_species()
    {
        using var dir = TestData.NewTempDir();
        string apes = Path.Combine(TestData.RepoRoot, "data", "apes");
        const int L = 1024;

        var result = Genomamba.Run(dir, "data", "export-parquet", "--species", apes, "--concatenate", "--split", "valid",
            "--len", $"{L}", "--count", "64", "--out", dir.File("apes"));

        Assert.Equal(0, result.ExitCode);
        var reader = await ParquetShardReader.OpenAsync(dir.File("apes"), sequenceLength: L);
        string[] species = ["chimpanzee", "gorilla", "human", "orangutan"];
        Assert.Equal(species, reader.Metadata.Labels);
        Assert.False(reader.Metadata.NextTokenTargets);
        // Each species' blocks joined end to end: the sequence the concatenated dataset samples from.
        var joined = species.ToDictionary(s => s, s => string.Concat(ReferenceFasta.Read(Path.Combine(apes, s + ".fa.gz")).Select(r => r.Bases)));
        var rows = await ReadAll(reader);
        Assert.Equal(64, rows.Count);
        foreach (var row in rows)
        {
            Assert.Equal(species[row.Label!.Value], row.Species);
            Assert.Equal(row.Species + ".fa.gz", row.Source);
            Assert.Equal(ReferenceTokens.Window(joined[row.Species!], row.Start, L, row.Strand), row.Tokens);
        }
        // Valid samples go round-robin over species: exactly balanced.
        Assert.All(rows.GroupBy(r => r.Label), g => Assert.Equal(16, g.Count()));
    }

    [Fact]
    public async Task With_no_arguments_the_embedded_data_is_exported_or_the_missing_file_named()
    {
        using var dir = TestData.NewTempDir();
        string human = Path.Combine(TestData.RepoRoot, "data", "human");
        string? bed = Directory.Exists(human) ? Directory.GetFiles(human, "*.bed").SingleOrDefault() : null;

        var result = Genomamba.Run(dir, "data", "export-parquet");

        if (bed is null || !File.Exists(Path.Combine(human, "hg38_chr2_1-2333275.2bit")))
        {
            Assert.Equal(1, result.ExitCode);
            string error = Assert.Single(result.StderrLines);
            Assert.StartsWith("genomamba: error: no source given and the embedded data is missing: ", error);
            Assert.Contains("hg38_chr2_1-2333275", error);
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
            return;
        }
        Assert.Equal(0, result.ExitCode);
        // Tiles no shorter than 1024 give ⌊length/1024⌋ samples each at the default --len 1024.
        long expected = File.ReadLines(bed).Select(l => l.Split('\t')).Where(f => f[3] == "train").Sum(f => (long.Parse(f[2]) - long.Parse(f[1])) / 1024);
        var reader = await ParquetShardReader.OpenAsync(dir.File("hg38_chr2_1-2333275-train-L1024"), sequenceLength: 1024);
        Assert.Equal(expected, reader.Count);
    }

    [Theory]
    [InlineData("--species", "SPECIES", "--intervals", "BED")]
    [InlineData("--genome", "GENOME")]
    [InlineData("--intervals", "BED")]
    [InlineData("--genome", "GENOME", "--intervals", "BED", "--concatenate")]
    public void A_source_given_by_halves_or_twice_is_one_clear_error(params string[] args)
    {
        using var dir = TestData.NewTempDir();
        string[] resolved = args.Select(a => a switch
        {
            "SPECIES" => Path.Combine(TestData.RepoRoot, "data", "apes"),
            "BED" => TestData.Shared("enformer/sequences_human.bed"),
            "GENOME" => chr2.Gzip,
            _ => a,
        }).ToArray();

        var result = Genomamba.Run(dir, ["data", "export-parquet", .. resolved]);

        Assert.Equal(1, result.ExitCode);
        string error = Assert.Single(result.StderrLines);
        Assert.StartsWith("genomamba: error: ", error);
        Assert.Matches("--(species|genome|intervals|concatenate)", error);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void An_output_directory_that_holds_files_is_refused_and_left_as_it_was()
    {
        using var dir = TestData.NewTempDir();
        Directory.CreateDirectory(dir.File("out"));
        File.WriteAllText(dir.File("out/notes.txt"), "mine");

        var result = Genomamba.Run(dir, "data", "export-parquet", "--genome", chr2.Gzip, "--intervals", TestData.Shared("enformer/sequences_human.bed"),
            "--skip-missing", "--out", dir.File("out"));

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("genomamba: error: ", Assert.Single(result.StderrLines));
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(dir.File("out")).Select(Path.GetFileName));
        Assert.Equal(["out"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }
}
