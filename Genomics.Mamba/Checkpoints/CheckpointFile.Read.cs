using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Genomics.Data;
using static TorchSharp.torch;

namespace Genomics.Mamba.Checkpoints;

// Reading side of CheckpointFile: every check a file must pass before its tensors are trusted.
public static partial class CheckpointFile
{
    /// <summary>
    /// Reads and verifies a checkpoint. Throws <see cref="DataFormatException"/> for a file that is not a checkpoint
    /// (bad magic; a PyTorch or safetensors file is named as such), from a newer format version, truncated or with
    /// trailing bytes, with a corrupt header or tensor directory, or whose checksum does not match.
    /// </summary>
    public static Checkpoint Read(string path)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("genomamba checkpoints are little-endian; this machine is not");
        }
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        long length = file.Length;
        var s = new HashingStream(file);

        Span<byte> prologue = stackalloc byte[PrologueBytes];
        int got = s.ReadAtLeast(prologue, PrologueBytes, throwOnEndOfStream: false);
        CheckMagic(path, prologue[..got]);
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(prologue[6..]);
        if (version != Version)
        {
            throw version > Version
                ? Fail(path, $"checkpoint format version {version} is newer than this genomamba ({Checkpoint.CurrentVersion}) reads (version {Version})",
                    "upgrade genomamba to load it, or re-save it with the version that wrote it")
                : Fail(path, $"checkpoint format version {version} is not a version genomamba ever wrote", Damaged);
        }
        if (got < PrologueBytes)
        {
            throw Fail(path, $"truncated: {length} bytes, shorter than the {PrologueBytes}-byte prologue", Damaged);
        }
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prologue[8..]);
        if (headerLength > MaxHeaderBytes)
        {
            throw Fail(path, $"header length {headerLength} is implausible", Damaged);
        }
        if (PrologueBytes + (long)headerLength > length)
        {
            throw Fail(path, $"truncated: {length} bytes, but the header alone needs {PrologueBytes + (long)headerLength}", Damaged);
        }
        byte[] header = new byte[headerLength];
        s.ReadFully(header);

        JsonNode root;
        List<Entry> entries;
        long dataBytes;
        try
        {
            root = JsonNode.Parse(header) ?? throw new FormatException("header is null");
            if (root["format"]?.GetValue<string>() != FormatName)
            {
                throw new FormatException($"format is '{root["format"]}', expected '{FormatName}'");
            }
            if (root["format_version"]?.GetValue<int>() != version)
            {
                throw new FormatException($"header says format_version {root["format_version"]}, the prologue {version}");
            }
            dataBytes = root["data_bytes"]?.GetValue<long>() ?? throw new FormatException("data_bytes is missing");
            entries = Directory(root, dataBytes);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw Fail(path, $"header is corrupt: {e.Message}", Damaged, e);
        }

        long dataStart = TensorBytes.AlignUp(PrologueBytes + (long)headerLength, Alignment);
        long expected = dataStart + dataBytes + 8;
        if (length < expected)
        {
            throw Fail(path, $"truncated: {length} bytes, but its header describes {expected}", Damaged);
        }
        if (length > expected)
        {
            throw Fail(path, $"{length - expected} bytes longer than its header describes ({expected})",
                "something was appended to it or it is not the file that was written: use an earlier checkpoint");
        }

        var tensors = new Dictionary<string, Tensor>();
        try
        {
            TensorBytes.Skip(s, dataStart - s.Position);
            foreach (var e in entries.OrderBy(e => e.Offset))
            {
                TensorBytes.Skip(s, dataStart + e.Offset - s.Position);
                tensors[e.Key] = TensorBytes.Read(s, e.Type, e.Shape);
            }
            TensorBytes.Skip(s, dataStart + dataBytes - s.Position);
            Span<byte> trailer = stackalloc byte[8];
            file.ReadExactly(trailer);
            ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(trailer);
            if (stored != s.Hash)
            {
                throw Fail(path, $"checksum mismatch: the file stores xxh64 {stored:x16}, its contents hash to {s.Hash:x16}",
                    "the file was changed or damaged after it was written: use an earlier checkpoint or copy it again");
            }
            var checkpoint = Assemble(path, root, entries, tensors);
            return checkpoint;
        }
        catch (Exception e)
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }
            if (e is DataFormatException)
            {
                throw;
            }
            if (e is EndOfStreamException or IOException)
            {
                throw Fail(path, $"could not read its tensor data: {e.Message}", Damaged, e);
            }
            throw;
        }
    }

    static void CheckMagic(string path, ReadOnlySpan<byte> head)
    {
        var magic = Encoding.ASCII.GetBytes(Magic);
        if (head.Length >= magic.Length && head[..magic.Length].SequenceEqual(magic))
        {
            if (head.Length < 8)
            {
                throw Fail(path, $"truncated: {head.Length} bytes, shorter than the {PrologueBytes}-byte prologue", Damaged);
            }
            return;
        }
        if (head.Length < magic.Length && magic.AsSpan(0, head.Length).SequenceEqual(head))
        {
            throw Fail(path, head.Length == 0 ? "empty file" : $"truncated: {head.Length} bytes", Damaged);
        }
        if (head.Length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4)
        {
            throw Fail(path, "is a PyTorch (torch.save zip) file, not a genomamba checkpoint",
                "import it with PretrainedImport (pytorch_model.bin, Lightning .ckpt)");
        }
        if (head.Length >= 9 && head[8] == '{')
        {
            throw Fail(path, "looks like a safetensors file, not a genomamba checkpoint", "import it with WeightsExport.Import");
        }
        string seen = Encoding.ASCII.GetString(head[..Math.Min(head.Length, magic.Length)]).Replace('\0', '.');
        throw Fail(path, $"not a genomamba checkpoint: it starts with \"{Printable(seen)}\", a checkpoint with \"{Magic}\"",
            "pass a file written by Checkpoint.Save");
    }

    static string Printable(string s) => new(s.Select(c => c is >= ' ' and <= '~' ? c : '.').ToArray());

    static List<Entry> Directory(JsonNode root, long dataBytes)
    {
        if (dataBytes < 0)
        {
            throw new FormatException($"data_bytes {dataBytes} is negative");
        }
        var list = root["tensors"]?.AsArray() ?? throw new FormatException("the tensor directory is missing");
        var entries = new List<Entry>();
        var keys = new HashSet<string>();
        for (int i = 0; i < list.Count; i++)
        {
            var n = list[i] ?? throw new FormatException($"tensor {i} is null");
            string name = n["name"]?.GetValue<string>() ?? throw new FormatException($"tensor {i} has no name");
            string section = n["section"]?.GetValue<string>() ?? throw new FormatException($"tensor {name} has no section");
            if (!Sections.Contains(section))
            {
                throw new FormatException($"tensor {name}: unknown section '{section}'");
            }
            string dtype = n["dtype"]?.GetValue<string>() ?? throw new FormatException($"tensor {name} has no dtype");
            if (!TensorBytes.TryParseTorch(dtype, out var type))
            {
                throw new FormatException($"tensor {name}: dtype '{dtype}' is not one of {TensorBytes.Supported}");
            }
            long[] shape = (n["shape"]?.AsArray() ?? throw new FormatException($"tensor {name} has no shape"))
                .Select(x => x!.GetValue<long>()).ToArray();
            long offset = n["offset"]?.GetValue<long>() ?? throw new FormatException($"tensor {name} has no offset");
            long bytes = n["bytes"]?.GetValue<long>() ?? throw new FormatException($"tensor {name} has no byte count");
            long computed = TensorBytes.ByteCount(type, shape);
            if (computed != bytes)
            {
                throw new FormatException($"tensor {name}: {bytes} bytes recorded, {dtype} ({string.Join(", ", shape)}) needs {computed}");
            }
            if (offset < 0 || offset > dataBytes - bytes)
            {
                throw new FormatException($"tensor {name}: bytes [{offset}, {offset + bytes}) lie outside the {dataBytes}-byte data section");
            }
            var entry = new Entry(section, name, type, shape, offset, bytes);
            if (!keys.Add(entry.Key))
            {
                throw new FormatException($"tensor {entry.Key} appears twice");
            }
            entries.Add(entry);
        }
        long end = 0;
        foreach (var e in entries.OrderBy(e => e.Offset))
        {
            if (e.Offset < end)
            {
                throw new FormatException($"tensor {e.Key} overlaps the one before it");
            }
            end = e.Offset + e.Bytes;
        }
        return entries;
    }

    static Checkpoint Assemble(string path, JsonNode root, List<Entry> entries, Dictionary<string, Tensor> tensors)
    {
        Dictionary<string, Tensor> Section(string section) => entries.Where(e => e.Section == section)
            .ToDictionary(e => e.Name, e => tensors[e.Key]);
        CheckpointSlot? Slot(string name)
        {
            var node = root[name];
            var own = Section(name);
            if (node is null)
            {
                return own.Count == 0 ? null : throw new FormatException($"{name} is null but {own.Count} {name} tensors are stored");
            }
            return new CheckpointSlot { State = node["state"]?.DeepClone(), Tensors = own };
        }
        try
        {
            var model = ModelSpec.FromJson(root["model"] ?? throw new FormatException("model is missing"));
            DataPosition? data = root["data_position"] is { } d
                ? new DataPosition(d["epoch"]!.GetValue<long>(), d["sample"]!.GetValue<long>(), d["batch"]!.GetValue<long>(), d["source"]?.GetValue<string>())
                : null;
            RngState? rng = root["rng"] is { } r
                ? new RngState(r["seed"]!.GetValue<long>())
                {
                    Counters = (r["counters"]?.AsObject() ?? []).ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<long>()),
                    State = Convert.FromBase64String(r["state"]?.GetValue<string>() ?? ""),
                }
                : null;
            var checkpoint = new Checkpoint
            {
                Model = model,
                Weights = Section("model"),
                Step = root["step"]?.GetValue<long>() ?? throw new FormatException("step is missing"),
                Data = data,
                Rng = rng,
                Optimizer = Slot("optimizer"),
                Scheduler = Slot("scheduler"),
                Metadata = (root["metadata"]?.AsObject() ?? []).ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>()),
                GenomambaVersion = root["genomamba_version"]?.GetValue<string>() ?? "unknown",
            };
            return checkpoint.WithSource(path);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NullReferenceException
                                      or ArgumentOutOfRangeException or ArgumentException)
        {
            // The checksum matched, so this is not damage: the file was written by another genomamba or another program.
            throw Fail(path, $"header does not describe a model this genomamba can build: {e.Message}",
                $"it was written by genomamba {root["genomamba_version"]}; load it with that version", e);
        }
    }
}
