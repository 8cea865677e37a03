using System.Text.Json.Nodes;
using Genomics.Data;
using Genomics.Mamba.Checkpoints;
using Genomics.Mamba.Modules;
using static TorchSharp.torch;

namespace Genomics.Mamba.Training;

/// <summary>
/// TorchSharp's AdamW over the two weight-decay groups of <see cref="ParameterGroups"/> (decay, no decay), and its
/// state in and out of a checkpoint slot: per parameter, by name, exp_avg, exp_avg_sq and the step count. Names
/// rather than positions, so a checkpoint of another model fails by name instead of loading moments into the wrong
/// tensors.
/// </summary>
public static class AdamWState
{
    /// <summary>AdamW with weight decay on the decay group only; the LR is set per step by the trainer.</summary>
    public static TorchSharp.Modules.AdamW Create(nn.Module model, TrainerOptions options, double initialLr)
    {
        var groups = ParameterGroups.Of(model);
        return optim.AdamW(groups.ForAdamW(initialLr, options.WeightDecay, options.Beta1, options.Beta2)
            .Select(g => { g.Options.eps = options.Eps; return g; }), lr: initialLr, beta1: options.Beta1, beta2: options.Beta2, eps: options.Eps);
    }

    /// <summary>Sets the learning rate of every group.</summary>
    public static void SetLearningRate(TorchSharp.Modules.AdamW optimizer, double lr)
    {
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = lr;
        }
    }

    /// <summary>The optimizer's moments and step counts, keyed by parameter name (views of live tensors: save before the next step).</summary>
    public static CheckpointSlot Save(nn.Module model, TorchSharp.Modules.AdamW optimizer)
    {
        var tensors = new Dictionary<string, Tensor>();
        var steps = new JsonObject();
        foreach (var (name, state) in States(model, optimizer))
        {
            tensors[$"{name}.exp_avg"] = state.exp_avg;
            tensors[$"{name}.exp_avg_sq"] = state.exp_avg_sq;
            steps[name] = state.step;
        }
        return new CheckpointSlot { State = new JsonObject { ["kind"] = "adamw", ["steps"] = steps }, Tensors = tensors };
    }

    /// <summary>Copies a saved slot into the optimizer (in place); throws naming the first parameter it lacks.</summary>
    public static void Restore(nn.Module model, TorchSharp.Modules.AdamW optimizer, CheckpointSlot slot, string source)
    {
        var steps = slot.State?["steps"] as JsonObject
            ?? throw new DataFormatException(source, "its optimizer slot has no AdamW state", "resume from a checkpoint written by `genomamba pretrain` or `finetune-species`");
        using var noGrad = no_grad();
        foreach (var (name, state) in States(model, optimizer))
        {
            if (!slot.Tensors.TryGetValue($"{name}.exp_avg", out var m) || !slot.Tensors.TryGetValue($"{name}.exp_avg_sq", out var v) || steps[name] is null)
            {
                throw new DataFormatException(source, $"its optimizer state has no entry for parameter '{name}'", "resume with the same model and task the checkpoint was written by");
            }
            state.exp_avg.copy_(m);
            state.exp_avg_sq.copy_(v);
            state.step = steps[name]!.GetValue<long>();
        }
    }

    static IEnumerable<(string Name, TorchSharp.Modules.AdamW.State State)> States(nn.Module model, TorchSharp.Modules.AdamW optimizer)
    {
        // state_dict lists the states group by group in parameter order; names come from the same grouping.
        var groups = ParameterGroups.Of(model);
        var names = groups.Decay.Concat(groups.NoDecay).Select(p => p.Name).ToArray();
        var states = optimizer.state_dict().State;
        if (states.Count != names.Length)
        {
            throw new InvalidOperationException($"the optimizer holds {states.Count} parameter states, the model {names.Length} parameters");
        }
        for (int i = 0; i < names.Length; i++)
        {
            yield return (names[i], (TorchSharp.Modules.AdamW.State)states[i]);
        }
    }
}
