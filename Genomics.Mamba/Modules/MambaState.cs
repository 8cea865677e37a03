using static TorchSharp.torch;

namespace Genomics.Mamba.Modules;

/// <summary>
/// The recurrent inference state of a Mamba model: per block, the last d_conv conv inputs (b, d_inner, d_conv) and
/// the SSM state (b, d_inner, N). O(1) in sequence length: this is what lets a model score or generate any length.
/// Owns its tensors (they are updated in place by each step); dispose it when done.
/// </summary>
public sealed class MambaState : IDisposable
{
    public MambaState(IReadOnlyList<(Tensor Conv, Tensor Ssm)> layers)
    {
        Layers = layers;
        foreach (var (conv, ssm) in layers)
        {
            // The state outlives any step's dispose scope: this object owns it.
            conv.DetachFromDisposeScope();
            ssm.DetachFromDisposeScope();
        }
    }

    /// <summary>(conv, ssm) per block, in block order.</summary>
    public IReadOnlyList<(Tensor Conv, Tensor Ssm)> Layers { get; }

    /// <summary>Tokens consumed so far.</summary>
    public long Position { get; internal set; }

    /// <summary>Zeroes every state, as for a fresh sequence.</summary>
    public void Reset()
    {
        foreach (var (conv, ssm) in Layers)
        {
            conv.zero_();
            ssm.zero_();
        }
        Position = 0;
    }

    public void Dispose()
    {
        foreach (var (conv, ssm) in Layers)
        {
            conv.Dispose();
            ssm.Dispose();
        }
    }
}
