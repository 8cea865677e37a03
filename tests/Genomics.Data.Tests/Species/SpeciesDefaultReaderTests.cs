using System.IO.Compression;
using Genomics.Data.Datasets;
using Genomics.Data.Fasta;
using Genomics.Data.Genome;
using Genomics.Data.TwoBit;

namespace Genomics.Data.Tests.Species;

/// <summary>The overloads without an opener read each species file through GenomeFile, whatever its format.</summary>
public class SpeciesDefaultReaderTests
{
    // Records named so that the default held-out chromosomes leave every split something: 1 valid, 5 test, 2 train.
    static InMemoryGenome Source(int seed) => SmallGenomes.Random("source.fa", seed, ("chr1", 600), ("chr2", 900), ("chr5", 700));

    static void WriteFasta(string path, IGenome genome, bool gzip = false)
    {
        using Stream file = File.Create(path);
        using Stream stream = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        using var writer = new StreamWriter(stream);
        for (int r = 0; r < genome.Records.Count; r++)
        {
            writer.Write($">{genome.Records[r].Name} seed record {r}\n{SmallGenomes.Text(genome, r, 0, (int)genome.Records[r].Length)}\n");
        }
    }

    [Fact]
    public void A_directory_of_plain_gzip_and_2bit_files_opens_each_with_its_reader()
    {
        using var dir = TestData.NewTempDir();
        var sources = new[] { Source(1), Source(2), Source(3) };
        WriteFasta(dir.File("ant.fa"), sources[0]);
        WriteFasta(dir.File("bee.fa.gz"), sources[1], gzip: true);
        TwoBitWriter.Write(sources[2], dir.File("cicada.2bit"));

        using var dataset = SpeciesDataset.OpenDirectory(dir.Path, new SpeciesDatasetOptions { SequenceLength = 100, Seed = 3 });
        Assert.Equal(["ant", "bee", "cicada"], dataset.SpeciesNames);
        Assert.IsType<FastaGenome>(dataset.GenomeOf(0));
        Assert.IsType<FastaGenome>(dataset.GenomeOf(1));
        Assert.IsType<TwoBitGenome>(dataset.GenomeOf(2));
        var tokens = new int[100];
        foreach (var split in Enum.GetValues<SpeciesSplit>())
        {
            for (int i = 0; i < 60; i++)
            {
                var sample = dataset.Read(split, 0, i, tokens);
                // The window as the in-memory source holds it: same record index, same start.
                var bases = new byte[100];
                sources[sample.Label].FetchRecord(sample.Record, sample.Start, bases, keepSoftMask: true);
                Assert.Equal(SmallGenomes.Ids(bases), tokens);
            }
        }
    }

    [Fact]
    public void A_manifest_opens_its_files_with_the_default_reader()
    {
        using var dir = TestData.NewTempDir();
        Directory.CreateDirectory(dir.File("genomes"));
        WriteFasta(dir.File("genomes/x.fa"), Source(4));
        TwoBitWriter.Write(Source(5), dir.File("genomes/y.2bit"));
        File.WriteAllText(dir.File("species.tsv"), "species\tpath\nyak\tgenomes/y.2bit\nxerus\tgenomes/x.fa\n");

        using var dataset = SpeciesDataset.OpenManifest(dir.File("species.tsv"), new SpeciesDatasetOptions { SequenceLength = 100 });
        Assert.Equal(["xerus", "yak"], dataset.SpeciesNames);
        Assert.Equal(dir.File("genomes/y.2bit"), dataset.GenomeOf(1).Path);
        Assert.IsType<TwoBitGenome>(dataset.GenomeOf(1));
    }

    [Fact]
    public void Repeated_record_names_are_refused_for_held_out_chromosomes_naming_the_line()
    {
        using var dir = TestData.NewTempDir();
        File.WriteAllText(dir.File("blocks.fa"), ">chr1\nACGTACGTAC\n>chr2\nACGTACGTAC\n>chr2\nTTTTGGGGCC\n>chr5\nACGTACGTAC\n");
        var ex = Assert.Throws<DataFormatException>(() => SpeciesDataset.OpenDirectory(dir.Path, new SpeciesDatasetOptions { SequenceLength = 5 }));
        Assert.Equal(5, ex.Line);
        Assert.Contains("duplicate record name 'chr2' (first at line 3)", ex.Message);
    }

    [Fact]
    public void Repeated_record_names_are_read_by_position_for_held_out_regions()
    {
        using var dir = TestData.NewTempDir();
        File.WriteAllText(dir.File("blocks.fa"), ">b\nAAAAAAAAAA\n>b\nCCCCCCCCCC\n>b\nGGGGGGGGGG\n>c\nTTTTTTTTTT\n");
        var options = new SpeciesDatasetOptions
        {
            SplitMode = SpeciesSplitMode.HeldOutRegions,
            ConcatenateRecords = true,
            AlignRegionsToRecords = false,
            ValidFraction = 0.25,
            TestFraction = 0.25,
            SequenceLength = 5,
        };
        using var dataset = SpeciesDataset.OpenDirectory(dir.Path, options);
        var genome = (ConcatenatedGenome)dataset.GenomeOf(0);
        Assert.Equal(["b", "b", "b", "c"], genome.Inner.Records.Select(r => r.Name));
        Assert.Equal("AAAAAAAAAACCCCCCCCCCGGGGGGGGGGTTTTTTTTTT", SmallGenomes.Text(genome, 0, 0, 40));
    }
}
