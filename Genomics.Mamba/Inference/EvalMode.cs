using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Inference;

/// <summary>
/// Puts a module in eval mode for a using block and restores train mode after if it was on, so a validation pass in
/// the middle of training (perplexity, species accuracy) leaves the model as it found it.
/// </summary>
internal readonly struct EvalMode : IDisposable
{
    readonly nn.Module? _restore;

    EvalMode(nn.Module? restore) => _restore = restore;

    public static EvalMode Enter(nn.Module module)
    {
        bool wasTraining = module.training;
        module.eval();
        return new EvalMode(wasTraining ? module : null);
    }

    public void Dispose() => _restore?.train();
}
