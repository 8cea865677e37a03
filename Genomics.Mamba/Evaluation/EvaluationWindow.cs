namespace Genomics.Mamba.Evaluation;

/// <summary>
/// One window to score: <see cref="Inputs"/> are c tokens, <see cref="Targets"/> the same window shifted by one
/// (the dataset reads c + 1 bases). <see cref="Source"/> says where it came from ("chr2:65536-66561").
/// </summary>
public sealed record EvaluationWindow(string Source, int[] Inputs, int[] Targets)
{
    /// <summary>Context length c.</summary>
    public int Length => Inputs.Length;
}
