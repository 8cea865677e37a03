namespace Genomics.Data.Genome;

/// <summary>
/// A genome held in memory as ASCII bytes (soft-mask kept as lower case). Backs decompressed FASTA and
/// serves tests. Bytes must already be normalised: A C G T N in either case.
/// </summary>
public sealed class InMemoryGenome : IGenome
{
    readonly byte[][] _sequences;

    public InMemoryGenome(string path, IReadOnlyList<(string Name, byte[] Bases)> records)
    {
        Path = path;
        _sequences = records.Select(r => r.Bases).ToArray();
        Records = records.Select(r => SequenceRecord.FromName(r.Name, r.Bases.LongLength)).ToArray();
        Chromosomes = new ChromosomeMap(Records);
    }

    /// <summary>Convenience for tests: records given as strings.</summary>
    public static InMemoryGenome FromStrings(string path, params (string Name, string Bases)[] records) =>
        new(path, records.Select(r => (r.Name, System.Text.Encoding.ASCII.GetBytes(r.Bases))).ToArray());

    public string Path { get; }
    public IReadOnlyList<SequenceRecord> Records { get; }
    public ChromosomeMap Chromosomes { get; }

    public void FetchRecord(int record, long offset, Span<byte> destination, bool keepSoftMask = false)
    {
        byte[] seq = _sequences[record];
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (offset + destination.Length > seq.LongLength)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"{Path}: {Records[record].Name}:{offset}+{destination.Length} runs past its length {seq.LongLength}");
        }
        ReadOnlySpan<byte> src = seq.AsSpan(checked((int)offset), destination.Length);
        if (keepSoftMask)
        {
            src.CopyTo(destination);
        }
        else
        {
            System.Text.Ascii.ToUpper(src, destination, out _);
        }
    }

    public void Dispose()
    {
    }
}
