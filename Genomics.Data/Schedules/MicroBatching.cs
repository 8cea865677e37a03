namespace Genomics.Data.Schedules;

/// <summary>Splits an optimizer batch into micro-batches that fit a device.</summary>
internal static class MicroBatching
{
    /// <summary>
    /// The largest micro-batch not above <paramref name="cap"/> that divides <paramref name="batch"/>
    /// exactly, and the accumulation count that restores the batch. The batch is never rounded, so tokens
    /// per step stay what the plan promised; for the power-of-two batches of the paper this is simply the
    /// cap rounded down to a power of two. A prime batch above the cap degrades to micro-batch 1 — correct,
    /// only slow.
    /// </summary>
    public static (int MicroBatch, int Accumulation) Split(int batch, int? cap)
    {
        if (cap is not { } c || batch <= c)
        {
            return (batch, 1);
        }
        for (int micro = c; micro > 1; micro--)
        {
            if (batch % micro == 0)
            {
                return (micro, batch / micro);
            }
        }
        return (1, batch);
    }
}
