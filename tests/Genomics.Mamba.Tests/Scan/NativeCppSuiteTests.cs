using System.Diagnostics;
using Xunit.Abstractions;

namespace Genomics.Mamba.Tests.Scan;

/// <summary>
/// Runs native/'s own GoogleTest suite (kernels vs a double-precision reference on every instruction set,
/// determinism by memcmp across thread counts, validation, exported symbols) as part of `dotnet test`,
/// so CI, which runs only the README's test command, runs it too. The tree is built beside the test
/// assembly and reused, so a second run only relinks what changed.
/// </summary>
public class NativeCppSuiteTests(ITestOutputHelper output)
{
    static readonly object BuildLock = new();

    /// <summary>native/ configured and built with its tests beside the test assembly (once per run; later calls relink nothing).</summary>
    string Build()
    {
        string source = Path.Combine(RepoRoot(), "native");
        string build = Path.Combine(AppContext.BaseDirectory, "native-tests");
        lock (BuildLock)
        {
            // The CPU build even where nvcc is installed: the CUDA library is CI's separate step (.ci/run), and the
            // CUDA tile math is tested here anyway (CudaMath.* runs on the CPU).
            Run("cmake", ["-S", source, "-B", build, "-DCMAKE_BUILD_TYPE=Release", "-DGM_BUILD_TESTS=ON", "-DGM_BUILD_BENCH=OFF",
                "-DGM_CUDA=OFF"], out string configure);
            Assert.True(File.Exists(Path.Combine(build, "CTestTestfile.cmake")) && !configure.Contains("GTest not found", StringComparison.Ordinal),
                "GoogleTest is missing, so native/'s C++ tests were not configured (apt-get install libgtest-dev):\n" + configure);
            Run("cmake", ["--build", build, "--target", "genomamba_tests", "genomamba", "-j2"], out _);
        }
        return build;
    }

    /// <summary>
    /// The collectives of libgenomamba (gm_dist_*, MPI opened at run time) across three processes under OpenMPI's
    /// mpirun: the deterministic sum is the rank-order sum bit for bit (with three ranks the order matters in fp32),
    /// MPI_Allreduce's within the bound of a reordered sum, broadcast exact. Skipped, saying so, where mpirun is not
    /// installed; .ci/run installs openmpi-bin, so CI always runs it. As root mpirun needs --allow-run-as-root, and
    /// three ranks on two cores --oversubscribe.
    /// </summary>
    [SkippableFact]
    public void Native_collectives_sum_in_rank_order_across_three_mpirun_processes()
    {
        string? mpirun = Environment.GetEnvironmentVariable("PATH")?.Split(':').Select(d => Path.Combine(d, "mpirun")).FirstOrDefault(File.Exists);
        Skip.If(mpirun is null, "mpirun is not installed (apt-get install openmpi-bin): the multi-process collectives were not run");
        string build = Build();
        Run(mpirun!, ["--allow-run-as-root", "--oversubscribe", "-np", "3", Path.Combine(build, "genomamba_tests"), "--gtest_filter=Dist.*",
            "--gtest_color=no"], out string log);
        output.WriteLine(Tail(log));
        int passed = log.Split('\n').Count(l => l.StartsWith("[  PASSED  ]", StringComparison.Ordinal));
        Assert.True(passed == 3, $"expected all three ranks to pass the Dist tests, {passed} did:\n{Tail(log)}");
    }

    [Fact]
    public void Native_GoogleTest_suite_passes_under_ctest()
    {
        string build = Build();
        Run("ctest", ["--test-dir", build, "-j2", "--output-on-failure", "--timeout", "300"], out string ctest);
        string summary = ctest.Split('\n').LastOrDefault(l => l.Contains("tests passed", StringComparison.Ordinal)) ?? "";
        output.WriteLine(summary);
        Assert.Contains("100% tests passed", summary);
    }

    void Run(string file, string[] args, out string log)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        bool exited = process.WaitForExit(TimeSpan.FromMinutes(10));
        log = stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult();
        Assert.True(exited, $"{file} {string.Join(' ', args)} did not finish in 10 minutes");
        if (process.ExitCode != 0)
        {
            output.WriteLine(log);
        }
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {process.ExitCode}:\n{Tail(log)}");
    }

    static string Tail(string log) => log.Length <= 6000 ? log : "…" + log[^6000..];

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "genomamba.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("cannot find genomamba.sln above " + AppContext.BaseDirectory);
    }
}
