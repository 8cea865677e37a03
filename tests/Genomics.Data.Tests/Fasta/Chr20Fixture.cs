using System.Diagnostics;
using Genomics.Data.Fasta;

namespace Genomics.Data.Tests.Fasta;

/// <summary>
/// GRCh37 chr20 (63 Mb) loaded once per test class: through FastaGenome, and independently as the raw
/// text System.IO.Compression decompresses, which the tests count and compare against.
/// </summary>
public sealed class Chr20Fixture : IDisposable
{
    public Chr20Fixture()
    {
        var clock = Stopwatch.StartNew();
        Genome = FastaGenome.Open(Path);
        OpenSeconds = clock.Elapsed.TotalSeconds;
        Text = ReferenceFasta.ReadMaybeGzip(Path);
    }

    public static string Path => TestData.Shared("human/GRCh37_chr20.fa.gz");

    public FastaGenome Genome { get; }

    /// <summary>Seconds FastaGenome.Open took (decompress, validate, hold in memory).</summary>
    public double OpenSeconds { get; }

    /// <summary>The decompressed file, header and newlines included.</summary>
    public byte[] Text { get; }

    /// <summary>The bases alone: the text after the header line, newlines removed.</summary>
    public byte[] Bases() => Text.AsSpan(Array.IndexOf(Text, (byte)'\n') + 1).ToArray().Where(b => b != (byte)'\n').ToArray();

    public void Dispose() => Genome.Dispose();
}
