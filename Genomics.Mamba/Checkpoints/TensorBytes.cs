using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Checkpoints;

/// <summary>
/// Raw little-endian tensor bytes in and out of streams, and the dtype names both file formats use: PyTorch's
/// ("float32", genomamba checkpoints) and safetensors' ("F32"). Shared so the two formats cannot drift apart.
/// </summary>
internal static class TensorBytes
{
    static readonly (ScalarType Type, string Torch, string Safetensors)[] Names =
    [
        (ScalarType.Float32, "float32", "F32"),
        (ScalarType.Float64, "float64", "F64"),
        (ScalarType.Float16, "float16", "F16"),
        (ScalarType.BFloat16, "bfloat16", "BF16"),
        (ScalarType.Int64, "int64", "I64"),
        (ScalarType.Int32, "int32", "I32"),
        (ScalarType.Int16, "int16", "I16"),
        (ScalarType.Int8, "int8", "I8"),
        (ScalarType.Byte, "uint8", "U8"),
        (ScalarType.Bool, "bool", "BOOL"),
    ];

    /// <summary>Supported dtypes, by PyTorch name, for messages.</summary>
    public static string Supported => string.Join(", ", Names.Select(n => n.Torch));

    public static string TorchName(ScalarType type) =>
        Names.FirstOrDefault(n => n.Type == type).Torch
        ?? throw new NotSupportedException($"dtype {type} cannot be stored; supported: {Supported}");

    public static string SafetensorsName(ScalarType type) =>
        Names.FirstOrDefault(n => n.Type == type).Safetensors
        ?? throw new NotSupportedException($"dtype {type} cannot be stored in safetensors; supported: {Supported}");

    public static bool TryParseTorch(string name, out ScalarType type) => TryFind(n => n.Torch == name, out type);

    public static bool TryParseSafetensors(string name, out ScalarType type) => TryFind(n => n.Safetensors == name, out type);

    static bool TryFind(Func<(ScalarType Type, string Torch, string Safetensors), bool> match, out ScalarType type)
    {
        foreach (var n in Names)
        {
            if (match(n))
            {
                type = n.Type;
                return true;
            }
        }
        type = default;
        return false;
    }

    /// <summary>numel · element size: the bytes a tensor of this dtype and shape occupies, or −1 on overflow.</summary>
    public static long ByteCount(ScalarType type, IReadOnlyList<long> shape)
    {
        long size = ElementSize(type);
        try
        {
            long count = 1;
            foreach (long s in shape)
            {
                if (s < 0)
                {
                    return -1;
                }
                count = checked(count * s);
            }
            return checked(count * size);
        }
        catch (OverflowException)
        {
            return -1;
        }
    }

    public static int ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        ScalarType.Int8 or ScalarType.Byte or ScalarType.Bool => 1,
        _ => throw new NotSupportedException($"dtype {type} cannot be stored; supported: {Supported}"),
    };

    /// <summary>Writes the tensor's elements in row-major order, little-endian (copied to a contiguous CPU tensor first when needed).</summary>
    public static void Write(Tensor tensor, Stream stream)
    {
        using var scope = NewDisposeScope();
        var t = tensor.detach();
        if (t.device_type != DeviceType.CPU)
        {
            t = t.cpu();
        }
        if (!t.is_contiguous())
        {
            t = t.contiguous();
        }
        t.WriteBytesToStream(stream);
    }

    /// <summary>Reads a fresh CPU tensor of this dtype and shape from the stream (which must hold enough bytes: callers check lengths first).</summary>
    public static Tensor Read(Stream stream, ScalarType type, long[] shape)
    {
        var t = empty(shape, type);
        try
        {
            t.ReadBytesFromStream(stream);
            return t;
        }
        catch
        {
            t.Dispose();
            throw;
        }
    }

    /// <summary>Writes <paramref name="count"/> zero bytes (alignment padding).</summary>
    public static void Pad(Stream stream, long count)
    {
        Span<byte> zeros = stackalloc byte[64];
        while (count > 0)
        {
            int n = (int)Math.Min(count, zeros.Length);
            stream.Write(zeros[..n]);
            count -= n;
        }
    }

    /// <summary>Reads and discards <paramref name="count"/> bytes (through the stream, so a hashing stream sees them).</summary>
    public static void Skip(Stream stream, long count)
    {
        Span<byte> sink = stackalloc byte[4096];
        while (count > 0)
        {
            int n = stream.Read(sink[..(int)Math.Min(count, sink.Length)]);
            if (n == 0)
            {
                throw new EndOfStreamException();
            }
            count -= n;
        }
    }

    public static long AlignUp(long value, long alignment) => (value + alignment - 1) / alignment * alignment;
}
