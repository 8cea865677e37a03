using Genomics.Data.Genome;

namespace Genomics.Data.Datasets;

/// <summary>
/// Divides every species' genome into train/valid/test regions, once, at construction.
/// Held-out chromosomes: each record is one region of the split its name belongs to.
/// Held-out regions: each record is cut into [train | valid | test] by fraction. The held-out parts sit at
/// fixed places (the end), not at seeded ones, so every seed and every run is scored on the same loci —
/// as HyenaDNA's fixed chromosome lists are — and each split is one contiguous piece, which leaves the
/// most room for 2^20 windows in a 15 Mb concatenation.
/// </summary>
internal static class SpeciesSplitPlanner
{
    /// <summary>Regions indexed [split][label].</summary>
    public static SpeciesRegion[][][] Plan(IReadOnlyList<IGenome> genomes, SpeciesDatasetOptions options) =>
        options.SplitMode == SpeciesSplitMode.HeldOutChromosomes ? ByChromosome(genomes, options) : ByRegion(genomes, options);

    /// <summary>True when the options hold out nothing for this split (an empty name list or a zero fraction).</summary>
    public static bool IsEmptyByDesign(SpeciesSplit split, SpeciesDatasetOptions options) => split switch
    {
        SpeciesSplit.Valid => options.SplitMode == SpeciesSplitMode.HeldOutChromosomes ? options.ValidChromosomes.Count == 0 : options.ValidFraction == 0,
        SpeciesSplit.Test => options.SplitMode == SpeciesSplitMode.HeldOutChromosomes ? options.TestChromosomes.Count == 0 : options.TestFraction == 0,
        _ => false,
    };

    static SpeciesRegion[][][] ByChromosome(IReadOnlyList<IGenome> genomes, SpeciesDatasetOptions options)
    {
        var valid = Keys(options.ValidChromosomes);
        var test = Keys(options.TestChromosomes);
        var train = options.TrainChromosomes is null ? null : Keys(options.TrainChromosomes);
        var result = NewResult(genomes.Count);
        for (int label = 0; label < genomes.Count; label++)
        {
            var lists = new[] { new List<SpeciesRegion>(), new List<SpeciesRegion>(), new List<SpeciesRegion>() };
            var records = genomes[label].Records;
            for (int r = 0; r < records.Count; r++)
            {
                string key = ChromosomeMap.AliasKey(records[r].Chrom);
                SpeciesSplit? split = valid.Contains(key) ? SpeciesSplit.Valid
                    : test.Contains(key) ? SpeciesSplit.Test
                    : train is null || train.Contains(key) ? SpeciesSplit.Train
                    : null;
                if (split is { } s && records[r].Length > 0)
                {
                    lists[(int)s].Add(new SpeciesRegion(r, 0, records[r].Length));
                }
            }
            for (int s = 0; s < 3; s++)
            {
                result[s][label] = [.. lists[s]];
            }
        }
        return result;
    }

    static SpeciesRegion[][][] ByRegion(IReadOnlyList<IGenome> genomes, SpeciesDatasetOptions options)
    {
        double trainEnd = 1 - options.ValidFraction - options.TestFraction;
        double validEnd = 1 - options.TestFraction;
        var result = NewResult(genomes.Count);
        var concatenations = genomes.OfType<ConcatenatedGenome>().ToList();
        bool align = options.AlignRegionsToRecords && concatenations.Count == genomes.Count;
        // A shared junction index needs a one-to-one record correspondence, which equal counts stand for.
        bool shared = align && concatenations.Select(c => c.Inner.Records.Count).Distinct().Count() == 1;
        int sharedTrainEnd = shared ? SharedJunction(concatenations, trainEnd) : -1;
        int sharedValidEnd = shared ? SharedJunction(concatenations, validEnd) : -1;

        for (int label = 0; label < genomes.Count; label++)
        {
            var lists = new[] { new List<SpeciesRegion>(), new List<SpeciesRegion>(), new List<SpeciesRegion>() };
            var records = genomes[label].Records;
            for (int r = 0; r < records.Count; r++)
            {
                long length = records[r].Length;
                long c1, c2;
                if (align)
                {
                    var starts = ((ConcatenatedGenome)genomes[label]).RecordStarts;
                    c1 = starts[shared ? sharedTrainEnd : NearestJunction(starts, trainEnd * length)];
                    c2 = starts[shared ? sharedValidEnd : NearestJunction(starts, validEnd * length)];
                }
                else
                {
                    c1 = (long)Math.Floor(trainEnd * length);
                    c2 = (long)Math.Floor(validEnd * length);
                }
                Add(lists[(int)SpeciesSplit.Train], r, 0, c1);
                Add(lists[(int)SpeciesSplit.Valid], r, c1, c2);
                Add(lists[(int)SpeciesSplit.Test], r, c2, length);
            }
            for (int s = 0; s < 3; s++)
            {
                result[s][label] = [.. lists[s]];
            }
        }
        return result;
    }

    // The junction index whose position, as a fraction of each species' length and averaged over species, is nearest the target.
    static int SharedJunction(IReadOnlyList<ConcatenatedGenome> genomes, double fraction)
    {
        int count = genomes[0].RecordStarts.Count;
        int best = 0;
        double bestDistance = double.MaxValue;
        for (int k = 0; k < count; k++)
        {
            double mean = 0;
            foreach (var g in genomes)
            {
                mean += g.Length == 0 ? 0 : (double)g.RecordStarts[k] / g.Length;
            }
            double distance = Math.Abs(mean / genomes.Count - fraction);
            if (distance < bestDistance)
            {
                best = k;
                bestDistance = distance;
            }
        }
        return best;
    }

    static int NearestJunction(IReadOnlyList<long> starts, double target)
    {
        int best = 0;
        for (int k = 1; k < starts.Count; k++)
        {
            if (Math.Abs(starts[k] - target) < Math.Abs(starts[best] - target))
            {
                best = k;
            }
        }
        return best;
    }

    static void Add(List<SpeciesRegion> list, int record, long start, long end)
    {
        if (end > start)
        {
            list.Add(new SpeciesRegion(record, start, end));
        }
    }

    static HashSet<string> Keys(IEnumerable<string> names) =>
        new(names.Select(ChromosomeMap.AliasKey), StringComparer.OrdinalIgnoreCase);

    static SpeciesRegion[][][] NewResult(int species) =>
        [new SpeciesRegion[species][], new SpeciesRegion[species][], new SpeciesRegion[species][]];
}
