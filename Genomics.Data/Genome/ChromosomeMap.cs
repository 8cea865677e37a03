namespace Genomics.Data.Genome;

/// <summary>Outcome of placing a chromosome interval on a genome's records.</summary>
public enum LocateStatus
{
    /// <summary>The whole interval lies inside one record.</summary>
    Found,
    /// <summary>No record names this chromosome (under any alias).</summary>
    UnknownChromosome,
    /// <summary>The genome holds only region(s) of this chromosome, and the interval is not inside one.</summary>
    OutsideCoverage,
    /// <summary>The genome holds the whole chromosome and the interval runs past its end (or starts before 0).</summary>
    OutOfBounds,
}

/// <summary>Where an interval lives: record index and 0-based offset inside that record.</summary>
public readonly record struct Location(LocateStatus Status, int Record, long Offset);

/// <summary>
/// Names as people meet them: resolves <c>chr20</c> ↔ <c>20</c>, <c>chrM</c> ↔ <c>MT</c>, and serves
/// coordinates of a chromosome from region records (<c>chr2:1-2333275</c>). Built once per genome.
/// </summary>
public sealed class ChromosomeMap
{
    readonly IReadOnlyList<SequenceRecord> _records;
    readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);
    readonly Dictionary<string, List<int>> _byChromKey = new(StringComparer.OrdinalIgnoreCase);

    public ChromosomeMap(IReadOnlyList<SequenceRecord> records)
    {
        _records = records;
        for (int i = 0; i < records.Count; i++)
        {
            _byName.TryAdd(records[i].Name, i);
            string key = AliasKey(records[i].Chrom);
            if (!_byChromKey.TryGetValue(key, out var list))
            {
                _byChromKey[key] = list = [];
            }
            list.Add(i);
        }
    }

    /// <summary>Canonical alias key: drops a leading "chr" and spells the mitochondrion "MT".</summary>
    public static string AliasKey(string chrom)
    {
        string s = chrom.StartsWith("chr", StringComparison.OrdinalIgnoreCase) && chrom.Length > 3 ? chrom[3..] : chrom;
        return s.Equals("M", StringComparison.OrdinalIgnoreCase) ? "MT" : s;
    }

    /// <summary>True when some record lies on this chromosome (by exact record name or alias).</summary>
    public bool Contains(string chrom) => _byName.ContainsKey(chrom) || _byChromKey.ContainsKey(AliasKey(chrom));

    /// <summary>
    /// Full length of the chromosome when the genome holds all of it; null when it holds only regions
    /// (then the true length is unknown) or does not know the name.
    /// </summary>
    public long? WholeLength(string chrom)
    {
        if (_byName.TryGetValue(chrom, out int exact))
        {
            return _records[exact].IsRegion ? null : _records[exact].Length;
        }
        if (_byChromKey.TryGetValue(AliasKey(chrom), out var list))
        {
            foreach (int i in list)
            {
                if (!_records[i].IsRegion)
                {
                    return _records[i].Length;
                }
            }
        }
        return null;
    }

    /// <summary>Places [start, end) of <paramref name="chrom"/> (0-based, half-open) on a record.</summary>
    public Location Locate(string chrom, long start, long end)
    {
        // A record's own name wins (also for "chr2:1-2333275" used verbatim): coordinates are record-relative.
        if (_byName.TryGetValue(chrom, out int exact) && !_records[exact].IsRegion)
        {
            return Within(exact, start, end);
        }
        if (!_byChromKey.TryGetValue(AliasKey(chrom), out var list))
        {
            if (_byName.TryGetValue(chrom, out exact))
            {
                return Within(exact, start, end);
            }
            return new Location(LocateStatus.UnknownChromosome, -1, 0);
        }
        foreach (int i in list)
        {
            var r = _records[i];
            if (!r.IsRegion)
            {
                return Within(i, start, end);
            }
            if (start >= r.ChromStart && end <= r.ChromStart + r.Length && start <= end)
            {
                return new Location(LocateStatus.Found, i, start - r.ChromStart);
            }
        }
        return new Location(LocateStatus.OutsideCoverage, -1, 0);
    }

    Location Within(int record, long start, long end) =>
        start >= 0 && end <= _records[record].Length && start <= end
            ? new Location(LocateStatus.Found, record, start)
            : new Location(LocateStatus.OutOfBounds, record, start);
}
