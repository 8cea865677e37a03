using Genomics.Data.Bed;
using Genomics.Data.Genome;
using Genomics.Data.Tests.TwoBit;

namespace Genomics.Data.Tests.Bed;

/// <summary>Tiling real genomes: coverage, N filtering, coordinates of region records, split assignment.</summary>
public sealed class GenomeTilerTests
{
    static InMemoryGenome Chr2Piece => ReferenceGenomes.Load(TestData.Shared("human/hg38_chr2_1-2333275.fa.gz"));
    static InMemoryGenome Chr20 => ReferenceGenomes.Load(TestData.Shared("human/GRCh37_chr20.fa.gz"));

    [Fact]
    public void Default_tiles_cover_the_chr2_piece_end_to_end_in_chr2_coordinates()
    {
        var tiles = GenomeTiler.Tile(Chr2Piece, new TileOptions { MaxNFraction = 1 });

        // 2,333,275 / 131,072 = 17 whole tiles; the last 104,051 bases do not make a tile.
        Assert.Equal(17, tiles.Count);
        Assert.All(tiles, t => Assert.Equal("chr2", t.Chrom));
        Assert.Equal(Enumerable.Range(0, 17).Select(k => k * 131_072L), tiles.Select(t => t.Start));
        Assert.All(tiles, t => Assert.Equal(131_072, t.Length));
        // 10,000 N of 131,072 is 7.6%: the first tile survives the default 10% cut too.
        Assert.Equal(17, GenomeTiler.Tile(Chr2Piece).Count);
    }

    [Fact]
    public void Tiles_with_too_many_N_are_dropped_exactly_as_a_direct_count_says()
    {
        var genome = Chr2Piece;
        var options = new TileOptions { Length = 4096, MaxNFraction = 0.25 };
        var bases = new byte[genome.Records[0].Length];
        genome.FetchRecord(0, 0, bases);
        var expected = new List<long>();
        for (long s = 0; s + 4096 <= bases.Length; s += 4096)
        {
            int n = 0;
            for (long k = s; k < s + 4096; k++)
            {
                n += bases[k] == 'N' ? 1 : 0;
            }
            if (n <= 1024)
            {
                expected.Add(s);
            }
        }

        var tiles = GenomeTiler.Tile(genome, options);

        // The piece opens with 10,000 N: tiles at 0 and 4096 are all N, the one at 8192 is 44% N.
        Assert.Equal(12_288, tiles[0].Start);
        Assert.Equal(expected, tiles.Select(t => t.Start));
        Assert.Equal(bases.Length / 4096 - 3, tiles.Count);
    }

    [Fact]
    public void Overlapping_stride_starts_every_stride_and_stays_inside_the_record()
    {
        var tiles = GenomeTiler.Tile(Chr2Piece, new TileOptions { Length = 100_000, Stride = 50_000, MaxNFraction = 1 });

        Assert.Equal(Enumerable.Range(0, 45).Select(k => k * 50_000L), tiles.Select(t => t.Start));
        Assert.True(tiles[^1].End <= 2_333_275);
    }

    [Fact]
    public void Region_records_yield_rows_on_their_chromosome_at_the_region_offset()
    {
        byte[] piece = new byte[30_000];
        Chr2Piece.FetchRecord(0, 50_000, piece, keepSoftMask: true);
        var genome = new InMemoryGenome("region.fa", [("chr2:50001-80000", piece)]);

        var tiles = GenomeTiler.Tile(genome, new TileOptions { Length = 10_000 });

        Assert.Equal([("chr2", 50_000L), ("chr2", 60_000L), ("chr2", 70_000L)], tiles.Select(t => (t.Chrom, t.Start)));
        // The rows resolve back to the same bases through the genome's own coordinate map.
        Assert.Equal(piece[..10_000], genome.Fetch("chr2", 50_000, 10_000, keepSoftMask: true));
    }

    [Fact]
    public void Fraction_split_is_deterministic_close_to_its_fractions_and_independent_of_tiling_order()
    {
        var options = new TileOptions { Length = 1024 };
        var first = GenomeTiler.Tile(Chr20, options);
        var again = GenomeTiler.Tile(Chr20, options);
        var halfStride = GenomeTiler.Tile(Chr20, options with { Stride = 512 });
        var otherSeed = GenomeTiler.Tile(Chr20, options with { Splits = SplitAssignment.ByFraction(seed: 7) });

        Assert.Equal(first.Select(t => t.Split), again.Select(t => t.Split));
        double n = first.Count;
        Assert.True(n > 55_000, $"{n} tiles");
        Assert.InRange(first.Count(t => t.Split == BedSplit.Valid) / n, 0.045, 0.055);
        Assert.InRange(first.Count(t => t.Split == BedSplit.Test) / n, 0.045, 0.055);
        // A tile's split depends on where it is, not on which tiles came before it.
        var byStart = halfStride.ToDictionary(t => t.Start, t => t.Split);
        Assert.All(first, t => Assert.Equal(t.Split, byStart[t.Start]));
        // Same position under the '20' ↔ 'chr20' alias gets the same split.
        var defaults = SplitAssignment.ByFraction();
        Assert.All(first.Take(2000), t => Assert.Equal(t.Split, defaults.Assign("chr20", t.Start)));
        // A different seed reshuffles about as many as a fresh draw would (~19% of tiles change).
        double changed = first.Zip(otherSeed).Count(p => p.First.Split != p.Second.Split) / n;
        Assert.InRange(changed, 0.15, 0.23);
    }

    [Fact]
    public void Chromosome_split_puts_every_tile_of_a_held_out_chromosome_in_its_split()
    {
        // Five chromosomes cut from real chr20 sequence, named as a human assembly names them.
        var source = Chr20;
        var records = Enumerable.Range(1, 5).Select(c =>
        {
            var bytes = new byte[200_000];
            source.FetchRecord(0, 30_000_000L + c * 200_000L, bytes, keepSoftMask: true);
            return ($"chr{c}", bytes);
        }).ToArray();
        var genome = new InMemoryGenome("five.fa", records);
        var options = new TileOptions { Length = 10_000, Splits = SplitAssignment.ByChromosome(["1", "chr3"], ["chr5"]) };

        var tiles = GenomeTiler.Tile(genome, options);

        Assert.Equal(100, tiles.Count);
        var expected = new Dictionary<string, string> { ["chr1"] = "valid", ["chr2"] = "train", ["chr3"] = "valid", ["chr4"] = "train", ["chr5"] = "test" };
        Assert.All(tiles, t => Assert.Equal(expected[t.Chrom], t.Split));
    }

    [Fact]
    public void Held_out_chromosome_missing_from_the_genome_is_refused()
    {
        var options = new TileOptions { Splits = SplitAssignment.ByChromosome(["chr1"], ["chr5"]) };

        var e = Assert.Throws<ArgumentException>(() => GenomeTiler.Tile(Chr2Piece, options));

        Assert.Contains("chr1, chr5 not in", e.Message);
    }

    [Fact]
    public void Bad_options_name_the_field()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GenomeTiler.Tile(Chr2Piece, new TileOptions { MaxNFraction = 1.5 }));
        Assert.Equal("MaxNFraction", e.ParamName);
        Assert.Throws<ArgumentException>(() => SplitAssignment.ByChromosome(["chr1"], ["1"]));
        Assert.Throws<ArgumentOutOfRangeException>(() => SplitAssignment.ByFraction(0.6, 0.5));
    }

    [Fact]
    public void Tiles_written_as_BED_read_back_with_their_splits_and_validate_against_the_genome()
    {
        var genome = Chr2Piece;
        var tiles = GenomeTiler.Tile(genome, new TileOptions { Length = 16_384 });
        using var dir = TestData.NewTempDir();
        string path = dir.File("tiles.bed");

        BedWriter.Write(path, tiles);
        var back = BedReader.Read(path, new BedReadOptions { Genome = genome });

        Assert.Equal(tiles.Select(t => (t.Chrom, t.Start, t.End, t.Split)), back.Intervals.Select(t => (t.Chrom, t.Start, t.End, t.Split)));
    }
}
