using Genomics.Data.Genome;

namespace Genomics.Data.Bed;

/// <summary>
/// Cuts every record of a genome into fixed-length tiles (<c>genomamba data tile</c>), drops N-heavy ones
/// and assigns each a split, giving Enformer-style rows <c>chrom start end split</c>. Tiles start at each
/// record's first base; a remainder shorter than a tile at a record's end is not covered. Coordinates are
/// chromosome coordinates: a region record <c>chr2:1-2333275</c> yields rows on chr2.
/// </summary>
public static class GenomeTiler
{
    public static IReadOnlyList<BedInterval> Tile(IGenome genome, TileOptions? options = null, IProgress<long>? basesScanned = null)
    {
        ArgumentNullException.ThrowIfNull(genome);
        options ??= new TileOptions();
        options.Validate();
        options.Splits.CheckAgainst(genome);
        int length = options.Length;
        long stride = options.EffectiveStride;
        // Compare counts, not fractions, so the cut-off is exact: at most floor(maxN × length) Ns.
        long maxN = (long)Math.Floor(options.MaxNFraction * length);
        var tiles = new List<BedInterval>();
        var buffer = new byte[length];
        long scanned = 0;
        for (int r = 0; r < genome.Records.Count; r++)
        {
            var record = genome.Records[r];
            for (long offset = 0; offset + length <= record.Length; offset += stride)
            {
                genome.FetchRecord(r, offset, buffer);
                scanned += length;
                if (buffer.AsSpan().Count((byte)'N') > maxN)
                {
                    continue;
                }
                long start = record.ChromStart + offset;
                tiles.Add(new BedInterval(record.Chrom, start, start + length, options.Splits.Assign(record.Chrom, start)));
            }
            basesScanned?.Report(scanned);
        }
        return tiles;
    }
}
