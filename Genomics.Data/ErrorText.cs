namespace Genomics.Data;

/// <summary>Exception messages as the one line a user reads (the CLI prints errors as one line; libraries wrap them).</summary>
public static class ErrorText
{
    /// <summary>The first line of <paramref name="message"/>, without .NET's " (Parameter 'x')" suffix.</summary>
    public static string FirstLine(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        string line = message.Split('\n')[0].TrimEnd();
        int p = line.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
        return p > 0 ? line[..p] : line;
    }
}
