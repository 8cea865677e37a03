using System.IO.Compression;

namespace Genomics.Cli.Tests;

/// <summary>
/// hg38 chr2:1-2,333,275 (soft-masked, one record named chr2:1-2333275) in the three shapes the CLI reads:
/// the shared gzip file, a plain copy (samtools needs one; its .fai made by samtools when installed) and a
/// BGZF copy made by bgzip (the gzip file stands in when bgzip is missing).
/// </summary>
public sealed class Chr2Files : IDisposable
{
    public const string RecordName = "chr2:1-2333275";

    public Chr2Files()
    {
        Gzip = TestData.Shared("human/hg38_chr2_1-2333275.fa.gz");
        Plain = Dir.File("chr2.fa");
        using (var source = new GZipStream(File.OpenRead(Gzip), CompressionMode.Decompress))
        using (var plain = File.Create(Plain))
        {
            source.CopyTo(plain);
        }
        Bases = ReferenceFasta.Read(Plain).Single().Bases;
        Bgzf = Gzip;
        if (Tools.Bgzip is { } bgzip)
        {
            string copy = Dir.File("chr2.bgzf.fa");
            File.Copy(Plain, copy);
            Tools.Run(bgzip, copy);
            Bgzf = copy + ".gz";
        }
        if (Tools.Samtools is { } samtools)
        {
            Tools.Run(samtools, "faidx", Plain);
        }
    }

    public TestData.TempDir Dir { get; } = TestData.NewTempDir();

    public string Gzip { get; }

    public string Plain { get; }

    public string Bgzf { get; }

    /// <summary>The record's bases as written (mixed case).</summary>
    public string Bases { get; }

    public string Shape(string shape) => shape switch
    {
        "plain" => Plain,
        "gzip" => Gzip,
        "bgzf" => Bgzf,
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "plain, gzip or bgzf"),
    };

    public void Dispose() => Dir.Dispose();
}
