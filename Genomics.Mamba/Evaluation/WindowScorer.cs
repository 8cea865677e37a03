using Genomics.Mamba.Modules;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Genomics.Mamba.Evaluation;

/// <summary>
/// Scores windows with a language model (<see cref="MambaLM"/> or <see cref="HyenaLM"/>): per window, the summed NLL of
/// its scored targets (<see cref="ScoredTargets"/>). Three ways to run the model (<see cref="ScoringMode"/>) that give the
/// same numbers; the streamed and step modes carry the Mamba recurrent state along the window, so a window of any
/// length is scored in memory that does not grow with it. No gradients; the model runs in eval mode and is left in the
/// mode it was in, so a training loop can score its validation windows with it.
/// </summary>
public sealed class WindowScorer
{
    readonly nn.Module<Tensor, Tensor> _model;
    readonly Device _device;

    /// <param name="model">A MambaLM or HyenaLM (a classifier has no next-token distribution to score).</param>
    /// <param name="mode">Parallel, Streamed or Step; resolve Auto first (<see cref="Resolve"/>).</param>
    /// <param name="chunk">Positions per chunk in streamed mode.</param>
    public WindowScorer(nn.Module<Tensor, Tensor> model, ScoredTargets scored, ScoringMode mode, int chunk = 1 << 14)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(scored);
        if (model is not (MambaLM or HyenaLM))
        {
            throw new ArgumentException($"a {model.GetType().Name} has no next-token distribution: perplexity needs a language model (MambaLM or HyenaLM)", nameof(model));
        }
        if (mode == ScoringMode.Auto || !Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "resolve Auto with WindowScorer.Resolve first");
        }
        if (mode != ScoringMode.Parallel && model is not MambaLM)
        {
            throw new ArgumentException($"{mode} scoring carries Mamba's recurrent state; HyenaDNA has none and scores in parallel only", nameof(mode));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        _model = model;
        _device = model.parameters().First().device;
        Scored = scored.Validate();
        Mode = mode;
        Chunk = chunk;
    }

    public ScoredTargets Scored { get; }

    public ScoringMode Mode { get; }

    public int Chunk { get; }

    /// <summary>
    /// What Auto means for windows of <paramref name="length"/> under <paramref name="budgetBytes"/>: parallel with as
    /// many windows per batch as fit (at most <paramref name="maxBatch"/>), else — Mamba only — streamed with the
    /// largest power-of-two chunk that fits (at least 1,024 positions). Throws for a HyenaDNA window that does not fit.
    /// </summary>
    public static (ScoringMode Mode, int Batch, int Chunk) Resolve(Checkpoints.ModelSpec spec, ScoringMode requested, int length, int maxBatch, long budgetBytes)
    {
        int batch = 1;
        while (batch < maxBatch && InferenceMemory.ParallelForwardBytes(spec, 2L * batch, length) <= budgetBytes)
        {
            batch *= 2;
        }
        batch = Math.Min(batch, maxBatch);
        bool fits = InferenceMemory.ParallelForwardBytes(spec, 1, length) <= budgetBytes;
        var mode = requested == ScoringMode.Auto ? (fits ? ScoringMode.Parallel : ScoringMode.Streamed) : requested;
        if (mode == ScoringMode.Streamed && spec.Kind != Checkpoints.ModelKind.Mamba)
        {
            throw new InvalidOperationException(
                $"a HyenaDNA window of {length:N0} tokens needs about {InferenceMemory.ParallelForwardBytes(spec, 1, length) / (1 << 20):N0} MiB to score " +
                $"(budget {budgetBytes / (1 << 20):N0} MiB) and HyenaDNA has no recurrent mode to stream it; use shorter --lens or a larger --memory-gib");
        }
        int chunk = 1 << 10;
        while (chunk < length && InferenceMemory.ParallelForwardBytes(spec, batch, 2L * chunk) <= budgetBytes)
        {
            chunk *= 2;
        }
        return (mode, batch, Math.Min(chunk, length));
    }

    /// <summary>Scores windows of one length (inputs and targets c tokens each); returns one score per window, in order.</summary>
    public WindowScore[] Score(IReadOnlyList<EvaluationWindow> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (windows.Count == 0)
        {
            return [];
        }
        int length = windows[0].Length;
        foreach (var w in windows)
        {
            if (w.Length != length || w.Targets.Length != length)
            {
                throw new ArgumentException($"windows of one batch must share their length: {w.Source} has {w.Length} inputs and {w.Targets.Length} targets, the first {length}", nameof(windows));
            }
        }
        var scores = new WindowScore[windows.Count];
        var targets = windows.Select(w => w.Targets).ToArray();
        using var noGrad = no_grad();
        using var evalMode = Inference.EvalMode.Enter(_model);
        switch (Mode)
        {
            case ScoringMode.Parallel:
                using (var scope = NewDisposeScope())
                {
                    var logits = _model.forward(Ids(windows, 0, length));                  // (b, c, v)
                    TargetNll.Accumulate(logits, targets, 0, Scored, scores);
                }
                break;
            case ScoringMode.Streamed:
                Streamed((MambaLM)_model, windows, targets, scores);
                break;
            default:
                Stepped((MambaLM)_model, windows, targets, scores);
                break;
        }
        return scores;
    }

    /// <summary>
    /// The backbone's forward a chunk at a time (MambaBackbone.forward, with each block's mixer run by ForwardSegment):
    /// per block the conv tail (b, e, d_conv − 1) and scan state (b, e, n) go from one chunk to the next. Chunks before
    /// the first scored position (with a tail) still run — later chunks need their state — but skip the head.
    /// </summary>
    void Streamed(MambaLM lm, IReadOnlyList<EvaluationWindow> windows, int[][] targets, WindowScore[] scores)
    {
        var backbone = lm.Backbone;
        var blocks = backbone.Layers;
        long b = windows.Count;
        int length = windows[0].Length;
        int first = Scored.FirstPosition(length);
        var tails = new Tensor[blocks.Count];
        var states = new Tensor?[blocks.Count];
        try
        {
            for (int start = 0; start < length; start += Chunk)
            {
                int n = Math.Min(Chunk, length - start);
                using var scope = NewDisposeScope();
                var hidden = backbone.Embedding.forward(Ids(windows, start, n));           // (b, n, d)
                Tensor? residual = null;
                for (int i = 0; i < blocks.Count; i++)
                {
                    var block = blocks[i];
                    var sum = block.Sum(hidden, residual);                                 // (b, n, d)
                    tails[i] ??= zeros(b, block.Mixer.DInner, block.Mixer.DConv - 1, sum.dtype, sum.device).DetachFromDisposeScope();
                    var (output, tail, state) = block.ForwardSegment(sum, tails[i], states[i]);
                    tails[i].Dispose();
                    states[i]?.Dispose();
                    tails[i] = tail.DetachFromDisposeScope();
                    states[i] = state.DetachFromDisposeScope();
                    (hidden, residual) = (output, sum);
                }
                if (start + n <= first)
                {
                    continue;                                                              // no scored target here: the head is not needed
                }
                var final = residual is null ? hidden : residual + hidden;
                var normed = backbone.NormF.forward(final.to(backbone.NormF.Weight.dtype));   // (b, n, d)
                var logits = F.linear(normed, lm.HeadWeight);                              // (b, n, v)
                TargetNll.Accumulate(logits, targets, start, Scored, scores);
            }
        }
        finally
        {
            foreach (var t in tails)
            {
                t?.Dispose();
            }
            foreach (var s in states)
            {
                s?.Dispose();
            }
        }
    }

    /// <summary>The recurrent step mode: one position of every window at a time.</summary>
    void Stepped(MambaLM lm, IReadOnlyList<EvaluationWindow> windows, int[][] targets, WindowScore[] scores)
    {
        int length = windows[0].Length;
        using var state = lm.NewState(windows.Count);
        for (int t = 0; t < length; t++)
        {
            using var scope = NewDisposeScope();
            var logits = lm.Step(Ids(windows, t, 1).squeeze(1), state);                  // (b, v)
            TargetNll.Accumulate(logits.unsqueeze(1), targets, t, Scored, scores);
        }
    }

    /// <summary>Inputs [start, start + n) of every window as (b, n) int64.</summary>
    Tensor Ids(IReadOnlyList<EvaluationWindow> windows, int start, int n)
    {
        var ids = new long[windows.Count * (long)n];
        for (int i = 0; i < windows.Count; i++)
        {
            var row = windows[i].Inputs.AsSpan(start, n);
            for (int t = 0; t < n; t++)
            {
                ids[(long)i * n + t] = row[t];
            }
        }
        return tensor(ids, [windows.Count, n], device: _device);
    }
}
