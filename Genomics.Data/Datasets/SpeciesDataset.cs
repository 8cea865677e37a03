using System.Buffers;
using System.Collections.Concurrent;
using Genomics.Data.Genome;
using Genomics.Data.Tokenization;

namespace Genomics.Data.Datasets;

/// <summary>
/// Species classification samples (Mamba paper E.3.4; HyenaDNA's species_dataset.py): species uniform,
/// chromosome uniform among that species' chromosomes in the split, start uniform among windows that lie
/// wholly inside one region of the split. A sample is L tokens (no special tokens) and its species label.
/// Labels are species names in ordinal order, so they do not depend on file or manifest order.
/// Reads are thread-safe and allocate nothing per sample once a length has been seen.
/// </summary>
public sealed class SpeciesDataset : IDisposable
{
    // Keeps these draws apart from other users of the same seed ("SPECIES").
    const ulong DrawStream = 0x53504543494553UL;

    readonly IGenome[] _genomes;
    readonly string[] _names;
    readonly SpeciesRegion[][][] _regions;
    readonly ConcurrentDictionary<(SpeciesSplit Split, int Length), SpeciesRegion[][]> _windows = new();

    /// <summary>Takes ownership of the genomes (disposes them). Species names must be distinct.</summary>
    public SpeciesDataset(IEnumerable<(string Species, IGenome Genome)> genomes, SpeciesDatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(genomes);
        ArgumentNullException.ThrowIfNull(options);
        var list = genomes.ToList();
        try
        {
            options.Validate();
            var sorted = list.OrderBy(g => g.Species, StringComparer.Ordinal).ToList();
            for (int i = 1; i < sorted.Count; i++)
            {
                if (sorted[i].Species == sorted[i - 1].Species)
                {
                    throw new ArgumentException($"species '{sorted[i].Species}' is given twice ({sorted[i - 1].Genome.Path}, {sorted[i].Genome.Path})", nameof(genomes));
                }
            }
            if (sorted.Count == 0)
            {
                throw new ArgumentException("no species given", nameof(genomes));
            }
            Options = options;
            Tokenizer = new DnaTokenizer(options.Lowercase);
            _names = sorted.Select(g => g.Species).ToArray();
            _genomes = sorted.Select(g => options.ConcatenateRecords ? new ConcatenatedGenome(g.Genome, options.ConcatenatedName) : g.Genome).ToArray();
            _regions = SpeciesSplitPlanner.Plan(_genomes, options);
            foreach (var split in Enum.GetValues<SpeciesSplit>())
            {
                if (!SpeciesSplitPlanner.IsEmptyByDesign(split, options))
                {
                    Windows(split, options.SequenceLength, nameof(options.SequenceLength));
                }
            }
        }
        catch
        {
            foreach (var (_, genome) in list)
            {
                genome.Dispose();
            }
            throw;
        }
    }

    /// <summary>Opens each species' genome with <paramref name="opener"/> (e.g. a FASTA/.2bit factory).</summary>
    public static SpeciesDataset Open(IReadOnlyList<SpeciesSource> sources, Func<string, IGenome> opener, SpeciesDatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(opener);
        var opened = new List<(string, IGenome)>();
        try
        {
            foreach (var source in sources)
            {
                opened.Add((source.Species, opener(source.Path)));
            }
        }
        catch
        {
            foreach (var (_, genome) in opened)
            {
                genome.Dispose();
            }
            throw;
        }
        return new SpeciesDataset(opened, options);
    }

    /// <summary>Opens each species' genome file with <see cref="OpenGenome"/> (FASTA, .fa.gz, BGZF or .2bit).</summary>
    public static SpeciesDataset Open(IReadOnlyList<SpeciesSource> sources, SpeciesDatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Open(sources, path => OpenGenome(path, options), options);
    }

    /// <summary>One genome file per species in a directory; see <see cref="SpeciesSources.FromDirectory"/>.</summary>
    public static SpeciesDataset OpenDirectory(string directory, SpeciesDatasetOptions options) =>
        Open(SpeciesSources.FromDirectory(directory), options);

    /// <inheritdoc cref="OpenDirectory(string, SpeciesDatasetOptions)"/>
    public static SpeciesDataset OpenDirectory(string directory, Func<string, IGenome> opener, SpeciesDatasetOptions options) =>
        Open(SpeciesSources.FromDirectory(directory), opener, options);

    /// <summary>Species listed in a TSV manifest; see <see cref="SpeciesSources.FromManifest"/>.</summary>
    public static SpeciesDataset OpenManifest(string manifest, SpeciesDatasetOptions options) =>
        Open(SpeciesSources.FromManifest(manifest), options);

    /// <inheritdoc cref="OpenManifest(string, SpeciesDatasetOptions)"/>
    public static SpeciesDataset OpenManifest(string manifest, Func<string, IGenome> opener, SpeciesDatasetOptions options) =>
        Open(SpeciesSources.FromManifest(manifest), opener, options);

    /// <summary>
    /// The reader the overloads without an opener use: <see cref="GenomeFile.Open"/>. Held-out regions
    /// address records by position, so repeated record names (the orangutan EPO blocks) are accepted there;
    /// held-out chromosomes go by name, where a repeated name would silently double that chromosome's
    /// share of the draws, so the reader refuses it and names the file and line.
    /// </summary>
    public static IGenome OpenGenome(string path, SpeciesDatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return GenomeFile.Open(path, allowDuplicateNames: options.SplitMode == SpeciesSplitMode.HeldOutRegions);
    }

    public SpeciesDatasetOptions Options { get; } = null!;

    /// <summary>The tokenizer samples are encoded with (lower-case policy from the options).</summary>
    public DnaTokenizer Tokenizer { get; } = null!;

    public int SpeciesCount => _names.Length;

    /// <summary>Species names; the index is the label.</summary>
    public IReadOnlyList<string> SpeciesNames => _names;

    public int LabelOf(string species)
    {
        int label = Array.IndexOf(_names, species);
        return label >= 0 ? label : throw new KeyNotFoundException($"no species '{species}' (species: {string.Join(", ", _names)})");
    }

    /// <summary>The genome samples of this species are read from (the concatenation when records are concatenated).</summary>
    public IGenome GenomeOf(int label) => _genomes[label];

    /// <summary>Name of the record a sample lies on.</summary>
    public string ChromosomeName(in SpeciesSample sample) => _genomes[sample.Label].Records[sample.Record].Name;

    /// <summary>The regions of one species that belong to a split, whatever their length.</summary>
    public IReadOnlyList<SpeciesRegion> Regions(SpeciesSplit split, int label) => _regions[(int)split][label];

    /// <summary>Samples in an epoch (train) or in the fixed set (valid, test).</summary>
    public long Count(SpeciesSplit split) => split switch
    {
        SpeciesSplit.Train => Options.TrainSamplesPerEpoch,
        SpeciesSplit.Valid => SpeciesSplitPlanner.IsEmptyByDesign(split, Options) ? 0 : Options.ValidSamples,
        SpeciesSplit.Test => SpeciesSplitPlanner.IsEmptyByDesign(split, Options) ? 0 : Options.TestSamples,
        _ => throw new ArgumentOutOfRangeException(nameof(split)),
    };

    /// <summary>
    /// Fills <paramref name="tokens"/> with sample <paramref name="index"/> of a split, L = tokens.Length
    /// (the target length or a shorter warmup length). Train samples depend on (seed, epoch, index); valid
    /// and test samples on (seed, index) only — <paramref name="epoch"/> is ignored there, which is what makes
    /// them a fixed set — and their species go round-robin so the set is exactly balanced.
    /// </summary>
    public SpeciesSample Read(SpeciesSplit split, long epoch, long index, Span<int> tokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (split != SpeciesSplit.Train && index >= Count(split))
        {
            throw new ArgumentOutOfRangeException(nameof(index), Count(split) == 0
                ? $"the {Name(split)} split is empty by configuration"
                : $"index {index} is past the fixed {Name(split)} set of {Count(split)} samples");
        }
        int length = tokens.Length;
        if (length < 1)
        {
            throw new ArgumentException("tokens is empty; its length is the window length L", nameof(tokens));
        }
        var windows = Windows(split, length, nameof(tokens));
        bool train = split == SpeciesSplit.Train;
        var random = SampleRandom(Options.Seed, split, train ? epoch : 0, index);
        int label = train ? random.NextInt(_names.Length) : (int)(index % _names.Length);
        bool reverse = train && Options.ReverseComplementTrain && random.NextBool();
        var regions = windows[label];
        var genome = _genomes[label];
        double maxN = Options.MaxNFraction * length;

        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Span<byte> bases = rented.AsSpan(0, length);
            (int Record, long Start, int N) best = (0, 0, int.MaxValue);
            bool bestInBuffer = false;
            for (int draw = 0; draw < Options.MaxDraws; draw++)
            {
                var region = regions[random.NextInt(regions.Length)];
                long start = region.Start + random.NextInt64(region.Length - length + 1);
                genome.FetchRecord(region.Record, start, bases, keepSoftMask: true);
                int n = bases.Count((byte)'N') + bases.Count((byte)'n');
                bestInBuffer = n < best.N;
                if (bestInBuffer)
                {
                    best = (region.Record, start, n);
                }
                if (n <= maxN)
                {
                    break;
                }
            }
            if (!bestInBuffer)
            {
                genome.FetchRecord(best.Record, best.Start, bases, keepSoftMask: true);
            }
            Tokenizer.Encode(bases, tokens);
            if (reverse)
            {
                DnaTokenizer.ReverseComplementInPlace(tokens);
            }
            return new SpeciesSample(label, best.Record, best.Start, length, reverse, best.N);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public void Dispose()
    {
        foreach (var genome in _genomes)
        {
            genome.Dispose();
        }
    }

    /// <summary>
    /// The draws of one sample: a stream keyed by (seed, split, epoch, index) and nothing else, so a sample
    /// does not depend on which thread reads it or what was read before. Valid/test pass epoch 0.
    /// </summary>
    internal static DeterministicRandom SampleRandom(ulong seed, SpeciesSplit split, long epoch, long index) =>
        new(DeterministicRandom.Hash(DeterministicRandom.Hash(seed, DrawStream, (ulong)split), (ulong)epoch, (ulong)index));

    // Per species, the regions of a split that hold at least one window of this length; built once per (split, length).
    SpeciesRegion[][] Windows(SpeciesSplit split, int length, string parameter) =>
        _windows.TryGetValue((split, length), out var cached) ? cached : BuildWindows(split, length, parameter);

    // Apart from Windows because its lambdas capture length: the closure is allocated on entry, which on the
    // per-sample path would be an allocation per read.
    SpeciesRegion[][] BuildWindows(SpeciesSplit split, int length, string parameter)
    {
        if (SpeciesSplitPlanner.IsEmptyByDesign(split, Options))
        {
            throw new InvalidOperationException($"the {Name(split)} split is empty by configuration ({EmptyReason(split)})");
        }
        var result = new SpeciesRegion[_names.Length][];
        for (int label = 0; label < _names.Length; label++)
        {
            var all = _regions[(int)split][label];
            result[label] = all.Where(r => r.Length >= length).ToArray();
            if (result[label].Length == 0)
            {
                string longest = all.Length == 0
                    ? "it has none"
                    : $"the longest is {all.Max(r => r.Length):N0} bases";
                throw new ArgumentException(
                    $"{_genomes[label].Path}: species '{_names[label]}' has no {Name(split)} region that holds a window of {length:N0} bases ({longest}); "
                    + (Options.ConcatenateRecords ? "use a shorter length or larger held-out fractions" : "use a shorter length, other chromosomes, or ConcatenateRecords"),
                    parameter);
            }
        }
        return _windows.GetOrAdd((split, length), result);
    }

    string EmptyReason(SpeciesSplit split) => (split, Options.SplitMode) switch
    {
        (SpeciesSplit.Valid, SpeciesSplitMode.HeldOutChromosomes) => "ValidChromosomes is empty",
        (SpeciesSplit.Test, SpeciesSplitMode.HeldOutChromosomes) => "TestChromosomes is empty",
        (SpeciesSplit.Valid, _) => "ValidFraction is 0",
        _ => "TestFraction is 0",
    };

    static string Name(SpeciesSplit split) => split.ToString().ToLowerInvariant();
}
