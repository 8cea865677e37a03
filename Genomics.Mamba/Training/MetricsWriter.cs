using System.Text.Json;
using System.Text.Json.Nodes;

namespace Genomics.Mamba.Training;

/// <summary>
/// metrics.jsonl: one JSON object per step, validation and checkpoint event, every logged value, flushed per line so
/// a run killed mid-way leaves a readable file. A resumed run appends, dropping the lines past its resume step first,
/// so the file reads as one uninterrupted run.
/// </summary>
public sealed class MetricsWriter : IDisposable
{
    readonly StreamWriter _writer;

    public MetricsWriter(string path, long resumeStep)
    {
        ArgumentNullException.ThrowIfNull(path);
        Path = path;
        if (resumeStep > 0 && File.Exists(path))
        {
            var kept = File.ReadLines(path).Where(line => StepOf(line) is not { } s || s <= resumeStep).ToList();
            File.WriteAllLines(path, kept);
        }
        else if (File.Exists(path))
        {
            File.Delete(path);
        }
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    }

    public string Path { get; }

    public void Write(TrainingEvent e)
    {
        var node = new JsonObject
        {
            ["event"] = e.Kind.ToString().ToLowerInvariant(),
            ["step"] = e.Step,
            ["time_s"] = Math.Round(e.Elapsed.TotalSeconds, 3),
        };
        switch (e.Kind)
        {
            case TrainingEventKind.Step:
                node["stage"] = e.StageIndex;
                node["epoch"] = e.Epoch;
                node["L"] = e.Length;
                node["batch"] = e.Batch;
                node["micro_batch"] = e.MicroBatch;
                node["accumulation"] = e.Accumulation;
                node["loss"] = e.Loss;
                node["ppl"] = e.Perplexity;
                node["lr"] = e.LearningRate;
                node["grad_norm"] = e.GradientNorm;
                node["tokens_per_s"] = Math.Round(e.TokensPerSecond, 1);
                node["step_s"] = Math.Round(e.StepSeconds, 4);
                node["tokens"] = e.TokensSeen;
                node["rss_bytes"] = e.ResidentBytes;
                node["peak_rss_bytes"] = e.PeakResidentBytes;
                break;
            case TrainingEventKind.Evaluated:
                foreach (var (k, v) in e.Metrics)
                {
                    node[k] = double.IsFinite(v) ? v : null;
                }
                break;
            case TrainingEventKind.Saved:
                node["path"] = e.Path;
                break;
            case TrainingEventKind.Finished:
                node["reason"] = e.Reason;
                node["peak_rss_bytes"] = e.PeakResidentBytes;
                break;
            default:
                node["stage"] = e.StageIndex;
                node["L"] = e.Length;
                break;
        }
        _writer.WriteLine(node.ToJsonString());
    }

    public void Dispose() => _writer.Dispose();

    static long? StepOf(string line)
    {
        try
        {
            return JsonNode.Parse(line)?["step"]?.GetValue<long>();
        }
        catch (JsonException)
        {
            return null;   // a torn last line of a killed run
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
