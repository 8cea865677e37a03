using Spectre.Console;

namespace Genomics.Cli.Output;

/// <summary>
/// Spectre consoles over a given writer. Redirected output (CI, pipes) has no terminal width, and Spectre
/// would wrap tables at 80 columns; give it room so logs stay one row per line.
/// </summary>
public static class Consoles
{
    public static IAnsiConsole For(TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (!console.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            console.Profile.Width = 240;
        }
        return console;
    }
}
