namespace Genomics.Data;

/// <summary>
/// Bad input, reported like a compiler error: <c>path:line: what is wrong</c> (line optional), plus a hint.
/// Everything in Genomics.Data that rejects a file throws this, so the CLI can print one line and exit.
/// </summary>
public sealed class DataFormatException : Exception
{
    public DataFormatException(string path, long? line, string problem, string? hint = null, Exception? inner = null)
        : base(Format(path, line, problem, hint), inner)
    {
        FilePath = path;
        Line = line;
        Problem = problem;
        Hint = hint;
    }

    public DataFormatException(string path, string problem, string? hint = null, Exception? inner = null)
        : this(path, null, problem, hint, inner)
    {
    }

    public string FilePath { get; }
    public long? Line { get; }
    public string Problem { get; }
    public string? Hint { get; }

    static string Format(string path, long? line, string problem, string? hint)
    {
        string where = line is { } l ? $"{path}:{l}" : path;
        return hint is null ? $"{where}: {problem}" : $"{where}: {problem} ({hint})";
    }
}
