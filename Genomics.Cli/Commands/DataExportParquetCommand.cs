using System.CommandLine;
using Genomics.Data;
using Genomics.Data.Bed;
using Genomics.Data.Datasets;
using Genomics.Data.Genome;
using Genomics.Data.Parquet;

namespace Genomics.Cli.Commands;

/// <summary>
/// `data export-parquet`: tokenized samples → shard-00000.parquet, … so a run can train without the genomes.
/// Two sources: a genome with BED intervals (pretraining rows of L+1 tokens: inputs = first L, targets = last
/// L) or species genomes (rows of L tokens plus a species label). With no source at all, the embedded hg38
/// piece and its tiles BED. Everything that can be wrong with the input is found before anything is
/// written, and the output directory appears only when the export is complete.
/// </summary>
public static class DataExportParquetCommand
{
    public static Command Build()
    {
        var genome = new Option<string?>("--genome") { Description = "genome the --intervals lie on: .fa, .fa.gz (gzip or BGZF) or .2bit (default with no source given: the embedded data/human/*.2bit)" };
        var intervals = new Option<string?>("--intervals") { Description = "BED of intervals, chrom start end [split], plain or .gz; needs --genome (default with no source given: the embedded data/human/*.bed)" };
        var species = new Option<string?>("--species") { Description = "instead of --genome/--intervals: a directory with one genome file per species, or a TSV manifest species<TAB>path (default: none)" };
        var split = new Option<string>("--split") { Description = "split to export: a BED 4th-column value (rows without one are train) for --intervals, train, valid or test for --species", DefaultValueFactory = _ => "train" };
        var skipMissing = new Option<bool>("--skip-missing") { Description = "--intervals: drop BED rows on chromosomes or regions the genome does not hold instead of failing (default: off)" };
        var concatenate = new Option<bool>("--concatenate") { Description = "--species: read each species' records as one sequence and hold out regions of it, for genomes cut into blocks such as the ape chr22 alignment (default: off; held-out chromosomes)" };
        var length = new Option<int>("--len") { Description = "sample length L in tokens; interval rows store L+1 tokens, species rows L", DefaultValueFactory = _ => 1024 };
        var count = new Option<long?>("--count") { Description = "samples to write (default: the whole epoch for --intervals; the split's size for --species: 65,536 train, 1,024 valid or test)" };
        var epoch = new Option<int>("--epoch") { Description = "epoch whose visiting order and strands (intervals) or draws (species train) are written", DefaultValueFactory = _ => 0 };
        var seed = new Option<ulong>("--seed") { Description = "dataset seed: order, strands and species draws", DefaultValueFactory = _ => 0UL };
        var output = new Option<string?>("--out", "-o") { Description = "output directory, new or empty; it appears only once complete (default: <source>-<split>-L<len> in the current directory)" };
        var shardSize = new Option<int>("--shard-size") { Description = "samples per shard file", DefaultValueFactory = _ => 1024 };
        var cmd = new Command("export-parquet", "Write tokenized samples (interval or species datasets) into Parquet shards")
        {
            genome, intervals, species, split, skipMissing, concatenate, length, count, epoch, seed, output, shardSize,
        };
        cmd.SetAction(async (parse, cancellationToken) =>
        {
            var log = parse.InvocationConfiguration.Error;
            var request = new Request(
                parse.GetValue(split)!, parse.GetValue(length), parse.GetValue(count), parse.GetValue(epoch), parse.GetValue(seed),
                parse.GetValue(output), parse.GetValue(shardSize), log, cancellationToken);
            request.Validate();
            string? genomePath = parse.GetValue(genome), bedPath = parse.GetValue(intervals), speciesPath = parse.GetValue(species);
            if (speciesPath is not null)
            {
                if (genomePath is not null || bedPath is not null)
                {
                    throw new ArgumentException("give --species, or --genome with --intervals, not both");
                }
                if (parse.GetValue(skipMissing))
                {
                    throw new ArgumentException("--skip-missing applies to --intervals, not --species");
                }
                return await ExportSpecies(speciesPath, parse.GetValue(concatenate), request);
            }
            if (parse.GetValue(concatenate))
            {
                throw new ArgumentException("--concatenate applies to --species only");
            }
            if ((genomePath is null) != (bedPath is null))
            {
                throw new ArgumentException(genomePath is null ? "--intervals needs --genome (the genome the BED lies on)" : "--genome needs --intervals BED (or give --species instead)");
            }
            if (genomePath is null)
            {
                (genomePath, bedPath) = (DefaultData.HumanGenome, DefaultData.HumanIntervals);
                DefaultData.RequireHuman();
                log.WriteLine($"no --intervals or --species given: exporting the embedded {genomePath} with {bedPath}");
            }
            return await ExportIntervals(genomePath, bedPath!, parse.GetValue(skipMissing), request);
        });
        return cmd;
    }

    static async Task<int> ExportIntervals(string genomePath, string bedPath, bool skipMissing, Request request)
    {
        string outDir = request.Output ?? $"{Stem(genomePath)}-{request.Split}-L{request.Length}";
        CheckOutput(outDir);
        using var genome = GenomeFile.Open(genomePath);
        var rows = BedReader.Read(bedPath, new BedReadOptions { Genome = genome, SkipMissing = skipMissing });
        if (rows.Skipped > 0)
        {
            var byChrom = rows.SkippedByChromosome.OrderByDescending(p => p.Value).Take(5).Select(p => $"{p.Key} {p.Value:N0}");
            request.Log.WriteLine($"{bedPath}: skipped {rows.Skipped:N0} rows {genomePath} does not hold ({string.Join(", ", byChrom)}{(rows.SkippedByChromosome.Count > 5 ? ", …" : "")})");
        }
        var all = GenomeInterval.FromBed(rows.Intervals);
        if (all.Count == 0)
        {
            throw new DataFormatException(bedPath, rows.Skipped > 0 ? $"none of its {rows.Skipped:N0} rows lie in {genomePath}" : "holds no intervals");
        }
        if (!all.Any(i => i.Split == request.Split))
        {
            var splits = all.GroupBy(i => i.Split).Select(g => $"{g.Key} {g.Count():N0}");
            throw new DataFormatException(bedPath, $"no rows of split '{request.Split}' among {all.Count:N0} rows ({string.Join(", ", splits)})", "pick one with --split");
        }
        IntervalDataset dataset;
        try
        {
            dataset = new IntervalDataset(genome, all, new IntervalDatasetOptions { Length = request.Length, Split = request.Split, Seed = unchecked((long)request.Seed) });
        }
        catch (ArgumentException e) when (e.ParamName == "intervals")
        {
            // "interval 3 (chr2:…): …" indexes the BED's data rows; name the file too.
            throw new DataFormatException(bedPath, e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal), inner: e);
        }
        long total = request.Count ?? dataset.Count;
        if (total > dataset.Count)
        {
            throw new ArgumentException($"--count {total:N0} is more than the {dataset.Count:N0} samples of split '{request.Split}' at --len {request.Length} in {bedPath}");
        }
        request.Log.WriteLine($"{bedPath}: {dataset.IntervalCount:N0} {request.Split} intervals → {dataset.Count:N0} samples of length {request.Length}; writing {total:N0} of epoch {request.Epoch}");
        var shards = await IntoNewDirectory(outDir, request, temp =>
            ParquetIntervalExport.ExportAsync(dataset, request.Epoch, (int)total, temp, request.ShardSize, request.Progress(total), request.CancellationToken));
        request.Log.WriteLine($"wrote {outDir}: {total:N0} samples in {Shards(shards)}, {request.Length + 1} tokens per row (inputs = first {request.Length}, targets = last {request.Length})");
        return 0;
    }

    static async Task<int> ExportSpecies(string source, bool concatenate, Request request)
    {
        if (!Enum.TryParse(request.Split, ignoreCase: true, out SpeciesSplit split) || !Enum.IsDefined(split) || int.TryParse(request.Split, out _))
        {
            throw new ArgumentException($"--split '{request.Split}': species splits are train, valid and test");
        }
        var options = new SpeciesDatasetOptions
        {
            SequenceLength = request.Length,
            Seed = request.Seed,
            ConcatenateRecords = concatenate,
            SplitMode = concatenate ? SpeciesSplitMode.HeldOutRegions : SpeciesSplitMode.HeldOutChromosomes,
        };
        string outDir = request.Output ?? $"{Stem(source)}-{request.Split}-L{request.Length}";
        CheckOutput(outDir);
        using var dataset = OpenSpecies(source, options);
        long available = dataset.Count(split);
        long total = request.Count ?? available;
        if (split != SpeciesSplit.Train && total > available)
        {
            throw new ArgumentException($"--count {total:N0} is more than the fixed {request.Split} set of {available:N0} samples");
        }
        if (total == 0)
        {
            throw new DataFormatException(source, $"the {request.Split} split is empty", concatenate ? null : "held-out chromosomes 1, 3, 12, 13 (valid) and 5, 7, 9, 10, 11 (test) are absent; try --concatenate");
        }
        request.Log.WriteLine($"{source}: {dataset.SpeciesCount} species ({string.Join(", ", dataset.SpeciesNames)}); writing {total:N0} {request.Split} samples of length {request.Length}, epoch {request.Epoch}");
        var shards = await IntoNewDirectory(outDir, request, temp =>
            ParquetSpeciesExport.ExportAsync(dataset, split, request.Epoch, total, request.Length, temp, request.ShardSize, request.Progress(total), request.CancellationToken));
        request.Log.WriteLine($"wrote {outDir}: {total:N0} samples in {Shards(shards)}, {request.Length} tokens and a species label per row");
        return 0;
    }

    // The dataset's own reader: duplicate record names (the orangutan EPO blocks) are fine where records are
    // read by position (held-out regions) and refused where chromosomes are matched by name.
    static SpeciesDataset OpenSpecies(string source, SpeciesDatasetOptions options)
    {
        try
        {
            return File.Exists(source) ? SpeciesDataset.OpenManifest(source, options)
                : Directory.Exists(source) ? SpeciesDataset.OpenDirectory(source, options)
                : throw new FileNotFoundException($"{source}: no such species directory or manifest");
        }
        catch (ArgumentException e) when (e is not ArgumentOutOfRangeException)
        {
            // Option checks against the genomes (a length longer than the held-out regions, say): one line that names a file.
            string message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
            throw message.Contains(source, StringComparison.Ordinal) ? new ArgumentException(message, e) : new DataFormatException(source, message, inner: e);
        }
    }

    /// <summary>
    /// Exports into a hidden directory beside <paramref name="outDir"/> and renames it into place when done, so a
    /// failed or interrupted export leaves nothing behind. Returns the number of shards.
    /// </summary>
    static async Task<int> IntoNewDirectory(string outDir, Request request, Func<string, Task<IReadOnlyList<string>>> export)
    {
        string full = CheckOutput(outDir);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var shards = await export(temp);
            request.CancellationToken.ThrowIfCancellationRequested();
            CheckOutput(outDir);
            if (Directory.Exists(full))
            {
                Directory.Delete(full);
            }
            Directory.Move(temp, full);
            return shards.Count;
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }

    /// <summary>Checked before the work and again before the rename: the output must be a new or empty directory in an existing folder.</summary>
    static string CheckOutput(string outDir)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outDir));
        if (File.Exists(full))
        {
            throw new IOException($"{outDir}: is a file; --out names a directory");
        }
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
        {
            throw new IOException($"{outDir}: already exists and is not empty; give a new --out directory");
        }
        string parent = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(parent))
        {
            throw new DirectoryNotFoundException($"{outDir}: the folder {parent} does not exist");
        }
        return full;
    }

    static string Shards(int n) => n == 1 ? "1 shard" : $"{n} shards";

    /// <summary>The file or folder name without genome suffixes: the default output name's first part.</summary>
    static string Stem(string path)
    {
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)));
        return SpeciesSources.SpeciesName(name) ?? Path.GetFileNameWithoutExtension(name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? name[..^3] : name);
    }

    /// <summary>What both sources share: the options about samples and output, checked once.</summary>
    sealed record Request(string Split, int Length, long? Count, int Epoch, ulong Seed, string? Output, int ShardSize, TextWriter Log, CancellationToken CancellationToken)
    {
        public void Validate()
        {
            if (Length < 1)
            {
                throw new ArgumentException($"--len must be at least 1 (got {Length})");
            }
            if (Count is < 1)
            {
                throw new ArgumentException($"--count must be at least 1 (got {Count})");
            }
            if (Epoch < 0)
            {
                throw new ArgumentException($"--epoch must not be negative (got {Epoch})");
            }
            if (ShardSize < 1)
            {
                throw new ArgumentException($"--shard-size must be at least 1 (got {ShardSize})");
            }
            if (string.IsNullOrWhiteSpace(Split))
            {
                throw new ArgumentException("--split must name a split");
            }
        }

        /// <summary>One plain line per shard: progress that reads the same on a terminal and in a log file.</summary>
        public IProgress<long> Progress(long total) => new LineProgress(Log, total);
    }

    sealed class LineProgress(TextWriter log, long total) : IProgress<long>
    {
        public void Report(long value) => log.WriteLine($"  {value:N0} / {total:N0} samples");
    }
}
