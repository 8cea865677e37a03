namespace Genomics.Cli.Tests;

/// <summary>Paths to real test data: ../shared/data beside the checkout, and the repo's own data/.</summary>
public static class TestData
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

    /// <summary>The repository root (holds genomamba.sln).</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>A file under ../shared/data, e.g. Shared("human/GRCh37_chr20.fa.gz").</summary>
    public static string Shared(string relative)
    {
        string path = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data", relative));
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new FileNotFoundException($"shared test data missing: {path} (CI clones beside ../shared)");
        }
        return path;
    }

    /// <summary>A file under the repo's embedded data/ folder.</summary>
    public static string Embedded(string relative) => Path.Combine(RepoRoot, "data", relative);

    /// <summary>A fresh temporary directory, deleted by the caller's Dispose.</summary>
    public static TempDir NewTempDir() => new();

    public sealed class TempDir : IDisposable
    {
        public TempDir()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "genomamba-test-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string File(string name) => System.IO.Path.Combine(Path, name);

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
