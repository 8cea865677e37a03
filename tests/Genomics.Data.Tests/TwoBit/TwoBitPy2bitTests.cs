using System.Diagnostics;
using System.Security.Cryptography;
using Genomics.Data.TwoBit;
using Xunit.Abstractions;

namespace Genomics.Data.Tests.TwoBit;

/// <summary>
/// Our .2bit files read by an independent implementation, py2bit (Debian package python3-py2bit), when it
/// is installed. Without it this test only says so: the hand-built files in <see cref="TwoBitSpecTests"/>
/// are the check that always runs.
/// </summary>
public sealed class TwoBitPy2bitTests(ITestOutputHelper output)
{
    const string Script = """
        import hashlib, sys, py2bit
        t = py2bit.open(sys.argv[1], True)
        for name in t.chroms():
            print(name + "\t" + hashlib.sha256(t.sequence(name).encode("ascii")).hexdigest())
        """;

    [Theory]
    [InlineData("human/hg38_chr2_1-2333275.fa.gz")]
    [InlineData("apes/chr22-epo/gorilla.fa.gz")]
    public void File_we_write_reads_back_as_the_FASTA_in_py2bit_when_installed(string file)
    {
        string? python = FindPython();
        if (python is null)
        {
            output.WriteLine("py2bit not installed (apt-get install python3-py2bit): live cross-check not run");
            return;
        }
        var source = ReferenceGenomes.Load(TestData.Shared(file));
        using var dir = TestData.NewTempDir();
        string path = dir.File("g.2bit");
        TwoBitWriter.Write(source, path);

        var digests = Run(python, path).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t')).ToDictionary(c => c[0], c => c[1]);

        Assert.Equal(source.Records.Count, digests.Count);
        for (int i = 0; i < source.Records.Count; i++)
        {
            var bases = new byte[source.Records[i].Length];
            source.FetchRecord(i, 0, bases, keepSoftMask: true);
            // py2bit lays N blocks over the mask, so a soft-masked N reads 'N' there (UCSC's own reader gives 'n').
            bases.AsSpan().Replace((byte)'n', (byte)'N');
            Assert.True(Convert.ToHexStringLower(SHA256.HashData(bases)) == digests[source.Records[i].Name], $"record {source.Records[i].Name} differs in py2bit");
        }
    }

    static string? FindPython()
    {
        foreach (string candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                Run(candidate, null, "import py2bit");
                return candidate;
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
            }
        }
        return null;
    }

    static string Run(string python, string? twoBit, string script = Script)
    {
        var info = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        if (twoBit is not null)
        {
            info.ArgumentList.Add(twoBit);
        }
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{python} failed: {stderr.Result}");
        }
        return stdout;
    }
}
