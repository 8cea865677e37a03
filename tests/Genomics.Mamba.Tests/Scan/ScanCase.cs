using Genomics.Mamba.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Scan;

/// <summary>
/// One scan configuration. Features: "z" gate, "D" skip, "bias" delta bias, "h0" initial state, "groups" (2 groups
/// of B/C, as (B, G, N, L)), "4d" (one group but B/C given as (B, 1, N, L)), "nosoftplus".
/// </summary>
public sealed record ScanCase(long Batch, long Dim, long Length, long DState, string Features = "")
{
    public const string All = "z D bias h0 groups";

    bool Has(string f) => Features.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(f);
    public bool Z => Has("z");
    public bool DSkip => Has("D");
    public bool Bias => Has("bias");
    public bool H0 => Has("h0");
    public long Groups => Has("groups") ? 2 : 1;
    public bool GroupAxis => Has("groups") || Has("4d");
    public bool Softplus => !Has("nosoftplus");

    /// <summary>Sizes that keep the slow reference quick: B·D shrinks as L grows.</summary>
    public static ScanCase ForLength(long length, long dstate, string features) => length switch
    {
        <= 64 => new ScanCase(2, 8, length, dstate, features),
        <= 1000 => new ScanCase(2, 4, length, dstate, features),
        _ => new ScanCase(1, 4, length, dstate, features),
    };

    public override string ToString() => $"B={Batch} D={Dim} L={Length} N={DState} [{Features}]";
}

/// <summary>A scan implementation under test: <c>SelectiveScan.Reference</c>, <c>.Apply</c>, or a wrapper around one.</summary>
public delegate (Tensor Out, Tensor FinalState) ScanFn(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C,
    Tensor? D, Tensor? z, Tensor? deltaBias, bool deltaSoftplus, Tensor? h0);

/// <summary>
/// Inputs drawn once in float64 (mamba_ssm's test distributions), plus fixed weights that turn out and finalState
/// into a scalar loss, so every run of every backend and dtype sees the same numbers and the same upstream gradient.
/// </summary>
public sealed class ScanData
{
    public static readonly string[] InputNames = ["u", "delta", "A", "B", "C", "D", "z", "deltaBias", "h0"];

    public ScanCase Case { get; }
    public IReadOnlyDictionary<string, Tensor> Inputs { get; }
    public Tensor OutWeight { get; }
    public Tensor FinalWeight { get; }

    public ScanData(ScanCase c, int seed = 17)
    {
        TorchRuntime.EnsureLoaded();
        Case = c;
        var g = new Generator((ulong)seed);
        Tensor Randn(params long[] shape) => randn(shape, float64, generator: g);
        Tensor Rand(params long[] shape) => rand(shape, float64, generator: g);
        long b = c.Batch, d = c.Dim, l = c.Length, n = c.DState;
        long[] bcShape = c.GroupAxis ? [b, c.Groups, n, l] : [b, n, l];
        var inputs = new Dictionary<string, Tensor>
        {
            ["u"] = Randn(b, d, l),
            ["delta"] = 0.5 * Rand(b, d, l),
            ["A"] = -0.5 * Rand(d, n),
            ["B"] = Randn(bcShape),
            ["C"] = Randn(bcShape),
        };
        if (c.DSkip) inputs["D"] = Randn(d);
        if (c.Z) inputs["z"] = Randn(b, d, l);
        if (c.Bias) inputs["deltaBias"] = 0.5 * Rand(d);
        if (c.H0) inputs["h0"] = Randn(b, d, n);
        Inputs = inputs;
        OutWeight = Randn(b, d, l);
        FinalWeight = Randn(b, d, n);
    }

    /// <summary>
    /// Runs <paramref name="scan"/> on fresh leaves of <paramref name="dtype"/>, back-propagates
    /// sum(out·W) + sum(finalState·V), and returns out, final and every input's gradient ("d" + name), in float64.
    /// </summary>
    public ScanResult Run(ScanFn scan, ScalarType dtype)
    {
        var leaves = Inputs.ToDictionary(kv => kv.Key, kv => kv.Value.to(dtype).detach().requires_grad_(true));
        Tensor? Get(string name) => leaves.TryGetValue(name, out var t) ? t : null;
        var (output, final) = scan(leaves["u"], leaves["delta"], leaves["A"], leaves["B"], leaves["C"],
            Get("D"), Get("z"), Get("deltaBias"), Case.Softplus, Get("h0"));
        var loss = (output * OutWeight.to(dtype)).sum() + (final * FinalWeight.to(dtype)).sum();
        loss.backward();
        var values = new Dictionary<string, Tensor>
        {
            ["out"] = output.detach().to(float64),
            ["finalState"] = final.detach().to(float64),
        };
        foreach (var (name, leaf) in leaves)
        {
            // An input the loss does not depend on gets no gradient from autograd and zeros from the native op: same thing.
            values["d" + name] = leaf.grad is { } grad ? grad.detach().to(float64) : zeros_like(leaf, float64);
        }
        return new ScanResult(values);
    }
}

/// <summary>Outputs and gradients of one run, by name, in float64.</summary>
public sealed record ScanResult(IReadOnlyDictionary<string, Tensor> Values);
