using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Modules;

/// <summary>Strict, explained loading of named tensors into a module (TorchSharp's load_state_dict says less on failure).</summary>
public static class StateDicts
{
    /// <summary>
    /// Copies every entry of <paramref name="source"/> into the parameter or buffer of the same name, converting dtype
    /// and device. Every parameter and buffer must be present and no extra key may be: the exception lists them all.
    /// </summary>
    public static void Load(nn.Module module, IReadOnlyDictionary<string, Tensor> source)
    {
        var targets = module.named_parameters().Select(p => (p.name, (Tensor)p.parameter))
            .Concat(module.named_buffers().Select(b => (b.name, b.buffer)))
            .ToDictionary(t => t.Item1, t => t.Item2);
        var problems = new List<string>();
        problems.AddRange(targets.Keys.Where(k => !source.ContainsKey(k)).Select(k => $"missing {k}"));
        problems.AddRange(source.Keys.Where(k => !targets.ContainsKey(k)).Select(k => $"unexpected {k}"));
        foreach (var (name, target) in targets)
        {
            if (source.TryGetValue(name, out var value) && !value.shape.SequenceEqual(target.shape))
            {
                problems.Add($"{name}: shape ({string.Join(", ", value.shape)}), the model has ({string.Join(", ", target.shape)})");
            }
        }
        if (problems.Count > 0)
        {
            throw new ArgumentException($"state dict does not fit {module.GetName()}:\n  " + string.Join("\n  ", problems), nameof(source));
        }
        using var noGrad = no_grad();
        foreach (var (name, target) in targets)
        {
            target.copy_(source[name]);
        }
    }

    /// <summary>Every parameter and buffer by name (views of the live tensors, not copies).</summary>
    public static Dictionary<string, Tensor> Of(nn.Module module) =>
        module.named_parameters().Select(p => (p.name, (Tensor)p.parameter))
            .Concat(module.named_buffers().Select(b => (b.name, b.buffer)))
            .ToDictionary(t => t.Item1, t => t.Item2);
}
