using System.Runtime.CompilerServices;

namespace Genomics.Mamba.Config;

/// <summary>The checks every config's <c>Validate()</c> makes, each naming the field it rejects.</summary>
internal static class ConfigChecks
{
    public static void Positive(int value, [CallerArgumentExpression(nameof(value))] string name = "")
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be > 0, got {value}");
        }
    }

    /// <summary>Also rejects NaN.</summary>
    public static void Positive(double value, [CallerArgumentExpression(nameof(value))] string name = "")
    {
        if (!(value > 0))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be > 0");
        }
    }
}
