using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Genomics.Mamba.Checkpoints;

/// <summary>
/// Opaque state of one training component (the optimizer, the LR scheduler): a JSON document for scalars and structure
/// (step counts, hyper-parameters, param-group layout) plus named tensors (AdamW's exp_avg.3, …). The checkpoint file
/// stores both verbatim; the component that wrote them is the one that interprets them.
/// </summary>
public sealed class CheckpointSlot
{
    /// <summary>Scalars and structure; null when the component keeps only tensors.</summary>
    public JsonNode? State { get; init; }

    /// <summary>Tensors by name (any names the component likes; stored in the file's tensor directory).</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors { get; init; } = new Dictionary<string, Tensor>();
}

/// <summary>Where training stood in its data when the checkpoint was taken, so a resumed run continues rather than repeats.</summary>
/// <param name="Epoch">Completed passes over the data (0-based epoch in progress).</param>
/// <param name="Sample">Samples consumed in this epoch (the next one to read).</param>
/// <param name="Batch">Batches consumed in this epoch.</param>
/// <param name="Source">Optional identity of the data (a dataset fingerprint or path) so a resume on other data can be noticed.</param>
public sealed record DataPosition(long Epoch, long Sample, long Batch, string? Source = null);

/// <summary>
/// Random-number state: the run's seed, named counters (e.g. how many draws a sampler has made), and an opaque blob for a
/// generator's full state (e.g. torch's Generator.get_state() bytes). Whoever restores it decides what the blob means.
/// </summary>
public sealed record RngState(long Seed)
{
    public IReadOnlyDictionary<string, long> Counters { get; init; } = new Dictionary<string, long>();

    /// <summary>Opaque bytes (stored base64 in the header); empty when unused.</summary>
    public byte[] State { get; init; } = [];
}
