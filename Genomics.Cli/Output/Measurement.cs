namespace Genomics.Cli.Output;

/// <summary>One benchmark measurement: what was measured, under which parameters, and the figures (medians).</summary>
public sealed record Measurement(
    string Name,
    IReadOnlyDictionary<string, object> Parameters,
    IReadOnlyDictionary<string, double> Figures,
    string Unit,
    double Value,
    double? Target = null)
{
    /// <summary>True when a target exists and the median meets it.</summary>
    public bool? MeetsTarget => Target is { } t ? Value >= t : null;
}
