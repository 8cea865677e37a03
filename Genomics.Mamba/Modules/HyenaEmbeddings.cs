using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Genomics.Mamba.Modules;

/// <summary>
/// Token embedding of a HyenaDNA trunk (flash-attn <c>GPT2Embeddings</c> with max_position_embeddings = 0, as
/// hyena-dna uses it: Hyena needs no position embedding, its filters are functions of position). It exists as a
/// module of its own only so the key is hyena-dna's: embeddings.word_embeddings.weight.
/// </summary>
public sealed class HyenaEmbeddings : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // hyena-dna's state-dict keys
    readonly Embedding word_embeddings;
#pragma warning restore IDE1006

    public HyenaEmbeddings(long vocab, long dModel) : base(nameof(HyenaEmbeddings))
    {
        word_embeddings = nn.Embedding(vocab, dModel);
        register_module(nameof(word_embeddings), word_embeddings);
    }

    /// <summary>The (padded vocab, d) table; the tied LM head reads it too.</summary>
    public Embedding WordEmbeddings => word_embeddings;

    /// <summary>ids (b, l) int64 → (b, l, d).</summary>
    public override Tensor forward(Tensor ids) => word_embeddings.forward(ids);
}
