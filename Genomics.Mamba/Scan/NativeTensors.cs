using static TorchSharp.torch;

namespace Genomics.Mamba.Scan;

/// <summary>How tensors cross into libgenomamba: a raw data pointer plus element strides, last dimension contiguous.</summary>
internal static class NativeTensors
{
    /// <summary>The tensor's data pointer (storage offset included), or null for an absent optional input.</summary>
    public static nint Ptr(Tensor? t) => t is null ? 0 : NativeMethods.THSTensor_data(t.Handle);

    /// <summary>
    /// The tensor itself when its last dimension has stride 1 (or size 1, where the stride is never used), else a
    /// contiguous copy. The ABI has no stride for that dimension; every other stride is passed through.
    /// </summary>
    public static Tensor LastContiguous(Tensor t) => t.stride(-1) == 1 || t.shape[^1] == 1 ? t : t.contiguous();
}
