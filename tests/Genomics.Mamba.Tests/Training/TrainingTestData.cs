using Genomics.Data.Bed;
using Genomics.Data.Datasets;
using Genomics.Data.Genome;
using Genomics.Data.Schedules;
using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Training;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Training;

/// <summary>Tiny models on the repository's embedded real data (hg38 chr2:1-2,333,275 and its 32 kb tiles).</summary>
public static class TrainingTestData
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

    public static string Genome => Path.Combine(Root.Value, "data", "human", "hg38_chr2_1-2333275.2bit");

    public static string Intervals => Path.Combine(Root.Value, "data", "human", "hg38_chr2_1-2333275.tiles.bed");

    public static string Apes => Path.Combine(Root.Value, "data", "apes");

    public static MambaConfig TinyMamba => new() { DModel = 16, NLayer = 2 };

    /// <summary>A tiny Mamba LM built from <paramref name="seed"/>.</summary>
    public static MambaLM Model(long seed)
    {
        manual_seed(seed);
        return new MambaLM(TinyMamba);
    }

    /// <summary>
    /// The embedded tiles; with <paramref name="trainIntervals"/> only that many train rows, each cut to its first
    /// <paramref name="trainLength"/> bases (plus every valid row), to make epochs a few steps long.
    /// </summary>
    public static IReadOnlyList<GenomeInterval> Tiles(IGenome genome, int? trainIntervals = null, int trainLength = 32768)
    {
        var all = GenomeInterval.FromBed(BedReader.Read(Intervals, new BedReadOptions { Genome = genome }).Intervals);
        if (trainIntervals is not { } n)
        {
            return all;
        }
        return all.Where(i => i.Split != "train")
            .Concat(all.Where(i => i.Split == "train").Take(n).Select(i => i with { End = i.Start + Math.Min(trainLength, i.Length) }))
            .ToArray();
    }

    public static LanguageModelTask Task(nn.Module<Tensor, Tensor> model, IGenome genome, WarmupPlan plan, int trainIntervals = 1, int validWindows = 4,
        int trainLength = 32768) =>
        new(model, genome, Tiles(genome, trainIntervals, trainLength), plan, new IntervalDatasetOptions { Seed = 7 }, validWindows, "test-data");

    /// <summary>A fresh temporary directory, deleted on Dispose.</summary>
    public static TempDir NewTempDir() => new();

    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "genomamba-train-" + Guid.NewGuid().ToString("N")[..12]);

        public TempDir() => Directory.CreateDirectory(Path);

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
