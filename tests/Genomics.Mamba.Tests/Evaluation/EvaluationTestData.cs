using Genomics.Data.Genome;
using Genomics.Data.Tokenization;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Tests.Checkpoints;
using Genomics.Mamba.Evaluation;
using Genomics.Mamba.Runtime;

namespace Genomics.Mamba.Tests.Evaluation;

/// <summary>Real windows from the repository's embedded hg38 piece, with a few targets made non-bases on purpose.</summary>
public static class EvaluationTestData
{
    public static string HumanGenome => Path.Combine(CheckpointTestData.RepoRoot, "data", "human", "hg38_chr2_1-2333275.2bit");

    /// <summary><paramref name="count"/> windows of <paramref name="length"/>; in window 0 target 5 is N and target 9 is [PAD].</summary>
    public static IReadOnlyList<EvaluationWindow> Windows(int length, int count)
    {
        TorchRuntime.EnsureLoaded();
        using var genome = GenomeFile.Open(HumanGenome);
        var windows = EvaluationWindows.FromGenome(genome, length, 40).Skip(10).Take(count).ToArray();
        windows[0].Targets[5] = DnaTokenizer.N;
        windows[0].Targets[9] = DnaTokenizer.Pad;
        return windows;
    }
}
