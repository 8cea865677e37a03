using System.Text;
using Genomics.Data.Fasta;
using Genomics.Data.Genome;

namespace Genomics.Data.Tests.Fasta;

public class FastaWriterTests
{
    static string Write(int lineWidth, Action<FastaWriter> write)
    {
        using var ms = new MemoryStream();
        using (var writer = new FastaWriter(ms, lineWidth, leaveOpen: true))
        {
            write(writer);
        }
        return Encoding.ASCII.GetString(ms.ToArray());
    }

    [Fact]
    public void Whole_record_is_written_exactly_like_the_published_file()
    {
        // minimap2_MT-human.fa is '>MT_human' and 60 bases per line, the layout samtools faidx prints.
        string path = TestData.Shared("apes/mtdna/minimap2_MT-human.fa");
        using var genome = FastaGenome.Open(path);
        var bases = new byte[genome.Records[0].Length];
        genome.FetchRecord(0, 0, bases, keepSoftMask: true);
        Assert.Equal(File.ReadAllText(path), Write(FastaWriter.DefaultLineWidth, w => w.WriteRecord("MT_human", bases)));
    }

    [Fact]
    public void Fetched_region_is_written_as_samtools_faidx_prints_it()
    {
        string? samtools = FastaFiles.OnPath("samtools");
        string path = FastaFiles.Resource("paml_ape_w37.fa");
        using var dir = TestData.NewTempDir();
        string copy = dir.File("ape.fa");
        File.Copy(path, copy);
        using var genome = FastaGenome.Open(copy);
        foreach (var (name, start, end) in new[] { ("3.Chimp_Horai", 101, 1000), ("1.Human_Horai", 1, 10707), ("6.Gorilla_Arnason", 10650, 10707), ("2.Human_Arnason", 5, 5) })
        {
            byte[] bases = genome.Fetch(name, start - 1, end - start + 1, keepSoftMask: true);
            string ours = Write(FastaWriter.DefaultLineWidth, w => w.WriteRecord($"{name}:{start}-{end}", bases));
            if (samtools is not null)
            {
                Assert.Equal(FastaFiles.Run(samtools, "faidx", copy, $"{name}:{start}-{end}"), ours);
            }
            // Independently: the same bases, 60 to a line, every line ended.
            string[] lines = ours.Split('\n');
            Assert.Equal($">{name}:{start}-{end}", lines[0]);
            Assert.Equal("", lines[^1]);
            Assert.All(lines[1..^2], l => Assert.Equal(60, l.Length));
            Assert.Equal(ReferenceFasta.Parse(File.ReadAllText(path)).Single(r => r.Name == name).Bases.Substring(start - 1, end - start + 1), string.Concat(lines[1..]));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(60)]
    [InlineData(100)]
    public void Lines_are_wrapped_at_the_width_and_bases_may_arrive_in_pieces(int width)
    {
        byte[] bases = Encoding.ASCII.GetBytes(ReferenceFasta.ParseFile(TestData.Shared("apes/mtdna/minimap2_MT-orang.fa"))[0].Bases[..1000]);
        string whole = Write(width, w => w.WriteRecord("x", bases, "a description"));
        string pieces = Write(width, w =>
        {
            w.BeginRecord("x", "a description");
            var rng = new Random(width);
            for (int at = 0; at < bases.Length;)
            {
                int n = Math.Min(rng.Next(0, 150), bases.Length - at);
                w.WriteBases(bases.AsSpan(at, n));
                at += n;
            }
        });
        Assert.Equal(whole, pieces);
        Assert.Equal(ReferenceFasta.Wrap([new ReferenceFasta.Record("x", "x a description", Encoding.ASCII.GetString(bases))], width), whole);
    }

    [Fact]
    public void Writer_rejects_what_would_not_read_back()
    {
        using var ms = new MemoryStream();
        using var writer = new FastaWriter(ms);
        Assert.Throws<ArgumentException>(() => writer.BeginRecord("two words"));
        Assert.Throws<ArgumentException>(() => writer.BeginRecord(""));
        Assert.Throws<InvalidOperationException>(() => writer.WriteBases("ACGT"u8));
        writer.BeginRecord("ok");
        Assert.Throws<ArgumentException>(() => writer.WriteBases("AC-GT"u8));
        Assert.Throws<ArgumentException>(() => writer.WriteBases("AC\nGT"u8));
        Assert.Throws<InvalidOperationException>(() => writer.BeginRecord("next")); // "ok" got no bases
        Assert.Throws<ArgumentOutOfRangeException>(() => new FastaWriter(ms, 0));
    }

    [Fact]
    public void Written_genome_reads_back_with_the_same_names_and_soft_mask()
    {
        string source = TestData.Shared("human/hg38_chr2_1-2333275.fa.gz");
        using var dir = TestData.NewTempDir();
        string target = dir.File("out.fa");
        File.WriteAllText(target, "previous contents");
        using var genome = FastaGenome.Open(source);
        FastaWriter.WriteGenome(genome, target, lineWidth: 70);

        Assert.Equal([target], Directory.GetFiles(dir.Path));
        using var back = FastaGenome.Open(target);
        Assert.Equal(genome.Records, back.Records);
        Assert.Equal(ReferenceFasta.ParseFile(source)[0].Bases, FastaFiles.FetchAll(back, 0, keepSoftMask: true));
        Assert.Equal(70, back.Index![0].LineBases);
    }

    [Fact]
    public void Failed_genome_write_leaves_the_target_untouched()
    {
        using var dir = TestData.NewTempDir();
        string target = dir.File("out.fa");
        File.WriteAllText(target, "previous contents");
        var genome = new FailingGenome(InMemoryGenome.FromStrings("mem", ("a", "ACGT"), ("b", "GGCC")));
        Assert.Throws<IOException>(() => FastaWriter.WriteGenome(genome, target));
        Assert.Equal("previous contents", File.ReadAllText(target));
        Assert.Equal([target], Directory.GetFiles(dir.Path));
    }

    /// <summary>Serves the first record, then fails like a disk error would.</summary>
    sealed class FailingGenome(IGenome inner) : IGenome
    {
        public string Path => inner.Path;
        public IReadOnlyList<SequenceRecord> Records => inner.Records;
        public ChromosomeMap Chromosomes => inner.Chromosomes;

        public void FetchRecord(int record, long offset, Span<byte> destination, bool keepSoftMask = false)
        {
            if (record > 0)
            {
                throw new IOException("simulated read failure");
            }
            inner.FetchRecord(record, offset, destination, keepSoftMask);
        }

        public void Dispose() => inner.Dispose();
    }
}
