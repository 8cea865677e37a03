namespace Genomics.Cli;

/// <summary>Where the embedded default data lives: data/ beside the repository root or the installed tool.</summary>
public static class DefaultData
{
    /// <summary>The repository's (or install's) data/ folder.</summary>
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "data");
                if (File.Exists(Path.Combine(candidate, "README.md")) && Directory.Exists(Path.Combine(candidate, "human")))
                {
                    return candidate;
                }
            }
            return Path.Combine(AppContext.BaseDirectory, "data");
        }
    }

    /// <summary>The embedded human genome piece (.2bit).</summary>
    public static string HumanGenome => Path.Combine(Root, "human", "hg38_chr2_1-2333275.2bit");

    /// <summary>The embedded Enformer-style tiles over <see cref="HumanGenome"/> (train/valid/test).</summary>
    public static string HumanIntervals => Path.Combine(Root, "human", "hg38_chr2_1-2333275.tiles.bed");

    /// <summary>The embedded great-ape chr22 windows: one FASTA per species.</summary>
    public static string Apes => Path.Combine(Root, "apes");

    /// <summary>Throws one error naming what is missing when the embedded human data is not installed.</summary>
    public static void RequireHuman()
    {
        string[] missing = [.. new[] { HumanGenome, HumanIntervals }.Where(p => !File.Exists(p))];
        if (missing.Length > 0)
        {
            throw new FileNotFoundException(
                $"no source given and the embedded data is missing: {string.Join(" and ", missing)} (give --genome G --intervals BED, or --species DIR)");
        }
    }

    /// <summary>The largest real genome at hand for benchmarks: shared chr20 when checked out beside us, else the embedded piece.</summary>
    public static string BenchGenome()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "genomamba.sln")))
            {
                string shared = Path.Combine(dir.FullName, "..", "shared", "data", "human", "GRCh37_chr20.fa.gz");
                return File.Exists(shared) ? Path.GetFullPath(shared) : HumanGenome;
            }
        }
        return HumanGenome;
    }
}
