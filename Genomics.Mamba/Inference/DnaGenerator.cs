using Genomics.Data.Tokenization;
using Genomics.Mamba.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Inference;

/// <summary>
/// Continues a DNA prompt with a language model. Mamba: the prompt runs in parallel once (<see cref="MambaLM.Prefill"/>),
/// then each new base costs one recurrent <see cref="MambaLM.Step"/> — O(1) time and memory per base whatever the length
/// so far. HyenaDNA has no recurrent mode: each base re-runs the whole sequence (O(n) per base), up to its l_max.
/// </summary>
public sealed class DnaGenerator
{
    readonly nn.Module<Tensor, Tensor> _model;
    readonly Device _device;

    /// <param name="model">A MambaLM or HyenaLM.</param>
    public DnaGenerator(nn.Module<Tensor, Tensor> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is not (MambaLM or HyenaLM))
        {
            throw new ArgumentException($"a {model.GetType().Name} does not predict the next base: generation needs a language model (MambaLM or HyenaLM)", nameof(model));
        }
        _model = model;
        _device = model.parameters().First().device;
    }

    /// <summary>
    /// <paramref name="samples"/> continuations of <paramref name="prompt"/> (token ids, at least one), each
    /// <paramref name="count"/> tokens long (the prompt not included). Progress reports tokens generated per sequence.
    /// </summary>
    public int[][] Generate(IReadOnlyList<int> prompt, int count, Sampler sampler, int samples = 1, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(sampler);
        if (prompt.Count == 0)
        {
            throw new ArgumentException("the prompt needs at least one base: the model predicts each base from the ones before it", nameof(prompt));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        if (_model is HyenaLM hyena && prompt.Count + count > hyena.Config.MaxLength - 2)
        {
            throw new ArgumentException($"prompt {prompt.Count} + {count} bases is longer than this HyenaDNA model's context {hyena.Config.MaxLength - 2}", nameof(count));
        }
        var output = Enumerable.Range(0, samples).Select(_ => new int[count]).ToArray();
        if (count == 0)
        {
            return output;
        }
        using var noGrad = no_grad();
        using var evalMode = EvalMode.Enter(_model);
        var ids = new long[samples * (long)prompt.Count];
        for (int s = 0; s < samples; s++)
        {
            for (int t = 0; t < prompt.Count; t++)
            {
                ids[(long)s * prompt.Count + t] = prompt[t];
            }
        }
        using var promptIds = tensor(ids, [samples, prompt.Count], device: _device);
        if (_model is MambaLM mamba)
        {
            using var state = mamba.NewState(samples);
            int[] next;
            using (var scope = NewDisposeScope())
            {
                next = sampler.Next(mamba.Prefill(promptIds, state).select(1, -1));      // (b, v) at the last prompt position
            }
            for (int t = 0; ; t++)
            {
                Put(output, t, next);
                progress?.Report(t + 1);
                if (t + 1 == count)
                {
                    break;
                }
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var logits = mamba.Step(tensor(next.Select(x => (long)x).ToArray(), device: _device), state);   // (b, v)
                next = sampler.Next(logits);
            }
            return output;
        }
        var sequence = promptIds.clone();
        try
        {
            for (int t = 0; t < count; t++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var next = sampler.Next(_model.forward(sequence).select(1, -1));         // (b, v)
                Put(output, t, next);
                var grown = cat([sequence, tensor(next.Select(x => (long)x).ToArray(), [samples, 1], device: _device)], 1).DetachFromDisposeScope();
                sequence.Dispose();
                sequence = grown;
                progress?.Report(t + 1);
            }
        }
        finally
        {
            sequence.Dispose();
        }
        return output;
    }

    /// <summary>Bases of generated token ids ("ACGT…"; N only if the sampler allows it).</summary>
    public static string Decode(int[] tokens) => DnaTokenizer.Decode(tokens);

    static void Put(int[][] output, int t, int[] next)
    {
        for (int s = 0; s < output.Length; s++)
        {
            output[s][t] = next[s];
        }
    }
}
