using System.Diagnostics;

namespace Genomics.Mamba.Tests.Checkpoints;

/// <summary>
/// A test that runs Debian's /usr/bin/python3 with PyTorch (python3-torch): skipped, saying how to enable it, where that
/// is missing (CI installs no PyTorch; the committed fixtures made by tools/golden/make_pytorch_checkpoints.py stand in).
/// </summary>
public sealed class PythonTorchFactAttribute : FactAttribute
{
    public PythonTorchFactAttribute() => Skip = PythonTorch.SkipReason.Value;
}

public static class PythonTorch
{
    public const string Python = "/usr/bin/python3";

    public static readonly Lazy<string?> SkipReason = new(() =>
    {
        if (!File.Exists(Python))
        {
            return $"{Python} is missing (apt-get install -y python3-torch)";
        }
        var (code, output) = Run("-c \"import torch, numpy\"", 120);
        return code == 0 ? null : $"{Python} has no torch (apt-get install -y python3-torch): {output.Trim()}";
    });

    /// <summary>Runs python with <paramref name="arguments"/> in the repository root; (exit code, stdout + stderr).</summary>
    public static (int Code, string Output) Run(string arguments, int timeoutSeconds = 300)
    {
        var info = new ProcessStartInfo(Python, arguments)
        {
            WorkingDirectory = CheckpointTestData.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeoutSeconds} s");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
