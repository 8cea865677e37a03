using System.CommandLine;
using Genomics.Data;
using Genomics.Data.Bed;
using Genomics.Data.Genome;
using Genomics.Data.Tokenization;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Inference;

namespace Genomics.Cli.Commands;

/// <summary>
/// `genomamba embed`: per-window embeddings of a genome (or of the intervals of a BED on it) into one Parquet file —
/// chrom, start, end, name, and the pooled final hidden state as a list of d_model floats per row.
/// </summary>
public static class EmbedCommand
{
    const string Name = "embed";

    public static Command Build()
    {
        var checkpoint = ModelArguments.CheckpointOption();
        var genome = new Option<string?>("--genome") { Description = "genome to embed: .fa, .fa.gz (gzip or BGZF) or .2bit (default: the embedded data/human genome)" };
        var intervals = new Option<string?>("--intervals") { Description = "BED of intervals on --genome: windows are cut inside each interval (default: every record of the genome, whole)" };
        var skipMissing = new Option<bool>("--skip-missing") { Description = "--intervals: drop BED rows on chromosomes or regions the genome does not hold instead of failing (default: off)" };
        var split = new Option<string?>("--split") { Description = "--intervals: only rows whose 4th column is this (default: every row)" };
        var length = new Option<int>("--len") { Description = "window length in bases (tokens)", DefaultValueFactory = _ => 1024 };
        var stride = new Option<int?>("--stride") { Description = "bases from one window's start to the next (default: --len, i.e. adjacent windows)" };
        var pooling = new Option<EmbeddingPooling>("--pool") { Description = "mean: average of the window's hidden states; last: the last position's (what a causal classifier reads)", DefaultValueFactory = _ => EmbeddingPooling.Mean };
        var batch = new Option<int>("--batch") { Description = "windows per forward pass", DefaultValueFactory = _ => 8 };
        var maxWindows = new Option<int?>("--max-windows") { Description = "stop after this many windows (default: all)" };
        var output = new Option<string?>("--out", "-o") { Description = "Parquet file to write, whole or not at all (default: <genome name>.embeddings.parquet in the current directory)" };
        var cmd = new Command(Name, "Per-window embeddings (pooled final hidden states) of a genome or BED intervals, to Parquet")
        {
            checkpoint, genome, intervals, skipMissing, split, length, stride, pooling, batch, maxWindows, output,
        };
        cmd.SetAction((parse, cancellationToken) => Task.FromResult(Run(parse, cancellationToken)));
        return cmd;

        int Run(ParseResult parse, CancellationToken cancellationToken)
        {
            var log = parse.InvocationConfiguration.Error;
            ModelArguments.CheckPath(parse.GetValue(checkpoint), Name);
            int len = parse.GetValue(length), step = parse.GetValue(stride) ?? len, perBatch = parse.GetValue(batch);
            if (len < 1 || step < 1 || perBatch < 1 || parse.GetValue(maxWindows) is < 1)
            {
                throw new ArgumentException("--len, --stride, --batch and --max-windows must be at least 1");
            }
            string? genomePath = parse.GetValue(genome), bedPath = parse.GetValue(intervals);
            if (bedPath is not null && genomePath is null)
            {
                throw new ArgumentException("--intervals needs --genome (the genome the BED lies on)");
            }
            if (genomePath is null)
            {
                genomePath = DefaultData.HumanGenome;
                log.WriteLine($"no --genome given: embedding the embedded {genomePath}");
            }
            if (!File.Exists(genomePath))
            {
                throw new FileNotFoundException($"{genomePath}: no such genome file (--genome)");
            }
            if (bedPath is not null && !File.Exists(bedPath))
            {
                throw new FileNotFoundException($"{bedPath}: no such BED file (--intervals)");
            }
            string outPath = parse.GetValue(output) ?? $"{Stem(genomePath)}.embeddings.parquet";
            ModelArguments.CheckOutputFile(outPath, "--out");

            using var source = GenomeFile.Open(genomePath);
            var regions = Regions(source, bedPath, parse.GetValue(split), parse.GetValue(skipMissing));
            var windows = Windows(regions, len, step).Take(parse.GetValue(maxWindows) ?? int.MaxValue).ToList();
            if (windows.Count == 0)
            {
                throw new ArgumentException($"{bedPath ?? genomePath}: no {(bedPath is null ? "record" : "interval")} holds {len:N0} bases, the window --len; use a shorter --len");
            }
            var (model, spec) = ModelArguments.Load(parse.GetValue(checkpoint), Name);
            using (model)
            {
                if (spec.Hyena is { } hyena && len > hyena.MaxLength - 2)
                {
                    throw new ArgumentException($"--len {len}: longer than this HyenaDNA model's context {hyena.MaxLength - 2:N0}");
                }
                log.WriteLine($"{parse.GetValue(checkpoint)}: {spec}");
                log.WriteLine($"{windows.Count:N0} windows of {len:N0} bases (stride {step:N0}), {parse.GetValue(pooling).ToString().ToLowerInvariant()} pooling");
                var embedder = new Embedder(model, parse.GetValue(pooling));
                var rows = new List<EmbeddingRow>(windows.Count);
                var bases = new byte[len];
                for (int start = 0; start < windows.Count; start += perBatch)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var part = windows.Skip(start).Take(perBatch).ToArray();
                    var tokens = part.Select(w =>
                    {
                        source.FetchRecord(w.Record, w.Offset, bases);
                        var ids = new int[len];
                        DnaTokenizer.Default.Encode(bases, ids);
                        return ids;
                    }).ToArray();
                    var vectors = embedder.Embed(tokens);
                    for (int i = 0; i < part.Length; i++)
                    {
                        rows.Add(new EmbeddingRow { Chrom = part[i].Chrom, Start = part[i].Start, End = part[i].Start + len, Name = part[i].Name, Embedding = vectors[i] });
                    }
                    if ((start / perBatch) % 100 == 99)
                    {
                        log.WriteLine($"  {rows.Count:N0} / {windows.Count:N0} windows");
                    }
                }
                EmbeddingFile.Write(outPath, rows, new Dictionary<string, string>
                {
                    ["genomamba.model"] = spec.ToString(),
                    ["genomamba.checkpoint"] = Path.GetFileName(parse.GetValue(checkpoint)!),
                    ["genomamba.pooling"] = parse.GetValue(pooling).ToString().ToLowerInvariant(),
                    ["genomamba.window"] = len.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["genomamba.source"] = bedPath ?? genomePath,
                });
                log.WriteLine($"wrote {outPath}: {rows.Count:N0} rows, embedding dimension {embedder.Dimension}");
                return 0;
            }
        }
    }

    /// <summary>A stretch of one record to cut windows from: [Offset, Offset + Length) in record coordinates, Start in chromosome ones.</summary>
    readonly record struct Region(int Record, string Chrom, long Offset, long Start, long Length, string? Name);

    readonly record struct Window(int Record, string Chrom, long Offset, long Start, string? Name);

    static List<Region> Regions(IGenome genome, string? bedPath, string? split, bool skipMissing)
    {
        if (bedPath is null)
        {
            return [.. genome.Records.Select((r, i) => new Region(i, r.Chrom, 0, r.ChromStart, r.Length, null))];
        }
        var rows = BedReader.Read(bedPath, new BedReadOptions { Genome = genome, SkipMissing = skipMissing }).Intervals;
        var regions = new List<Region>();
        foreach (var row in rows)
        {
            if (split is not null && row.Name != split)
            {
                continue;
            }
            var loc = genome.Chromosomes.Locate(row.Chrom, row.Start, row.End);
            if (loc.Status != LocateStatus.Found)
            {
                throw new DataFormatException(bedPath, row.Line, GenomeExtensions.Describe(genome, row.Chrom, row.Start, row.End, loc));
            }
            regions.Add(new Region(loc.Record, row.Chrom, loc.Offset, row.Start, row.Length, row.Name));
        }
        if (regions.Count == 0)
        {
            throw new DataFormatException(bedPath, split is null ? "holds no intervals" : $"no rows of split '{split}'", split is null ? null : "pick another --split");
        }
        return regions;
    }

    static IEnumerable<Window> Windows(List<Region> regions, int length, int stride)
    {
        foreach (var r in regions)
        {
            for (long at = 0; at + length <= r.Length; at += stride)
            {
                yield return new Window(r.Record, r.Chrom, r.Offset + at, r.Start + at, r.Name);
            }
        }
    }

    static string Stem(string path)
    {
        string name = Path.GetFileName(path);
        return Path.GetFileNameWithoutExtension(name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? name[..^3] : name);
    }
}
