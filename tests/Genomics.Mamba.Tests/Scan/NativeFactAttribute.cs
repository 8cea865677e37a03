using Genomics.Mamba.Scan;

namespace Genomics.Mamba.Tests.Scan;

/// <summary>
/// A test that needs libgenomamba: skipped, with the backend's own reason, when the library is absent — unless
/// GENOMAMBA_REQUIRE_NATIVE=1, which turns the skip into a failure (CI on a build that must have it).
/// </summary>
public sealed class NativeFactAttribute : FactAttribute
{
    public NativeFactAttribute() => Skip = NativeGate.SkipReason();
}

/// <summary><see cref="NativeFactAttribute"/> for theories.</summary>
public sealed class NativeTheoryAttribute : TheoryAttribute
{
    public NativeTheoryAttribute() => Skip = NativeGate.SkipReason();
}

static class NativeGate
{
    public static string? SkipReason() =>
        ScanBackend.NativeAvailable || Environment.GetEnvironmentVariable("GENOMAMBA_REQUIRE_NATIVE") == "1"
            ? null
            : ScanBackend.FallbackReason;
}
