using System.CommandLine;
using Genomics.Data.Bed;
using Genomics.Data.Genome;

namespace Genomics.Cli.Commands;

/// <summary>
/// `data tile GENOME -o OUT.bed`: an Enformer-style BED for any genome (chrom, start, end, split), so any
/// genome can feed the interval dataset the way the Enformer BED feeds hg38.
/// </summary>
public static class DataTileCommand
{
    public static Command Build()
    {
        var genome = DataCommands.GenomeArgument();
        var output = new Option<string>("--out", "-o") { Description = "output BED (temp file then rename)", Required = true };
        var length = new Option<int>("--len") { Description = "tile length in bp (Enformer: 131072 = 2^17)", DefaultValueFactory = _ => 131_072 };
        var stride = new Option<int?>("--stride") { Description = "distance between tile starts (default: the tile length, no overlap)" };
        var maxN = new Option<double>("--max-n") { Description = "skip tiles with more than this fraction of N", DefaultValueFactory = _ => 0.1 };
        var valid = new Option<double>("--valid-fraction") { Description = "fraction of tiles assigned to 'valid' (stable hash of seed, chrom, start)", DefaultValueFactory = _ => 0.05 };
        var test = new Option<double>("--test-fraction") { Description = "fraction of tiles assigned to 'test'", DefaultValueFactory = _ => 0.05 };
        var seed = new Option<ulong>("--seed") { Description = "seed of the fraction assignment", DefaultValueFactory = _ => 0UL };
        var validChroms = new Option<string[]>("--valid-chroms") { Description = "assign by chromosome instead: these chromosomes are 'valid' (comma or space separated)", AllowMultipleArgumentsPerToken = true };
        var testChroms = new Option<string[]>("--test-chroms") { Description = "with --valid-chroms: these chromosomes are 'test'; all others 'train'", AllowMultipleArgumentsPerToken = true };
        var cmd = new Command("tile", "Write an Enformer-style BED of fixed-length tiles with a deterministic train/valid/test split")
        {
            genome, output, length, stride, maxN, valid, test, seed, validChroms, testChroms,
        };
        cmd.SetAction(parse =>
        {
            using var g = GenomeFile.Open(parse.GetRequiredValue(genome));
            string[] vc = Split(parse.GetValue(validChroms)), tc = Split(parse.GetValue(testChroms));
            var splits = vc.Length + tc.Length > 0
                ? SplitAssignment.ByChromosome(vc, tc)
                : SplitAssignment.ByFraction(parse.GetValue(valid), parse.GetValue(test), parse.GetValue(seed));
            var options = new TileOptions
            {
                Length = parse.GetValue(length),
                Stride = parse.GetValue(stride),
                MaxNFraction = parse.GetValue(maxN),
                Splits = splits,
            };
            var tiles = GenomeTiler.Tile(g, options);
            string path = parse.GetRequiredValue(output);
            BedWriter.Write(path, tiles);
            var counts = tiles.GroupBy(t => t.Split).OrderBy(x => x.Key).Select(x => $"{x.Key} {x.Count()}");
            parse.InvocationConfiguration.Error.WriteLine($"wrote {path}: {tiles.Count} tiles ({string.Join(", ", counts)})");
            return 0;
        });
        return cmd;
    }

    static string[] Split(string[]? values) =>
        (values ?? []).SelectMany(v => v.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
}
