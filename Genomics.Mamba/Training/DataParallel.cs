using Genomics.Data.Datasets;
using Genomics.Data.Schedules;
using Genomics.Mamba.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Training;

/// <summary>
/// How the <see cref="Trainer"/> shares a step between ranks. A step's A micro-batches (the plan's, global) are split
/// into N contiguous runs of A/N: rank r takes micro-batches r·A/N … (r+1)·A/N − 1 of every step, so N ranks see exactly
/// the samples one process sees, and the data position stays a global step. Each micro-batch loss is scaled by 1/A (the
/// global count), gradients are summed across ranks, and the clip sees the global norm.
/// </summary>
internal static class DataParallel
{
    /// <summary>Micro-batches per step on each rank: the stage's accumulation split evenly.</summary>
    public static int MicroBatchesPerRank(WarmupStage stage, int worldSize)
    {
        if (stage.Accumulation % worldSize != 0)
        {
            throw new ArgumentException($"the stage at L={stage.Length:N0} takes {stage.MicroBatch} × {stage.Accumulation} micro-batches per step, " +
                                        $"which {worldSize} ranks cannot share evenly; plan the run for {worldSize} ranks (a --micro-batch that divides the batch / {worldSize})");
        }
        return stage.Accumulation / worldSize;
    }

    /// <summary>This rank's micro-batches of <paramref name="source"/>, numbered from 0 (the whole source for one rank).</summary>
    public static IBatchSource Slice(IBatchSource source, int accumulation, ProcessGroup group) =>
        group.WorldSize == 1 ? source : new RankSlice(source, accumulation, group.WorldSize, group.Rank);

    /// <summary>Whether any rank says yes (every rank gets the same answer).</summary>
    public static bool AnyRank(ProcessGroup group, bool mine)
    {
        if (group.WorldSize == 1)
        {
            return mine;
        }
        using var flag = tensor(new[] { mine ? 1f : 0f });
        group.AllReduceSum(flag, deterministic: true);
        return flag.item<float>() > 0;
    }

    /// <summary>
    /// Sums every parameter's gradient (one flat fp32 buffer, one collective) and the micro-batch loss sum (fp64) across
    /// ranks, in place; returns the global loss sum.
    /// </summary>
    public static double SumGradients(ProcessGroup group, IReadOnlyList<TorchSharp.Modules.Parameter> parameters, double lossSum, bool ordered)
    {
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>(parameters.Count + 1);
        foreach (var p in parameters)
        {
            parts.Add((p.grad ?? zeros_like(p)).detach().to(float32).flatten());
        }
        var flat = cat(parts, 0).contiguous();                             // (Σ numel)
        group.AllReduceSum(flat, ordered);
        using var loss = tensor(new[] { lossSum });                        // fp64: the logged loss keeps its bits
        group.AllReduceSum(loss, ordered);
        long offset = 0;
        using (no_grad())
        {
            foreach (var p in parameters)
            {
                long n = p.numel();
                var summed = flat.narrow(0, offset, n).view(p.shape).to(p.dtype);
                if (p.grad is { } g)
                {
                    g.copy_(summed);
                }
                else
                {
                    p.grad = summed.clone();
                }
                offset += n;
            }
        }
        return loss.item<double>();
    }

    /// <summary>Every rank's parameters and buffers become rank 0's.</summary>
    public static void BroadcastParameters(ProcessGroup group, nn.Module model)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var t in model.parameters().Cast<Tensor>().Concat(model.buffers()))
        {
            var copy = t.detach().contiguous().clone();
            group.Broadcast(copy, root: 0);
            t.copy_(copy);
        }
    }

    /// <summary>Rank r's micro-batches: of each run of <c>accumulation</c> (one step), the r-th contiguous share.</summary>
    sealed class RankSlice(IBatchSource inner, int accumulation, int worldSize, int rank) : IBatchSource
    {
        readonly int _share = accumulation / worldSize;

        public int BatchSize => inner.BatchSize;

        public int Length => inner.Length;

        public int BatchCount(int epoch) => inner.BatchCount(epoch) / accumulation * _share;

        public void FillBatch(int epoch, int batchIndex, Batch destination) =>
            inner.FillBatch(epoch, batchIndex / _share * accumulation + rank * _share + batchIndex % _share, destination);
    }
}
