using System.CommandLine;
using Genomics.Data;
using Genomics.Data.Fasta;
using Genomics.Data.Genome;

namespace Genomics.Cli.Commands;

/// <summary>
/// `data fetch GENOME REGION...`: like `samtools faidx GENOME REGION...` — FASTA out, one record per region
/// named as given, 1-based inclusive coordinates, 60 bases per line, soft-mask kept (other IUPAC codes → N).
/// </summary>
public static class DataFetchCommand
{
    public static Command Build()
    {
        var genome = DataCommands.GenomeArgument();
        var regions = new Argument<string[]>("REGION")
        {
            Description = "chr, chr:start or chr:start-end (1-based inclusive; aliases chr20 ↔ 20 work)",
            Arity = ArgumentArity.OneOrMore,
        };
        var width = new Option<int>("--line-width", "-n") { Description = "bases per output line", DefaultValueFactory = _ => FastaWriter.DefaultLineWidth };
        var upper = new Option<bool>("--upper") { Description = "upper-case soft-masked bases (default: keep the mask, as samtools does)" };
        var output = new Option<string?>("--out", "-o") { Description = "write FASTA here (temp file then rename) instead of stdout" };
        var cmd = new Command("fetch", "Print regions of a genome as FASTA (samtools faidx style)") { genome, regions, width, upper, output };
        cmd.SetAction(parse =>
        {
            string path = parse.GetRequiredValue(genome);
            int lineWidth = parse.GetValue(width);
            if (lineWidth < 1)
            {
                throw new ArgumentException($"--line-width must be at least 1 (got {lineWidth})");
            }
            using var g = GenomeFile.Open(path);
            var parsed = parse.GetRequiredValue(regions).Select(r => (Text: r, Region: Parse(g, r))).ToList();
            string? outPath = parse.GetValue(output);
            string? tmp = outPath is null ? null : outPath + ".tmp-" + Environment.ProcessId;
            try
            {
                using (var stream = tmp is null ? Console.OpenStandardOutput() : File.Create(tmp))
                using (var writer = new FastaWriter(stream, lineWidth, leaveOpen: tmp is null))
                {
                    foreach (var (text, region) in parsed)
                    {
                        WriteRegion(g, text, region, writer, keepMask: !parse.GetValue(upper));
                    }
                }
                if (tmp is not null)
                {
                    File.Move(tmp, outPath!, overwrite: true);
                }
            }
            finally
            {
                if (tmp is not null && File.Exists(tmp))
                {
                    File.Delete(tmp);
                }
            }
            return 0;
        });
        return cmd;
    }

    static GenomicRegion Parse(IGenome genome, string text)
    {
        // As samtools does, a region that is some record's whole name ("chr13:75549820-75605809") is that record.
        if (genome.Records.FirstOrDefault(r => r.Name == text) is { } record)
        {
            return new GenomicRegion(text, 0, record.Length);
        }
        try
        {
            return GenomicRegion.Parse(text);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"{genome.Path}: {e.Message} (write chr:start-end, 1-based inclusive)", e);
        }
    }

    static void WriteRegion(IGenome genome, string text, GenomicRegion region, FastaWriter writer, bool keepMask)
    {
        // A record's own name (even a region-style one, "chr2:1-2333275:5000") counts in that record's coordinates.
        long end = region.End ?? genome.Records.FirstOrDefault(r => r.Name == region.Chrom)?.Length
            ?? genome.Chromosomes.WholeLength(region.Chrom)
            ?? RegionEnd(genome, region.Chrom)
            ?? throw new ArgumentException(genome.Path + $": no sequence named '{region.Chrom}'");
        var loc = genome.Chromosomes.Locate(region.Chrom, region.Start, end);
        if (loc.Status != LocateStatus.Found)
        {
            throw new ArgumentException(GenomeExtensions.Describe(genome, region.Chrom, region.Start, end, loc));
        }
        // Fetch the whole region before writing its header: a bad byte in a plain FASTA surfaces during the
        // fetch, and stdout cannot be renamed into place, so nothing of the region may be printed first.
        long length = end - region.Start;
        if (length > Array.MaxLength)
        {
            throw new ArgumentException($"{genome.Path}: region {text} is {length:N0} bp; fetch at most {Array.MaxLength:N0} bp at a time");
        }
        var bases = new byte[length];
        genome.FetchRecord(loc.Record, loc.Offset, bases, keepMask);
        writer.WriteRecord(text, bases);
    }

    // "chr2" on a genome holding only chr2:1-2333275: the end of the region it holds, so `fetch G chr2:5000` works.
    static long? RegionEnd(IGenome genome, string chrom) =>
        genome.Records.Where(r => ChromosomeMap.AliasKey(r.Chrom) == ChromosomeMap.AliasKey(chrom))
            .Select(r => (long?)(r.ChromStart + r.Length)).Max();
}
