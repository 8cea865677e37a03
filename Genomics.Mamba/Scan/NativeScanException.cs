namespace Genomics.Mamba.Scan;

/// <summary>
/// A libgenomamba call returned a non-OK gm_status. <see cref="Exception.Message"/> is the library's own
/// gm_last_error() text, prefixed by the call; <see cref="Status"/> is the raw code
/// (1 invalid argument, 2 unsupported, 3 out of memory, 4 internal).
/// </summary>
public sealed class NativeScanException : Exception
{
    internal NativeScanException(GmStatus status, string call, string nativeMessage)
        : base($"{call}: {Describe(status)}: {(nativeMessage.Length > 0 ? nativeMessage : "(no message from libgenomamba)")}")
    {
        Status = (int)status;
        NativeMessage = nativeMessage;
    }

    /// <summary>The gm_status code.</summary>
    public int Status { get; }

    /// <summary>gm_last_error() as the library wrote it.</summary>
    public string NativeMessage { get; }

    static string Describe(GmStatus s) => s switch
    {
        GmStatus.InvalidArgument => "invalid argument",
        GmStatus.Unsupported => "unsupported",
        GmStatus.OutOfMemory => "out of memory",
        GmStatus.Internal => "internal error",
        _ => $"status {(int)s}",
    };
}
