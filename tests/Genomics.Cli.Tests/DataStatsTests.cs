using System.Text.Json;

namespace Genomics.Cli.Tests;

public class DataStatsTests
{
    [Theory]
    [InlineData("human/hg38_chr2_1-2333275.fa.gz")]
    [InlineData("human/hg38_biopython_blat_regions.fa")]
    [InlineData("genomes/Saccharomyces_cerevisiae_chrI_chrII.fa.gz")]
    [InlineData("apes/mtdna/paml_mtCDNApri_7hominoids_12mtgenes_aligned.fa")]
    public void Json_figures_equal_bases_counted_in_the_file(string file)
    {
        using var dir = TestData.NewTempDir();
        string path = TestData.Shared(file);

        var result = Genomamba.Run(dir, "data", "stats", "--json", path);

        Assert.Equal(0, result.ExitCode);
        var records = ReferenceFasta.Read(path);
        string[] lines = result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(records.Count, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            var (name, bases) = records[i];
            using var json = JsonDocument.Parse(lines[i]);
            var o = json.RootElement;
            long Count(Func<char, bool> which) => bases.LongCount(which);
            long a = Count(c => c is 'A' or 'a'), c = Count(c => c is 'C' or 'c'), g = Count(c => c is 'G' or 'g'), t = Count(c => c is 'T' or 't');
            long n = Count(c => c is 'N' or 'n');
            long lower = Count(char.IsLower);
            Assert.Equal(name, o.GetProperty("name").GetString());
            Assert.Equal(bases.Length, o.GetProperty("length").GetInt64());
            Assert.Equal(a, o.GetProperty("a").GetInt64());
            Assert.Equal(c, o.GetProperty("c").GetInt64());
            Assert.Equal(g, o.GetProperty("g").GetInt64());
            Assert.Equal(t, o.GetProperty("t").GetInt64());
            Assert.Equal(n, o.GetProperty("n").GetInt64());
            Assert.Equal(bases.Length - a - c - g - t - n, o.GetProperty("other_iupac").GetInt64());
            Assert.Equal(lower, o.GetProperty("soft_masked").GetInt64());
            Assert.Equal((double)(g + c) / (a + c + g + t), o.GetProperty("gc").GetDouble(), 1e-12);
            Assert.Equal((double)n / bases.Length, o.GetProperty("n_fraction").GetDouble(), 1e-12);
            Assert.Equal((double)lower / bases.Length, o.GetProperty("soft_masked_fraction").GetDouble(), 1e-12);
        }
    }
}
