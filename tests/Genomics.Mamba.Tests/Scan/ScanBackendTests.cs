using Genomics.Mamba.Scan;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Scan;

public class ScanBackendTests(ITestOutputHelper log)
{
    [Fact]
    public void The_backend_is_native_or_says_in_one_line_why_not_and_how_to_fix_it()
    {
        var heard = new List<string>();
        ScanBackend.Notice += heard.Add;
        try
        {
            var kind = ScanBackend.Kind;
            log.WriteLine($"backend {kind}; version {ScanBackend.NativeVersion ?? "-"}; features 0x{ScanBackend.NativeFeatures:x}; {ScanBackend.FallbackReason}");
            if (kind == ScanBackendKind.Native)
            {
                Assert.Null(ScanBackend.FallbackReason);
                Assert.Empty(heard);
            }
            else
            {
                string line = Assert.Single(heard);
                Assert.Equal(ScanBackend.FallbackReason, line);
                Assert.DoesNotContain('\n', line);
                Assert.Contains("dotnet build", line);
                Assert.Contains("cmake", line);
                _ = ScanBackend.Kind;
                Assert.Single(heard);
            }
        }
        finally
        {
            ScanBackend.Notice -= heard.Add;
        }
    }

    [Fact]
    public void The_dispatcher_gives_what_the_chosen_implementation_gives()
    {
        using var scope = NewDisposeScope();
        var data = new ScanData(new ScanCase(2, 4, 30, 8, ScanCase.All));
        ScanFn chosen = ScanBackend.NativeAvailable ? SelectiveScan.Apply : SelectiveScan.Reference;
        Close.Results(log, "dispatch", data.Run(ScanBackend.Scan, float32), data.Run(chosen, float32), rtol: 0, atol: 0);
    }
}
