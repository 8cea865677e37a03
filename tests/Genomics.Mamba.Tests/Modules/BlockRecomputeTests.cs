using System.Runtime.InteropServices;
using Genomics.Mamba.Config;
using Genomics.Mamba.Modules;
using Genomics.Mamba.Runtime;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Modules;

public class BlockRecomputeTests(ITestOutputHelper log)
{
    static (Tensor Logits, Dictionary<string, Tensor> Grads) Run(MambaLM model, Tensor ids, RecomputePolicy policy)
    {
        model.Backbone.Recompute = policy;
        model.zero_grad();
        long l = ids.shape[1] - 1;
        var logits = model.forward(ids.narrow(1, 0, l));
        MambaLM.Loss(logits, ids.narrow(1, 1, l)).backward();
        var grads = model.named_parameters().Where(p => p.parameter.requires_grad)
            .ToDictionary(p => p.name, p => p.parameter.grad!.clone());
        return (logits.detach(), grads);
    }

    [Fact]
    public void Checkpointed_blocks_give_the_plain_logits_and_every_gradient()
    {
        TorchRuntime.EnsureLoaded();
        manual_seed(4);
        using var model = new MambaLM(new MambaConfig { DModel = 32, NLayer = 3 });
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(2, 129, start: 1_200_000);
        var plain = Run(model, ids, RecomputePolicy.Never);
        var recomputed = Run(model, ids, RecomputePolicy.Always);

        // Bit for bit, on every CPU: the recompute runs the same kernels on the same layouts, and the one sum it forms
        // itself (the residual's gradient added to the norm's) is the two-term sum autograd forms in the plain graph
        // (RmsNorm reads its input through one view; MixedPrecision.Linear folds the same way in both grad modes).
        Compare.Close(log, "logits", recomputed.Logits, plain.Logits, 0, 0);
        foreach (var (name, g) in plain.Grads)
        {
            Assert.True(g.abs().sum().item<float>() > 0, $"{name}: zero gradient");
            Compare.Close(log, "grad/" + name, recomputed.Grads[name], g, 0, 0);
        }
    }

    [Fact]
    public void Checkpointing_with_frozen_parameters_matches_plain()
    {
        // Fine-tuning with part of the trunk frozen: the embedding and the first block's in_proj get no gradient.
        TorchRuntime.EnsureLoaded();
        manual_seed(7);
        using var model = new MambaLM(new MambaConfig { DModel = 32, NLayer = 2 });
        model.Backbone.Embedding.weight!.requires_grad = false;
        model.Backbone.Layers[0].Mixer.InProj.weight.requires_grad = false;
        using var scope = NewDisposeScope();
        var ids = ModuleTestData.DnaTokens(2, 65, start: 1_300_000);
        var plain = Run(model, ids, RecomputePolicy.Never);
        var recomputed = Run(model, ids, RecomputePolicy.Always);
        Assert.Equal(plain.Grads.Keys.Order(), recomputed.Grads.Keys.Order());
        Assert.DoesNotContain("backbone.embedding.weight", plain.Grads.Keys);
        foreach (var (name, g) in plain.Grads)
        {
            Compare.Close(log, "grad/" + name, recomputed.Grads[name], g, 0, 0);   // bit for bit, as above
        }
    }

    [Fact]
    public void Auto_checkpoints_from_2_to_the_16_and_never_without_grad()
    {
        Assert.False(BlockRecompute.Applies(RecomputePolicy.Auto, 65_535));
        Assert.True(BlockRecompute.Applies(RecomputePolicy.Auto, 65_536));
        Assert.True(BlockRecompute.Applies(RecomputePolicy.Always, 1));
        Assert.False(BlockRecompute.Applies(RecomputePolicy.Never, 1 << 20));
        using (no_grad())
        {
            Assert.False(BlockRecompute.Applies(RecomputePolicy.Always, 1));
        }
    }
}
