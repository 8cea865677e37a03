namespace Genomics.Data.Datasets;

/// <summary>
/// A reusable block of samples: <see cref="Inputs"/> and <see cref="Targets"/> are row-major
/// (<see cref="Capacity"/> × <see cref="Length"/>) token ids, of which the first <see cref="Size"/> rows
/// are filled. Allocated once and refilled many times by an <see cref="IBatchSource"/>, so that loading
/// allocates nothing in steady state. Whoever hands a batch out says how long it stays valid.
/// </summary>
public sealed class Batch
{
    public Batch(int capacity, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        long cells = (long)capacity * length;
        if (cells > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), $"a batch of {capacity} × {length} tokens exceeds the largest array ({Array.MaxLength}); use a smaller micro-batch");
        }
        Capacity = capacity;
        Length = length;
        Inputs = new int[cells];
        Targets = new int[cells];
        Samples = new SampleRef[capacity];
        Labels = new int[capacity];
    }

    /// <summary>Rows this batch can hold (B).</summary>
    public int Capacity { get; }

    /// <summary>Tokens per row (L).</summary>
    public int Length { get; }

    /// <summary>Rows filled, ≤ Capacity; smaller only for a final partial batch.</summary>
    public int Size { get; set; }

    /// <summary>The epoch the content was drawn for.</summary>
    public int Epoch { get; set; }

    /// <summary>Position of this batch within its epoch.</summary>
    public int Index { get; set; }

    /// <summary>Input ids, row-major (Capacity × Length); rows past Size are stale.</summary>
    public int[] Inputs { get; }

    /// <summary>Next-token ids, row-major like Inputs: Targets[r, i] is the token after Inputs[r, i].</summary>
    public int[] Targets { get; }

    /// <summary>Provenance of each filled row.</summary>
    public SampleRef[] Samples { get; }

    /// <summary>Class label of each row (capacity long): classification (species) has one target per sequence, not per token.</summary>
    public int[] Labels { get; }

    /// <summary>The filled part of <see cref="Inputs"/> (Size × Length).</summary>
    public Span<int> FilledInputs => Inputs.AsSpan(0, Size * Length);

    /// <summary>The filled part of <see cref="Targets"/> (Size × Length).</summary>
    public Span<int> FilledTargets => Targets.AsSpan(0, Size * Length);

    public Span<int> InputRow(int row) => Inputs.AsSpan(CheckRow(row) * Length, Length);

    public Span<int> TargetRow(int row) => Targets.AsSpan(CheckRow(row) * Length, Length);

    int CheckRow(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Capacity);
        return row;
    }
}
