using Genomics.Data.Datasets;
using static TorchSharp.torch;

namespace Genomics.Mamba.Training;

/// <summary>The filled rows of a loader <see cref="Batch"/> as int64 tensors (copies: the batch's buffers are refilled after the step).</summary>
public static class BatchTensors
{
    /// <summary>Inputs (b, l) int64.</summary>
    public static Tensor Inputs(Batch batch) => Rows(batch.Inputs, batch.Size, batch.Length);

    /// <summary>Next-token targets (b, l) int64.</summary>
    public static Tensor Targets(Batch batch) => Rows(batch.Targets, batch.Size, batch.Length);

    /// <summary>Class labels (b) int64.</summary>
    public static Tensor Labels(Batch batch)
    {
        using var raw = tensor(batch.Labels.AsSpan(0, batch.Size).ToArray(), [batch.Size]);
        return raw.to(ScalarType.Int64);
    }

    static Tensor Rows(int[] data, int rows, int length)
    {
        using var raw = tensor(data.AsSpan(0, rows * length).ToArray(), [rows, length]);
        return raw.to(ScalarType.Int64);
    }
}
