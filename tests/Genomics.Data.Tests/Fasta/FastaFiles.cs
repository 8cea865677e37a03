using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Genomics.Data.Genome;

namespace Genomics.Data.Tests.Fasta;

/// <summary>Builders for test FASTA files, and a way to run samtools when it is installed.</summary>
internal static class FastaFiles
{
    /// <summary>A committed file under tests/Genomics.Data.Tests/Resources/fasta.</summary>
    public static string Resource(string name) =>
        Path.Combine(TestData.RepoRoot, "tests", "Genomics.Data.Tests", "Resources", "fasta", name);

    public static string WriteText(TestData.TempDir dir, string name, string text)
    {
        string path = dir.File(name);
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes(text));
        return path;
    }

    /// <summary>gzip with the data split into several members (what BGZF and `cat a.gz b.gz` produce).</summary>
    public static string WriteGzipMembers(TestData.TempDir dir, string name, byte[] data, params int[] cuts)
    {
        string path = dir.File(name);
        using var file = File.Create(path);
        int start = 0;
        foreach (int end in cuts.Append(data.Length))
        {
            using (var gz = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true))
            {
                gz.Write(data, start, end - start);
            }
            start = end;
        }
        return path;
    }

    /// <summary>Whole record as a string, served with or without the mask.</summary>
    public static string FetchAll(IGenome genome, int record, bool keepSoftMask = false)
    {
        var buffer = new byte[genome.Records[record].Length];
        genome.FetchRecord(record, 0, buffer, keepSoftMask);
        return Encoding.ASCII.GetString(buffer);
    }

    /// <summary>Full path of a program on PATH, or null.</summary>
    public static string? OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, program))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs a program and returns its standard output; throws with its stderr when it fails.</summary>
    public static string Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr}");
        }
        return stdout.Result;
    }
}
