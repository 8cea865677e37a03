using System.Runtime.InteropServices;
using System.Text.Json;
using Genomics.Data.Genome;
using Genomics.Data.Tokenization;
using Genomics.Mamba.Config;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Modules;

/// <summary>Real DNA from ../shared/data and the committed golden tensors, found from the test binaries upward.</summary>
public static class ModuleTestData
{
    static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "genomamba.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("cannot find genomamba.sln above " + AppContext.BaseDirectory);
    });

    public const string Chr2 = "human/hg38_chr2_1-2333275.fa.gz";

    static readonly Lazy<IGenome> Chr2Genome = new(() => GenomeFile.Open(Shared(Chr2)));

    /// <summary>A file under ../shared/data beside the checkout.</summary>
    public static string Shared(string relative)
    {
        string path = Path.GetFullPath(Path.Combine(Root.Value, "..", "shared", "data", relative));
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"shared test data missing: {path} (CI clones beside ../shared)");
        }
        return path;
    }

    /// <summary>
    /// (batch, length) token ids (int64) of consecutive windows of hg38 chr2 starting at <paramref name="start"/>
    /// (past the telomeric Ns), tokenized with the default DnaTokenizer (soft mask upper-cased).
    /// </summary>
    public static Tensor DnaTokens(int batch, int length, long start = 1_000_000)
    {
        var genome = Chr2Genome.Value;
        var ids = new long[batch * length];
        var bases = new byte[length];
        var tokens = new int[length];
        for (int b = 0; b < batch; b++)
        {
            genome.FetchRecord(0, start + (long)b * length, bases);
            DnaTokenizer.Default.Encode(bases, tokens);
            for (int i = 0; i < length; i++)
            {
                ids[b * length + i] = tokens[i];
            }
        }
        return tensor(ids, [batch, length]);
    }

    /// <summary>The committed output of tools/golden/make_mamba_golden.py.</summary>
    public static Golden LoadGolden(string name) => new(Path.Combine(Root.Value, "tests", "Genomics.Mamba.Tests", "Golden", name));
}

/// <summary>
/// A golden set: manifest.json (name, dtype, shape, byte offset per tensor, plus the Python config) over
/// tensors.bin (raw little-endian). Tensors come back as float32 / float64 / int64 CPU tensors.
/// </summary>
public sealed class Golden
{
    public Golden(string directory)
    {
        Assert.True(BitConverter.IsLittleEndian, "golden tensors are little-endian");
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "manifest.json")));
        var root = manifest.RootElement;
        Assert.Equal("genomamba-golden/1", root.GetProperty("format").GetString());
        byte[] blob = File.ReadAllBytes(Path.Combine(directory, "tensors.bin"));
        ConfigJson = root.GetProperty("config").Clone();
        _mamba = new Lazy<MambaConfig>(() => MambaConfigOf(ConfigJson));
        foreach (var entry in root.GetProperty("tensors").EnumerateArray())
        {
            string name = entry.GetProperty("name").GetString()!;
            long[] shape = entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var bytes = blob.AsSpan(entry.GetProperty("offset").GetInt32(), entry.GetProperty("bytes").GetInt32());
            Tensors[name] = entry.GetProperty("dtype").GetString() switch
            {
                "float32" => tensor(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), shape),
                "float64" => tensor(MemoryMarshal.Cast<byte, double>(bytes).ToArray(), shape),
                "int64" => tensor(MemoryMarshal.Cast<byte, long>(bytes).ToArray(), shape),
                var other => throw new InvalidDataException($"{name}: unsupported dtype {other}"),
            };
        }
    }

    readonly Lazy<MambaConfig> _mamba;

    /// <summary>The generator's config object, as written (a golden set of another model reads its own fields).</summary>
    public JsonElement ConfigJson { get; }

    static MambaConfig MambaConfigOf(JsonElement c)
    {
        var config = new MambaConfig
        {
            DModel = c.GetProperty("d_model").GetInt32(),
            NLayer = c.GetProperty("n_layer").GetInt32(),
            VocabSize = c.GetProperty("vocab_size").GetInt32(),
            PadVocabSizeMultiple = c.GetProperty("pad_vocab_size_multiple").GetInt32(),
            DState = c.GetProperty("d_state").GetInt32(),
            DConv = c.GetProperty("d_conv").GetInt32(),
            Expand = c.GetProperty("expand").GetInt32(),
            DtMin = c.GetProperty("dt_min").GetDouble(),
            DtMax = c.GetProperty("dt_max").GetDouble(),
            DtInitFloor = c.GetProperty("dt_init_floor").GetDouble(),
            RmsNormEps = c.GetProperty("norm_epsilon").GetDouble(),
            InitializerRange = c.GetProperty("initializer_range").GetDouble(),
        };
        Assert.Equal("auto", c.GetProperty("dt_rank").GetString());
        return config;
    }

    /// <summary>The config of a mamba_ssm golden set (make_mamba_golden.py).</summary>
    public MambaConfig Config => _mamba.Value;

    public Dictionary<string, Tensor> Tensors { get; } = [];

    /// <summary>The model weights: every tensor that is not an input, output or gradient.</summary>
    public Dictionary<string, Tensor> Weights => Tensors
        .Where(kv => kv.Key.StartsWith("backbone.", StringComparison.Ordinal) || kv.Key == "lm_head.weight")
        .ToDictionary(kv => kv.Key, kv => kv.Value);
}
