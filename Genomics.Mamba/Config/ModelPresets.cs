using System.Globalization;
using Genomics.Data;
using Genomics.Mamba.Checkpoints;

namespace Genomics.Mamba.Config;

/// <summary>
/// The one parser of model choices as people type them: a family (mamba, hyena) and a size — a named preset
/// (<see cref="MambaConfig.Preset"/>, <see cref="HyenaConfig.Preset"/>) or dWIDTHxDEPTH (d64x4: d_model 64, 4 blocks) —
/// into a typed language-model <see cref="ModelSpec"/>; a HyenaDNA filter is sized for the training length.
/// </summary>
public static class ModelPresets
{
    /// <summary><paramref name="family"/> ("mamba" | "hyena") at <paramref name="preset"/> (a preset name or dWIDTHxDEPTH), sized for <paramref name="length"/>.</summary>
    public static ModelSpec LanguageModel(string family, string preset, int length)
    {
        ArgumentNullException.ThrowIfNull(preset);
        var free = WidthByDepth(preset);
        try
        {
            return family switch
            {
                "mamba" => ModelSpec.LanguageModel(free is { } f ? new MambaConfig { DModel = f.D, NLayer = f.N } : MambaConfig.Preset(preset)),
                "hyena" => ModelSpec.LanguageModel((free is { } f ? new HyenaConfig { DModel = f.D, NLayer = f.N } : HyenaConfig.Preset(preset)).ForContext(length)),
                _ => throw new ArgumentException($"--model '{family}': expected mamba or hyena"),
            };
        }
        catch (ArgumentException e) when (e.ParamName == "name")
        {
            throw new ArgumentException($"--preset '{preset}': {ErrorText.FirstLine(e.Message)}, or dWIDTHxDEPTH (e.g. d64x4)");
        }
    }

    /// <summary>"mamba-1.4M", "hyena-small-32k", "mamba-d128x8" (FAMILY-PRESET, as `bench model --models` takes them).</summary>
    public static ModelSpec FromKey(string key, int length)
    {
        int dash = key.IndexOf('-');
        string family = (dash < 0 ? key : key[..dash]).ToLowerInvariant(), preset = dash < 0 ? "" : key[(dash + 1)..];
        if (family is not ("mamba" or "hyena"))
        {
            throw new ArgumentException($"model '{key}': expected mamba-PRESET, hyena-PRESET or FAMILY-dWIDTHxDEPTH (e.g. mamba-d128x8)");
        }
        return LanguageModel(family, preset, length);
    }

    /// <summary>(d_model, layers) of "d64x4", or null when the text is not of that form.</summary>
    static (int D, int N)? WidthByDepth(string preset) =>
        preset.StartsWith('d') && preset[1..].Split('x') is [var d, var n]
        && int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out int dm) && dm > 0
        && int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out int nl) && nl > 0
            ? (dm, nl)
            : null;
}
