using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Genomics.Data;
using static TorchSharp.torch;

namespace Genomics.Mamba.Checkpoints;

/// <summary>
/// The safetensors format (huggingface/safetensors), read and written here rather than through TorchSharp.PyBridge's
/// helper, which writes no "__metadata__", does not pad the header and does not validate offsets on read. Layout: u64 LE
/// header length N; N bytes of JSON {name: {dtype "F32"|"BF16"|…, shape, data_offsets [begin, end)}, "__metadata__":
/// {string: string}}, space-padded so the data starts 8-byte aligned; then the tensors' raw little-endian bytes,
/// contiguous and in offset order, covering the data section exactly (the checks the Python library makes).
/// </summary>
public static class SafetensorsFile
{
    const long MaxHeaderBytes = 100L << 20;   // the Python library's limit

    /// <summary>Writes <paramref name="tensors"/> (in the given order) and <paramref name="metadata"/> to <paramref name="path"/>, atomically.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors is little-endian; this machine is not");
        }
        var list = tensors.ToList();
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata)
            {
                meta[k] = v;
            }
            header["__metadata__"] = meta;
        }
        long offset = 0;
        foreach (var (name, t) in list)
        {
            if (name == "__metadata__" || header.ContainsKey(name))
            {
                throw new ArgumentException($"tensor name '{name}' is reserved or repeated", nameof(tensors));
            }
            long bytes = TensorBytes.ByteCount(t.dtype, t.shape);
            header[name] = new JsonObject
            {
                ["dtype"] = TensorBytes.SafetensorsName(t.dtype),
                ["shape"] = new JsonArray(t.shape.Select(x => (JsonNode)x).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (int)TensorBytes.AlignUp(json.Length, 8);
        AtomicFile.Write(path, s =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            s.Write(length);
            s.Write(json);
            for (int i = json.Length; i < padded; i++)
            {
                s.WriteByte((byte)' ');
            }
            foreach (var (_, t) in list)
            {
                TensorBytes.Write(t, s);
            }
        });
    }

    /// <summary>
    /// Reads every tensor (fresh CPU tensors, in file order) and the metadata. Throws <see cref="DataFormatException"/>
    /// for a truncated file, a bad header, an unknown dtype, or offsets that do not tile the data section.
    /// </summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors is little-endian; this machine is not");
        }
        const string damaged = "the file is damaged or not safetensors: export or download it again";
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        long length = file.Length;
        Span<byte> prefix = stackalloc byte[8];
        if (file.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
        {
            throw new DataFormatException(path, $"truncated: {length} bytes, a safetensors file starts with an 8-byte header length", damaged);
        }
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (n > MaxHeaderBytes || 8 + (long)n > length)
        {
            throw new DataFormatException(path, $"header length {n} does not fit the {length}-byte file", damaged);
        }
        byte[] json = new byte[n];
        file.ReadExactly(json);
        long dataLength = length - 8 - (long)n;

        var entries = new List<(string Name, ScalarType Type, long[] Shape, long Begin, long End)>();
        var metadata = new Dictionary<string, string>();
        try
        {
            var root = JsonNode.Parse(json)?.AsObject() ?? throw new FormatException("header is not a JSON object");
            foreach (var (name, node) in root)
            {
                if (name == "__metadata__")
                {
                    foreach (var (k, v) in node!.AsObject())
                    {
                        metadata[k] = v!.GetValue<string>();
                    }
                    continue;
                }
                string dtype = node!["dtype"]!.GetValue<string>();
                if (!TensorBytes.TryParseSafetensors(dtype, out var type))
                {
                    throw new FormatException($"{name}: dtype {dtype} is not supported");
                }
                long[] shape = node["shape"]!.AsArray().Select(x => x!.GetValue<long>()).ToArray();
                var offsets = node["data_offsets"]!.AsArray();
                long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
                if (TensorBytes.ByteCount(type, shape) != end - begin)
                {
                    throw new FormatException($"{name}: data_offsets [{begin}, {end}) hold {end - begin} bytes, {dtype} ({string.Join(", ", shape)}) needs {TensorBytes.ByteCount(type, shape)}");
                }
                entries.Add((name, type, shape, begin, end));
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NullReferenceException or ArgumentOutOfRangeException)
        {
            throw new DataFormatException(path, $"header is corrupt: {e.Message}", damaged, e);
        }
        long covered = 0;
        foreach (var e in entries.OrderBy(e => e.Begin))
        {
            if (e.Begin != covered)
            {
                throw new DataFormatException(path, $"{e.Name}: data starts at {e.Begin}, expected {covered} (a gap or an overlap)", damaged);
            }
            covered = e.End;
        }
        if (covered != dataLength)
        {
            throw new DataFormatException(path, covered > dataLength
                ? $"truncated: its tensors need {covered} data bytes, the file has {dataLength}"
                : $"{dataLength - covered} bytes after the last tensor", damaged);
        }

        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var e in entries.OrderBy(e => e.Begin))
            {
                tensors[e.Name] = TensorBytes.Read(file, e.Type, e.Shape);
            }
        }
        catch
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }
            throw;
        }
        // File order, which is what the writer intended (mostly the state dict's order).
        var ordered = entries.ToDictionary(e => e.Name, e => tensors[e.Name]);
        return (ordered, metadata);
    }
}
