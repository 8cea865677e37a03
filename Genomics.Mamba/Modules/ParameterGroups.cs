using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Genomics.Mamba.Modules;

/// <summary>
/// Which parameters get weight decay. DESIGN: none on A_log, D, norms and biases. The embedding (and so the tied LM
/// head) is not decayed either by default: the safari/HyenaDNA training code the DNA experiments descend from puts
/// nn.Embedding on its no-decay list (after minGPT), and mamba_ssm ships no optimizer code to say otherwise.
/// Everything else — in_proj, conv1d.weight, x_proj, dt_proj.weight, out_proj, an untied lm_head, a classifier's
/// head weight — decays. HyenaDNA: nothing inside a <see cref="HyenaFilter"/> decays (its FFN, shared sine frequency
/// and D skip; hyena-dna registers them with wd = 0), while in_proj, short_filter, out_proj and the MLP weights do.
/// </summary>
public sealed record ParameterGroups(IReadOnlyList<(string Name, Parameter Parameter)> Decay,
    IReadOnlyList<(string Name, Parameter Parameter)> NoDecay)
{
    /// <summary>Sorts every trainable parameter of <paramref name="model"/> into exactly one group.</summary>
    public static ParameterGroups Of(nn.Module model, bool decayEmbedding = false)
    {
        var decay = new List<(string, Parameter)>();
        var noDecay = new List<(string, Parameter)>();
        Visit(model, "", false);
        return new ParameterGroups(decay, noDecay);

        void Visit(nn.Module module, string prefix, bool inHyenaFilter)
        {
            inHyenaFilter |= module is HyenaFilter;
            foreach (var (name, p) in module.named_parameters(recurse: false))
            {
                if (!p.requires_grad)
                {
                    continue;
                }
                bool exempt = inHyenaFilter
                              || name == "bias"
                              || module is RmsNorm or LayerNorm
                              || (module is Embedding && !decayEmbedding)
                              || (module is MambaMixer && name is "A_log" or "D");
                (exempt ? noDecay : decay).Add((prefix + name, p));
            }
            foreach (var (name, child) in module.named_children())
            {
                Visit(child, prefix + name + ".", inHyenaFilter);
            }
        }
    }

    /// <summary>The two groups as AdamW wants them: weight decay on <see cref="Decay"/>, none on <see cref="NoDecay"/>.</summary>
    public IEnumerable<AdamW.ParamGroup> ForAdamW(double lr, double weightDecay, double beta1 = 0.9, double beta2 = 0.95) =>
    [
        new AdamW.ParamGroup(Decay.Select(p => p.Parameter), lr: lr, beta1: beta1, beta2: beta2, weight_decay: weightDecay),
        new AdamW.ParamGroup(NoDecay.Select(p => p.Parameter), lr: lr, beta1: beta1, beta2: beta2, weight_decay: 0),
    ];
}
