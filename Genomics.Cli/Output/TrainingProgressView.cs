using System.Diagnostics;
using System.Globalization;
using Genomics.Mamba.Memory;
using Genomics.Mamba.Training;

namespace Genomics.Cli.Output;

/// <summary>
/// Renders <see cref="TrainingEvent"/>s for a person: on a terminal a live one-line bar (stage, step, L, loss,
/// perplexity, tokens/s, ETA, memory) redrawn in place; when the output is redirected (a log file, CI) plain lines,
/// one every <see cref="PlainInterval"/> and at every stage change, validation, checkpoint and the end. The metrics
/// file has every value either way.
/// </summary>
public sealed class TrainingProgressView
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    readonly TextWriter _out;
    readonly bool _live;
    readonly bool _perplexity;
    readonly Stopwatch _sinceLine = Stopwatch.StartNew();
    bool _barShown;

    /// <param name="live">Redraw one line in place (a terminal); otherwise print plain lines.</param>
    /// <param name="perplexity">Show perplexity (language models).</param>
    public TrainingProgressView(TextWriter output, bool live, bool perplexity)
    {
        _out = output;
        _live = live;
        _perplexity = perplexity;
    }

    /// <summary>Time between plain lines when the output is redirected.</summary>
    public TimeSpan PlainInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>True when standard output is a terminal a bar can be redrawn on.</summary>
    public static bool IsTerminal => !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb");

    public void Handle(TrainingEvent e)
    {
        switch (e.Kind)
        {
            case TrainingEventKind.Step:
                if (_live)
                {
                    _out.Write("\r" + Bar(e).PadRight(Math.Max(0, SafeWidth() - 1)));
                    _barShown = true;
                }
                else if (_sinceLine.Elapsed >= PlainInterval || e.Step == 1 || e.Step == e.TotalSteps)
                {
                    Line(StepText(e));
                    _sinceLine.Restart();
                }
                break;
            case TrainingEventKind.StageStarted:
                Line($"stage {e.StageIndex + 1}/{e.StageCount}: L={e.Length:N0}, batch {e.Batch} = {e.MicroBatch} × {e.Accumulation}, from step {e.Step}");
                break;
            case TrainingEventKind.Evaluated:
                Line($"step {e.Step}: validation " + string.Join(", ", e.Metrics.Select(m => $"{m.Key} {Format(m.Value)}")));
                break;
            case TrainingEventKind.Saved:
                Line($"step {e.Step}: checkpoint {e.Path}");
                break;
            case TrainingEventKind.Finished:
                Line($"finished at step {e.Step} ({e.Reason}) in {Duration(e.Elapsed)}, peak RSS {MemoryEstimate.Format(e.PeakResidentBytes)}");
                break;
            default:
                break;
        }
    }

    void Line(string text)
    {
        if (_barShown)
        {
            _out.WriteLine();
            _barShown = false;
        }
        _out.WriteLine(text);
    }

    string StepText(TrainingEvent e) =>
        $"[{e.StageIndex + 1}/{e.StageCount}] step {e.Step}/{e.TotalSteps} L={e.Length:N0} loss {e.Loss.ToString("F4", Inv)}" +
        (_perplexity ? $" ppl {e.Perplexity.ToString("F3", Inv)}" : "") +
        $" lr {e.LearningRate.ToString("0.00e0", Inv)} {Rate(e.TokensPerSecond)} tok/s {e.StepSeconds.ToString("F2", Inv)} s/step" +
        $" ETA {(e.Remaining is { } r ? Duration(r) : "?")} RSS {MemoryEstimate.Format(e.ResidentBytes)}";

    string Bar(TrainingEvent e)
    {
        const int width = 20;
        int filled = e.TotalSteps > 0 ? (int)(width * e.Step / e.TotalSteps) : 0;
        return $"{new string('#', filled)}{new string('-', width - filled)} " + StepText(e);
    }

    static int SafeWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 160;
        }
        catch (IOException)
        {
            return 160;
        }
    }

    static string Rate(double perSecond) => perSecond >= 1e6 ? (perSecond / 1e6).ToString("F2", Inv) + "M"
        : perSecond >= 1e3 ? (perSecond / 1e3).ToString("F1", Inv) + "k" : perSecond.ToString("F0", Inv);

    static string Format(double x) => Math.Abs(x) >= 1000 || x == Math.Floor(x) ? x.ToString("G10", Inv) : x.ToString("F4", Inv);

    /// <summary>"1:02:03" or "4:05".</summary>
    public static string Duration(TimeSpan t) => t.TotalHours >= 1
        ? $"{(int)t.TotalHours}:{t.Minutes:D2}:{t.Seconds:D2}"
        : $"{t.Minutes}:{t.Seconds:D2}";
}
