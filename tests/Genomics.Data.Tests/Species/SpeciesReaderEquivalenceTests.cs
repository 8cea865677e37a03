using Genomics.Data.Datasets;

namespace Genomics.Data.Tests.Species;

/// <summary>
/// The bridge from the test-side FASTA parser (<see cref="TestFasta"/>), which the species tests used before
/// the real readers were ready, to the default reader: on the full ape files both yield the same bases and
/// hence, for one seed, the same samples.
/// </summary>
[Collection(ApeCollection.Name)]
public class SpeciesReaderEquivalenceTests(ApeFixture apes)
{
    [Fact]
    public void The_test_side_parser_and_the_real_reader_give_identical_genomes_and_samples()
    {
        using var parsed = SpeciesDataset.OpenDirectory(ApeData.Directory, ReferenceGenomes.Load, ApeFixture.Options(1 << 14));
        var real = apes.Dataset;
        Assert.Equal(parsed.SpeciesNames, real.SpeciesNames);
        foreach (string species in ApeData.Species)
        {
            var records = ReferenceGenomes.Records(ApeData.File(species));
            var genome = ((ConcatenatedGenome)real.GenomeOf(real.LabelOf(species))).Inner;
            Assert.Equal(records.Select(r => (r.Name, (long)r.Bases.Length)), genome.Records.Select(r => (r.Name, r.Length)));
            for (int r = 0; r < records.Count; r++)
            {
                var bases = new byte[records[r].Bases.Length];
                genome.FetchRecord(r, 0, bases, keepSoftMask: true);
                Assert.True(bases.AsSpan().SequenceEqual(records[r].Bases), $"{species} block {r + 1} ({records[r].Name}): the bases differ");
            }
        }
        foreach (var split in Enum.GetValues<SpeciesSplit>())
        {
            Assert.Equal(parsed.Regions(split, 0), real.Regions(split, 0));
        }
        var a = new int[1 << 14];
        var b = new int[1 << 14];
        foreach (var split in Enum.GetValues<SpeciesSplit>())
        {
            for (int i = 0; i < 400; i++)
            {
                Assert.Equal(parsed.Read(split, 3, i, a), real.Read(split, 3, i, b));
                Assert.True(a.AsSpan().SequenceEqual(b), $"{split} sample {i}: tokens differ");
            }
        }
    }
}
