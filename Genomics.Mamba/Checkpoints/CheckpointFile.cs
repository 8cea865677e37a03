using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Genomics.Data;
using static TorchSharp.torch;

namespace Genomics.Mamba.Checkpoints;

/// <summary>
/// The genomamba checkpoint file (".gmckpt"), one self-checking file per checkpoint. Layout, all integers little-endian:
/// <code>
/// offset 0   "GMCKPT"                  6-byte magic
///        6   u16 format version        1
///        8   u64 H                     header length in bytes
///       16   header                    H bytes of UTF-8 JSON (below)
///        D   tensor data               D = 16 + H rounded up to 64; each tensor's raw bytes at D + its offset
///                                      (offsets 64-aligned, zero padding between), data_bytes in all
/// D + data_bytes   u64 checksum        XXH64 (seed 0) of every byte before it: prologue, header, padding, data
/// </code>
/// Header: format "genomamba-checkpoint", format_version, genomamba_version, created_utc, checksum "xxh64", model
/// {kind mamba|hyena, head lm|classifier, classes, pooling, config {snake_case fields of MambaConfig/HyenaConfig}},
/// step, data_position {epoch, sample, batch, source} or null, rng {seed, counters, state (base64)} or null,
/// optimizer / scheduler {state: any JSON} or null, metadata {string: string}, alignment, data_bytes, and tensors:
/// [{section model|optimizer|scheduler, name, dtype (PyTorch name: float32, bfloat16, int64, …), shape, offset, bytes}].
/// Tensors are row-major and contiguous, so numpy.frombuffer / torch.frombuffer read them directly.
/// Writing goes through <see cref="AtomicFile"/>; reading checks magic, version, lengths, the directory and the
/// checksum, and reports any failure as a <see cref="DataFormatException"/> with the file, the problem and what to do.
/// </summary>
public static partial class CheckpointFile
{
    public const string Magic = "GMCKPT";
    public const ushort Version = 1;
    public const int Alignment = 64;
    public const string Extension = ".gmckpt";
    public const string FormatName = "genomamba-checkpoint";

    const int PrologueBytes = 16;          // magic 6 + version 2 + header length 8
    const long MaxHeaderBytes = 1L << 30;  // a header this large is damage, not a model
    static readonly string[] Sections = ["model", "optimizer", "scheduler"];

    const string Damaged = "the file is damaged (interrupted copy, disk error or a partial download): use an earlier checkpoint or copy it again";

    sealed record Entry(string Section, string Name, ScalarType Type, long[] Shape, long Offset, long Bytes)
    {
        public string Key => $"{Section}/{Name}";
    }

    /// <summary>Writes <paramref name="checkpoint"/> to <paramref name="path"/> atomically: the previous file, if any, survives any failure.</summary>
    public static void Write(string path, Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("genomamba checkpoints are little-endian; this machine is not");
        }
        var tensors = new List<(Entry Entry, Tensor Tensor)>();
        long offset = 0;
        void Add(string section, IReadOnlyDictionary<string, Tensor> named)
        {
            foreach (var (name, t) in named)
            {
                var type = t.dtype;
                TensorBytes.TorchName(type);   // throws for unsupported dtypes before any file is touched
                long bytes = TensorBytes.ByteCount(type, t.shape);
                offset = TensorBytes.AlignUp(offset, Alignment);
                tensors.Add((new Entry(section, name, type, t.shape, offset, bytes), t));
                offset += bytes;
            }
        }
        Add("model", checkpoint.Weights);
        Add("optimizer", checkpoint.Optimizer?.Tensors ?? new Dictionary<string, Tensor>());
        Add("scheduler", checkpoint.Scheduler?.Tensors ?? new Dictionary<string, Tensor>());
        long dataBytes = offset;

        byte[] header = Encoding.UTF8.GetBytes(Header(checkpoint, tensors.Select(t => t.Entry), dataBytes).ToJsonString(
            new JsonSerializerOptions { WriteIndented = true }));
        long dataStart = TensorBytes.AlignUp(PrologueBytes + header.Length, Alignment);

        AtomicFile.Write(path, file =>
        {
            var s = new HashingStream(file);
            Span<byte> prologue = stackalloc byte[PrologueBytes];
            Encoding.ASCII.GetBytes(Magic, prologue);
            BinaryPrimitives.WriteUInt16LittleEndian(prologue[6..], Version);
            BinaryPrimitives.WriteUInt64LittleEndian(prologue[8..], (ulong)header.Length);
            s.Write(prologue);
            s.Write(header);
            TensorBytes.Pad(s, dataStart - s.Position);
            foreach (var (entry, tensor) in tensors)
            {
                TensorBytes.Pad(s, dataStart + entry.Offset - s.Position);
                TensorBytes.Write(tensor, s);
                if (s.Position != dataStart + entry.Offset + entry.Bytes)
                {
                    throw new InvalidOperationException($"{entry.Key}: wrote {s.Position - dataStart - entry.Offset} bytes, expected {entry.Bytes}");
                }
            }
            Span<byte> trailer = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(trailer, s.Hash);
            file.Write(trailer);
        });
    }

    static JsonObject Header(Checkpoint c, IEnumerable<Entry> entries, long dataBytes)
    {
        static JsonObject? Slot(CheckpointSlot? slot) => slot is null ? null : new JsonObject { ["state"] = slot.State?.DeepClone() };
        var metadata = new JsonObject();
        foreach (var (k, v) in c.Metadata)
        {
            metadata[k] = v;
        }
        JsonObject? rng = null;
        if (c.Rng is { } r)
        {
            var counters = new JsonObject();
            foreach (var (k, v) in r.Counters)
            {
                counters[k] = v;
            }
            rng = new JsonObject { ["seed"] = r.Seed, ["counters"] = counters, ["state"] = Convert.ToBase64String(r.State) };
        }
        return new JsonObject
        {
            ["format"] = FormatName,
            ["format_version"] = Version,
            ["genomamba_version"] = Checkpoint.CurrentVersion,
            ["created_utc"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["checksum"] = "xxh64",
            ["model"] = c.Model.ToJson(),
            ["step"] = c.Step,
            ["data_position"] = c.Data is { } d
                ? new JsonObject { ["epoch"] = d.Epoch, ["sample"] = d.Sample, ["batch"] = d.Batch, ["source"] = d.Source }
                : null,
            ["rng"] = rng,
            ["optimizer"] = Slot(c.Optimizer),
            ["scheduler"] = Slot(c.Scheduler),
            ["metadata"] = metadata,
            ["alignment"] = Alignment,
            ["data_bytes"] = dataBytes,
            ["tensors"] = new JsonArray(entries.Select(e => (JsonNode)new JsonObject
            {
                ["section"] = e.Section,
                ["name"] = e.Name,
                ["dtype"] = TensorBytes.TorchName(e.Type),
                ["shape"] = new JsonArray(e.Shape.Select(x => (JsonNode)x).ToArray()),
                ["offset"] = e.Offset,
                ["bytes"] = e.Bytes,
            }).ToArray()),
        };
    }

    static DataFormatException Fail(string path, string problem, string hint, Exception? inner = null) =>
        new(path, problem, hint, inner);
}
