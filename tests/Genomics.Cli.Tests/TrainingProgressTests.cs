using System.Diagnostics;

namespace Genomics.Cli.Tests;

/// <summary>
/// What a person watching `genomamba pretrain` sees: a live bar redrawn in place on a terminal, plain lines when the
/// output is redirected. The terminal is a real pseudo-terminal from util-linux `script`.
/// </summary>
public class TrainingProgressTests
{
    static readonly string[] Tiny = ["pretrain", "--preset", "d16x2", "--tokens-per-step", "4096", "--valid-windows", "1", "--steps", "3", "--out", "run"];

    [Fact]
    public void Redirected_output_gets_plain_lines_with_step_loss_perplexity_rate_eta_and_memory()
    {
        using var dir = TestData.NewTempDir();
        var r = Genomamba.Run(dir, Tiny);
        Assert.True(r.ExitCode == 0, r.Stderr + r.StdoutText);
        string text = r.StdoutText;
        Assert.DoesNotContain('\r', text);
        Assert.Contains("stage 1/1: L=1,024", text);
        // The first and the last step always get a line; the ones between only every 10 s.
        foreach (int step in new[] { 1, 3 })
        {
            Assert.Matches(@$"\[1/1\] step {step}/3 L=1,024 loss \d+\.\d{{4}} ppl \d+\.\d{{3}} lr \S+ \S+ tok/s \S+ s/step ETA \S+ RSS \S+ [KMG]iB", text);
        }
        Assert.Matches(@"finished at step 3 \(step limit\) in \d+:\d\d, peak RSS", text);
    }

    [Fact]
    public async Task A_terminal_gets_one_bar_redrawn_in_place()
    {
        if (!File.Exists("/usr/bin/script"))
        {
            Assert.Fail("util-linux `script` is missing (Debian: apt-get install bsdutils); it provides the pseudo-terminal");
        }
        using var dir = TestData.NewTempDir();
        string command = string.Join(' ', new[] { "dotnet", Genomamba.Dll }.Concat(Tiny).Select(a => $"'{a}'"));
        var psi = new ProcessStartInfo("/usr/bin/script", ["-q", "-e", "-c", command, "/dev/null"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = dir.Path,
        };
        psi.Environment["TERM"] = "xterm";
        psi.Environment["COLUMNS"] = "200";
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        string output = await process.StandardOutput.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(6)), "did not finish");
        Assert.True(process.ExitCode == 0, output + await stderr);

        // Each step redraws the same line: a carriage return, the bar, then the step text; no newline between steps.
        var redraws = System.Text.RegularExpressions.Regex.Matches(output, @"\r[#-]{20} \[1/1\] step (\d)/3 ");
        Assert.Equal(["1", "2", "3"], redraws.Select(m => m.Groups[1].Value));
        Assert.Contains("\r####################", output);               // full at the last step
        string between = output[redraws[0].Index..redraws[2].Index];
        Assert.DoesNotContain('\n', between);
        Assert.Contains("finished at step 3", output);
    }
}
