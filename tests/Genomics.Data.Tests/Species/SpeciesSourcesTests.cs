using Genomics.Data.Datasets;
using Genomics.Data.Genome;

namespace Genomics.Data.Tests.Species;

public class SpeciesSourcesTests
{
    [Fact]
    public void Directory_species_are_file_stems_and_index_files_are_ignored()
    {
        using var dir = TestData.NewTempDir();
        foreach (string name in new[] { "human.fa.gz", "human.fa.gz.fai", "human.fa.gz.gzi", "chimp.fasta", "chimp.fasta.fai", "gorilla.2bit", "bonobo.fna.gz", "README.md" })
        {
            File.WriteAllText(dir.File(name), ">r\nACGT\n");
        }
        var sources = SpeciesSources.FromDirectory(dir.Path);
        Assert.Equal(["bonobo", "chimp", "gorilla", "human"], sources.Select(s => s.Species));
        Assert.Equal(dir.File("human.fa.gz"), sources.Single(s => s.Species == "human").Path);
    }

    [Fact]
    public void Two_files_for_one_species_are_rejected_naming_both()
    {
        using var dir = TestData.NewTempDir();
        File.WriteAllText(dir.File("human.fa"), ">r\nACGT\n");
        File.WriteAllText(dir.File("human.2bit"), "");
        var ex = Assert.Throws<DataFormatException>(() => SpeciesSources.FromDirectory(dir.Path));
        Assert.Contains("human.2bit", ex.Message);
        Assert.Contains("human.fa", ex.Message);
    }

    [Fact]
    public void A_directory_without_genome_files_is_rejected()
    {
        using var dir = TestData.NewTempDir();
        File.WriteAllText(dir.File("notes.txt"), "");
        var ex = Assert.Throws<DataFormatException>(() => SpeciesSources.FromDirectory(dir.Path));
        Assert.Contains("no genome files", ex.Message);
    }

    [Fact]
    public void Manifest_paths_are_relative_to_the_manifest_and_comments_and_header_are_skipped()
    {
        using var dir = TestData.NewTempDir();
        Directory.CreateDirectory(dir.File("genomes"));
        File.WriteAllText(dir.File("genomes/a.fa"), ">r\nACGT\n");
        File.WriteAllText(dir.File("genomes/b.fa"), ">r\nACGT\n");
        File.WriteAllText(dir.File("species.tsv"), "species\tpath\n# apes\nzebra\tgenomes/a.fa\n\naardvark\tgenomes/b.fa\n");
        var sources = SpeciesSources.FromManifest(dir.File("species.tsv"));
        Assert.Equal([new SpeciesSource("zebra", dir.File("genomes/a.fa")), new SpeciesSource("aardvark", dir.File("genomes/b.fa"))], sources);
    }

    [Theory]
    [InlineData("a\tx.fa\nb\n", 2, "expected 2 tab-separated fields")]
    [InlineData("a\tx.fa\nb\tmissing.fa\n", 2, "genome file 'missing.fa' of species 'b' not found")]
    [InlineData("a\tx.fa\n# c\na\tx.fa\n", 3, "species 'a' is already listed on line 1")]
    [InlineData("\tx.fa\n", 1, "empty species name")]
    public void Manifest_errors_name_the_manifest_line(string text, int line, string problem)
    {
        using var dir = TestData.NewTempDir();
        File.WriteAllText(dir.File("x.fa"), ">r\nACGT\n");
        File.WriteAllText(dir.File("m.tsv"), text);
        var ex = Assert.Throws<DataFormatException>(() => SpeciesSources.FromManifest(dir.File("m.tsv")));
        Assert.StartsWith($"{dir.File("m.tsv")}:{line}: ", ex.Message);
        Assert.Contains(problem, ex.Message);
        Assert.Equal(line, ex.Line);
    }

    [Fact]
    public void Open_passes_each_path_to_the_opener_and_labels_follow_species_names()
    {
        using var dir = TestData.NewTempDir();
        File.WriteAllText(dir.File("zebra.fa"), "");
        File.WriteAllText(dir.File("aardvark.fa"), "");
        var asked = new List<string>();
        using var dataset = SpeciesDataset.OpenDirectory(dir.Path, path =>
        {
            asked.Add(path);
            return InMemoryGenome.FromStrings(path, ("chr2", new string('A', 100)), ("chr1", new string('C', 100)), ("chr5", new string('G', 100)));
        }, new SpeciesDatasetOptions { SequenceLength = 10 });
        Assert.Equal([dir.File("aardvark.fa"), dir.File("zebra.fa")], asked);
        Assert.Equal(["aardvark", "zebra"], dataset.SpeciesNames);
        Assert.Equal(1, dataset.LabelOf("zebra"));
        Assert.Equal(dir.File("zebra.fa"), dataset.GenomeOf(1).Path);
    }

    [Fact]
    public void A_failing_opener_disposes_the_genomes_already_opened()
    {
        var opened = new List<DisposalProbe>();
        var sources = new[] { new SpeciesSource("a", "a.fa"), new SpeciesSource("b", "b.fa") };
        Assert.Throws<DataFormatException>(() => SpeciesDataset.Open(sources, path =>
        {
            if (path == "b.fa")
            {
                throw new DataFormatException(path, 1, "bad header");
            }
            var probe = new DisposalProbe(path);
            opened.Add(probe);
            return probe;
        }, new SpeciesDatasetOptions()));
        Assert.True(Assert.Single(opened).Disposed);
    }

    sealed class DisposalProbe(string path) : IGenome
    {
        public bool Disposed;
        public string Path => path;
        public IReadOnlyList<SequenceRecord> Records { get; } = [];
        public ChromosomeMap Chromosomes => new(Records);
        public void FetchRecord(int record, long offset, Span<byte> destination, bool keepSoftMask = false) => throw new NotSupportedException();
        public void Dispose() => Disposed = true;
    }
}
