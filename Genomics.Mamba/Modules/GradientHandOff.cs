using static TorchSharp.torch;

namespace Genomics.Mamba.Modules;

/// <summary>
/// Who frees the gradients a custom autograd function returns. libtorch copies each returned tensor as the function
/// returns, but the C# handle stays: moved to the caller's dispose scope it lives until that scope ends — after the whole
/// backward, so a checkpointed model would hold one (b, l, d) gradient per block until then (+1 GB per block at 2^20
/// tokens) — and detached it lives until the garbage collector gets round to it. So handles are detached here and
/// disposed at the start of the next backward of such a function on the same thread: by then libtorch holds its own
/// reference. At most one function's gradients wait at any time; the last ones wait for the next backward (or the GC).
/// Per thread because the autograd engine runs a CPU graph's nodes one after another on the thread that called backward.
/// </summary>
internal static class GradientHandOff
{
    [ThreadStatic]
    static List<Tensor>? _pending;

    /// <summary>Disposes the handles the previous backward on this thread handed out. Call first thing in a backward.</summary>
    public static void ReleasePrevious()
    {
        if (_pending is not { Count: > 0 } pending)
        {
            return;
        }
        foreach (var t in pending)
        {
            t.Dispose();
        }
        pending.Clear();
    }

    /// <summary>
    /// Disposes the handles TorchSharp made for a backward's incoming gradients. It makes them in whatever dispose scope
    /// is current when the engine calls back — usually the caller's around loss.backward() — where they would outlive
    /// the backward, one (b, l, d) per block; the engine keeps its own references for as long as it needs them.
    /// </summary>
    public static void ReleaseIncoming(List<Tensor> gradOutputs)
    {
        foreach (var g in gradOutputs)
        {
            g?.Dispose();
        }
    }

    /// <summary><paramref name="gradient"/>, out of every dispose scope and queued for disposal at the next backward.</summary>
    public static Tensor? Return(Tensor? gradient)
    {
        if (gradient is null || gradient.IsInvalid)
        {
            return null;
        }
        gradient.DetachFromDisposeScope();
        (_pending ??= []).Add(gradient);
        return gradient;
    }
}
