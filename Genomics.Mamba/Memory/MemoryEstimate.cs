using System.Globalization;
using System.Text;

namespace Genomics.Mamba.Memory;

/// <summary>
/// Predicted peak resident memory of one training step, in bytes, by part. The parts are disjoint and sum to
/// <see cref="TotalBytes"/>, the figure compared with the measured peak RSS (VmHWM).
/// </summary>
/// <param name="RuntimeBytes">.NET, TorchSharp and libtorch resident after the first step: a measured constant.</param>
/// <param name="ParameterBytes">fp32 master weights and buffers (plus bf16 copies of the weights in bf16).</param>
/// <param name="GradientBytes">One fp32 gradient per parameter.</param>
/// <param name="OptimizerBytes">AdamW's two fp32 moments per parameter.</param>
/// <param name="SavedActivationBytes">What autograd keeps for backward at the peak: every block's activations, or with
/// checkpointing only each block's inputs (hidden, residual).</param>
/// <param name="BlockWorkingSetBytes">One block's backward on top of that (and, checkpointed, its recomputed activations),
/// over a segment of the sequence when segmented.</param>
/// <param name="ScanChunkStateBytes">The native scan's saved chunk-boundary states (Mamba).</param>
/// <param name="FftBufferBytes">Hyena's spectra of size 2L per channel kept for backward.</param>
/// <param name="HeadBytes">Final norm, logits (B·L·16), log-softmax, the logits' gradient.</param>
public sealed record MemoryEstimate(
    long RuntimeBytes,
    long ParameterBytes,
    long GradientBytes,
    long OptimizerBytes,
    long SavedActivationBytes,
    long BlockWorkingSetBytes,
    long ScanChunkStateBytes,
    long FftBufferBytes,
    long HeadBytes)
{
    /// <summary>The predicted peak RSS.</summary>
    public long TotalBytes => RuntimeBytes + ModelStateBytes + ActivationBytes;

    /// <summary>Weights, gradients and optimizer moments: what training holds between steps.</summary>
    public long ModelStateBytes => ParameterBytes + GradientBytes + OptimizerBytes;

    /// <summary>What a step adds at its peak: the predicted rise of RSS over the between-steps baseline.</summary>
    public long ActivationBytes => SavedActivationBytes + BlockWorkingSetBytes + ScanChunkStateBytes + FftBufferBytes + HeadBytes;

    /// <summary>The parts as (label, bytes) rows, zero rows left out.</summary>
    public IEnumerable<(string Label, long Bytes)> Rows()
    {
        (string, long)[] rows =
        [
            ("params + grads + AdamW", ModelStateBytes),
            ("saved activations", SavedActivationBytes),
            ("block working set", BlockWorkingSetBytes),
            ("scan chunk states", ScanChunkStateBytes),
            ("FFT buffers (2L)", FftBufferBytes),
            ("logits + loss", HeadBytes),
            ("runtime (measured)", RuntimeBytes),
        ];
        return rows.Where(r => r.Item2 != 0);
    }

    /// <summary>"1.25 GiB", "310 MiB", "12 KiB": binary units, three significant digits.</summary>
    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int u = 0;
        while (Math.Abs(value) >= 1024 && u < units.Length - 1)
        {
            value /= 1024;
            u++;
        }
        string number = u == 0 ? value.ToString("F0", CultureInfo.InvariantCulture)
            : Math.Abs(value) >= 100 ? value.ToString("F0", CultureInfo.InvariantCulture)
            : Math.Abs(value) >= 10 ? value.ToString("F1", CultureInfo.InvariantCulture)
            : value.ToString("F2", CultureInfo.InvariantCulture);
        return $"{number} {units[u]}";
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (label, bytes) in Rows())
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {label,-24} {Format(bytes),10}");
        }
        text.Append(CultureInfo.InvariantCulture, $"  {"predicted peak",-24} {Format(TotalBytes),10}");
        return text.ToString();
    }
}
