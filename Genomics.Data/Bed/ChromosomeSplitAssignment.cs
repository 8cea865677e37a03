using Genomics.Data.Genome;

namespace Genomics.Data.Bed;

/// <summary>Held-out chromosomes (HyenaDNA style: valid 1, 3, 12, 13; test 5, 7, 9, 10, 11), matched by alias key.</summary>
internal sealed class ChromosomeSplitAssignment : SplitAssignment
{
    readonly string[] _valid;
    readonly string[] _test;
    readonly HashSet<string> _validKeys;
    readonly HashSet<string> _testKeys;

    public ChromosomeSplitAssignment(IEnumerable<string> valid, IEnumerable<string> test)
    {
        _valid = valid.ToArray();
        _test = test.ToArray();
        _validKeys = new HashSet<string>(_valid.Select(ChromosomeMap.AliasKey), StringComparer.OrdinalIgnoreCase);
        _testKeys = new HashSet<string>(_test.Select(ChromosomeMap.AliasKey), StringComparer.OrdinalIgnoreCase);
        if (_validKeys.FirstOrDefault(_testKeys.Contains) is { } both)
        {
            throw new ArgumentException($"chromosome '{both}' is listed for both valid and test", nameof(test));
        }
    }

    public override string Assign(string chrom, long start)
    {
        string key = ChromosomeMap.AliasKey(chrom);
        return _validKeys.Contains(key) ? BedSplit.Valid : _testKeys.Contains(key) ? BedSplit.Test : BedSplit.Train;
    }

    // A typo in a held-out list would silently put that chromosome in train: refuse it.
    internal override void CheckAgainst(IGenome genome)
    {
        var missing = _valid.Concat(_test).Where(c => !genome.Chromosomes.Contains(c)).ToArray();
        if (missing.Length > 0)
        {
            throw new ArgumentException($"held-out chromosome(s) {string.Join(", ", missing)} not in {genome.Path} " +
                $"(records: {string.Join(", ", genome.Records.Take(8).Select(r => r.Name))}{(genome.Records.Count > 8 ? ", …" : "")})");
        }
    }
}
