using Genomics.Data.Genome;

namespace Genomics.Data.Datasets;

/// <summary>
/// Presents every record of another genome, in file order, as ONE record. The ape chr22 files hold
/// 6,258 orthologous blocks (median 1.6 kb) per species: windows of 2^14–2^20 bases exist only in their
/// concatenation. Junctions fall at the same loci in every species, so crossing one adds no species
/// signal; <see cref="RecordStarts"/> says where they are for callers that care.
/// </summary>
public sealed class ConcatenatedGenome : IGenome
{
    readonly IGenome _inner;
    readonly long[] _starts;
    readonly bool _leaveInnerOpen;

    /// <param name="inner">The genome whose records are joined; disposed with this one unless <paramref name="leaveInnerOpen"/>.</param>
    /// <param name="name">Name of the single record (e.g. "chr22"); region-style names are not parsed.</param>
    /// <param name="leaveInnerOpen">True when the caller keeps ownership of <paramref name="inner"/>.</param>
    public ConcatenatedGenome(IGenome inner, string name, bool leaveInnerOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _inner = inner;
        _leaveInnerOpen = leaveInnerOpen;
        _starts = new long[inner.Records.Count + 1];
        for (int i = 0; i < inner.Records.Count; i++)
        {
            _starts[i + 1] = checked(_starts[i] + inner.Records[i].Length);
        }
        // Constructed directly, not via FromName: a name like "x:1-100" must not turn into a region.
        Records = [new SequenceRecord(name, Length)];
        Chromosomes = new ChromosomeMap(Records);
    }

    /// <summary>The path of the joined genome (error messages point at the real file).</summary>
    public string Path => _inner.Path;

    /// <summary>Exactly one record: the concatenation.</summary>
    public IReadOnlyList<SequenceRecord> Records { get; }

    public ChromosomeMap Chromosomes { get; }

    /// <summary>The genome whose records are joined.</summary>
    public IGenome Inner => _inner;

    /// <summary>Total length: the sum of the inner records' lengths.</summary>
    public long Length => _starts[^1];

    /// <summary>
    /// Boundary table: entry i is where inner record i starts in the concatenation; the last entry
    /// (index Inner.Records.Count) is <see cref="Length"/>. Junctions are the entries strictly between 0 and Length.
    /// </summary>
    public IReadOnlyList<long> RecordStarts => _starts;

    /// <summary>The inner record holding concatenated position <paramref name="position"/> and the offset inside it.</summary>
    public (int Record, long Offset) Locate(long position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(position, Length);
        int record = RecordAt(position);
        return (record, position - _starts[record]);
    }

    public void FetchRecord(int record, long offset, Span<byte> destination, bool keepSoftMask = false)
    {
        if (record != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(record), $"{Path}: the concatenation has one record (0), not {record}");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (offset + destination.Length > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"{Path}: {Records[0].Name}:{offset}+{destination.Length} runs past its length {Length}");
        }
        if (destination.IsEmpty)
        {
            return;
        }
        int r = RecordAt(offset);
        long inRecord = offset - _starts[r];
        while (!destination.IsEmpty)
        {
            int take = (int)Math.Min(destination.Length, _starts[r + 1] - _starts[r] - inRecord);
            if (take > 0)
            {
                _inner.FetchRecord(r, inRecord, destination[..take], keepSoftMask);
                destination = destination[take..];
            }
            r++;
            inRecord = 0;
        }
    }

    public void Dispose()
    {
        if (!_leaveInnerOpen)
        {
            _inner.Dispose();
        }
    }

    // The last record whose start is <= position; skips empty records, which share their start with the next one.
    int RecordAt(long position)
    {
        int i = Array.BinarySearch(_starts, 0, _starts.Length - 1, position);
        if (i < 0)
        {
            return ~i - 1;
        }
        while (i + 1 < _starts.Length - 1 && _starts[i + 1] == position)
        {
            i++;
        }
        return i;
    }
}
