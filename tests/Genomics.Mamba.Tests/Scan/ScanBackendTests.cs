using Genomics.Mamba.Scan;
using TorchSharp;
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

    [Theory]
    [InlineData(DeviceType.CPU, ScalarType.Float32, 0, ScanRoute.NativeCpu)]
    [InlineData(DeviceType.CPU, ScalarType.Float32, 256, ScanRoute.NativeCpu)]
    [InlineData(DeviceType.CPU, ScalarType.Float64, 0, ScanRoute.Reference)]
    [InlineData(DeviceType.CPU, ScalarType.BFloat16, 256, ScanRoute.Reference)]
    [InlineData(DeviceType.CUDA, ScalarType.Float32, 256, ScanRoute.NativeCuda)]
    [InlineData(DeviceType.CUDA, ScalarType.BFloat16, 257, ScanRoute.NativeCuda)]
    [InlineData(DeviceType.CUDA, ScalarType.Float16, 256, ScanRoute.Reference)]
    [InlineData(DeviceType.MPS, ScalarType.Float32, 256, ScanRoute.Reference)]
    public void Each_device_and_dtype_goes_to_its_scan(DeviceType device, ScalarType dtype, int features, ScanRoute want)
    {
        Assert.Equal(want, ScanBackend.Route(device, dtype, ScanBackendKind.Native, features));
        // Without a usable library everything runs the reference (the Notice says why), CUDA included.
        Assert.Equal(ScanRoute.Reference, ScanBackend.Route(device, dtype, ScanBackendKind.Reference, features));
    }

    [Fact]
    public void Cuda_tensors_meeting_a_cpu_only_library_get_an_error_with_the_fix()
    {
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.BFloat16 })
        {
            var e = Assert.Throws<NotSupportedException>(() => ScanBackend.Route(DeviceType.CUDA, dtype, ScanBackendKind.Native, features: 3));
            log.WriteLine(e.Message);
            Assert.Contains("without the CUDA scan", e.Message);
            Assert.Contains("-p:GenomambaCuda=true", e.Message);
            Assert.Contains("SelectiveScan.Reference", e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
    }

    [Fact]
    public void Cpu_tensors_are_checked_the_same_way_the_dispatcher_routes_them()
    {
        using var scope = NewDisposeScope();
        // The native entry point refuses what the dispatcher would send elsewhere, naming the dtype to convert to.
        var e = Assert.Throws<NotSupportedException>(() => ScanShapes.RequireNativeSupported(zeros(1, 2, 3, ScalarType.BFloat16), 256));
        Assert.Contains("float32", e.Message);
        Assert.DoesNotContain("bfloat16 on", e.Message);
        ScanShapes.RequireNativeSupported(zeros(1, 2, 3), 0);
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
