using TorchSharp;

namespace Genomics.Mamba.Runtime;

/// <summary>
/// The one place that brings up libtorch. Its failure message explains the Debian 12 GLIBCXX trap instead
/// of TorchSharp's misleading "doesn't contain a reference to libtorch-cpu-linux-x64".
/// </summary>
public static class TorchRuntime
{
    static readonly Lock Gate = new();
    static bool _ready;

    /// <summary>Loads libtorch once; throws <see cref="InvalidOperationException"/> with a fix on failure.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_ready)
            {
                return;
            }
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException(
                    "libtorch could not be loaded. On Debian 12 the usual cause is libLibTorchSharp.so asking for " +
                    "GLIBCXX_3.4.32, which the build marks weak (build/ElfWeakVersion.targets); rebuild with " +
                    "`dotnet build` so the patched copy lands next to the assemblies, and delete any bin/**/cpu/ " +
                    "fallback folder TorchSharp left behind. Original error: " + e.Message, e);
            }
            _ready = true;
        }
    }
}
