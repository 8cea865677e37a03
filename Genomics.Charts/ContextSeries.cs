namespace Genomics.Charts;

/// <summary>One measured point of a chart against context length: the estimate and its 95% interval.</summary>
public sealed record ContextPoint(int Context, double Value, double Low, double High);

/// <summary>
/// One run (or one group of runs) drawn as a single series: a legend label and its points. Series of the same
/// <paramref name="Group"/> (one model) share a colour; <paramref name="Dashed"/> tells a variant of it apart (--tail).
/// </summary>
public sealed record ContextSeries(string Label, IReadOnlyList<ContextPoint> Points, string? Group = null, bool Dashed = false);
