using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Runtime;
using static TorchSharp.torch;

namespace Genomics.Cli.Tests;

/// <summary>Tiny random checkpoints (d_model 16, 2 blocks) saved once per test class: a language model and a 4-species classifier.</summary>
public sealed class TinyCheckpoints : IDisposable
{
    public static readonly MambaConfig Config = new() { DModel = 16, NLayer = 2 };

    readonly TestData.TempDir _dir = TestData.NewTempDir();

    public TinyCheckpoints()
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(4);
        using (var lm = new MambaLM(Config))
        {
            Checkpoint.Of(lm).Save(LanguageModel);
        }
        using (var classifier = new SequenceClassifier(Config, 4))
        {
            Checkpoint.Of(classifier).Save(Classifier);
            // The same model, labelled as trained on other species: evaluate must refuse it on the apes.
            new Checkpoint
            {
                Model = ModelSpec.Of(classifier),
                Weights = StateDicts.Of(classifier),
                Metadata = new Dictionary<string, string> { ["species"] = "human,chimpanzee,gorilla,orangutan" },
            }.Save(MislabelledClassifier);
        }
    }

    public string LanguageModel => _dir.File("lm.gmckpt");

    public string Classifier => _dir.File("species.gmckpt");

    public string MislabelledClassifier => _dir.File("species-mislabelled.gmckpt");

    public static string HumanGenome => TestData.Embedded("human/hg38_chr2_1-2333275.2bit");

    public static string HumanTiles => TestData.Embedded("human/hg38_chr2_1-2333275.tiles.bed");

    public void Dispose() => _dir.Dispose();
}
