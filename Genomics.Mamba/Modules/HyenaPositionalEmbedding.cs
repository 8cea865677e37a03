using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Modules;

/// <summary>
/// The inputs of the implicit filter (hyena-dna <c>PositionalEmbedding</c>): for positions 0 … L_max − 1, the normalised
/// time t ∈ [0, 1] and (emb_dim − 1)/2 bands of cos(f·ω), −sin(f·ω) with ω = 2π·pos/L_max and f = linspace(1e-4,
/// bands − 1, bands) — the real and imaginary parts of exp(−i f ω). Buffers z (1, L_max, emb_dim) and t (1, L_max, 1),
/// as hyena-dna registers them with lr_pos_emb = 0; a length-L input reads the first L rows. Built in fp32 the way
/// upstream builds them, so they equal a checkpoint's to rounding.
/// </summary>
public sealed class HyenaPositionalEmbedding : nn.Module
{
    readonly Tensor z;
    readonly Tensor t;

    public HyenaPositionalEmbedding(int embDim, int maxLength) : base(nameof(HyenaPositionalEmbedding))
    {
        using (var scope = NewDisposeScope())
        {
            int bands = (embDim - 1) / 2;
            var time = linspace(0, 1, maxLength, dtype: float32).reshape(1, maxLength, 1);            // (1, L, 1)
            var position = linspace(0, maxLength - 1, maxLength, dtype: float32).reshape(1, maxLength, 1);
            var omega = 2 * Math.PI * position / maxLength;                                            // (1, L, 1)
            var f = linspace(1e-4, bands - 1, bands, dtype: float32).reshape(1, 1, bands);             // (1, 1, bands)
            var phase = f * omega;                                                                     // (1, L, bands)
            z = cat([time, cos(phase), -sin(phase)], -1).DetachFromDisposeScope();                    // (1, L, emb_dim)
            t = time.clone().DetachFromDisposeScope();
        }
        register_buffer(nameof(z), z);
        register_buffer(nameof(t), t);
    }

    /// <summary>Positions the buffers cover.</summary>
    public long MaxLength => z.shape[1];

    /// <summary>The first <paramref name="length"/> positions: z (1, l, emb_dim), t (1, l, 1) — views of the buffers.</summary>
    public (Tensor Z, Tensor T) Take(long length) => Take(0, length);

    /// <summary>Positions [start, start + count): z (1, count, emb_dim), t (1, count, 1) — views of the buffers.</summary>
    public (Tensor Z, Tensor T) Take(long start, long count) => (z.narrow(1, start, count), t.narrow(1, start, count));
}
