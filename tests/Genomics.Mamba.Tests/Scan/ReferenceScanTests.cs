using Genomics.Mamba.Scan;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Scan;

/// <summary>The reference is the spec, so it is checked against the math itself: a scalar loop and finite differences.</summary>
public class ReferenceScanTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData(ScanCase.All)]
    [InlineData("")]
    [InlineData("4d nosoftplus z")]
    public void Reference_matches_a_scalar_loop_over_the_recurrence(string features)
    {
        using var scope = NewDisposeScope();
        var c = new ScanCase(2, 4, 6, 3, features);
        var data = new ScanData(c);
        var result = data.Run(SelectiveScan.Reference, float64);
        var (expectedOut, expectedFinal) = ScalarScan(data);
        Close.Tensors(log, "out", result.Values["out"], expectedOut, rtol: 1e-12, atol: 1e-12);
        Close.Tensors(log, "finalState", result.Values["finalState"], expectedFinal, rtol: 1e-12, atol: 1e-12);
    }

    [Theory]
    [InlineData(ScanCase.All)]
    [InlineData("")]
    [InlineData("4d nosoftplus z h0")]
    [InlineData("groups D bias")]
    public void Reference_gradients_match_central_differences_in_float64(string features)
    {
        using var scope = NewDisposeScope();
        var data = new ScanData(new ScanCase(1, 4, 5, 3, features));
        var analytic = data.Run(SelectiveScan.Reference, float64);
        const double eps = 1e-6;
        foreach (var (name, input) in data.Inputs)
        {
            var flat = input.view(-1);
            var numeric = zeros_like(flat);
            for (long i = 0; i < flat.shape[0]; i++)
            {
                double x = flat[i].item<double>();
                flat[i] = x + eps;
                double up = Loss(data);
                flat[i] = x - eps;
                double down = Loss(data);
                flat[i] = x;
                numeric[i] = (up - down) / (2 * eps);
            }
            Close.Tensors(log, "d" + name, analytic.Values["d" + name], numeric.view(input.shape), rtol: 1e-6, atol: 1e-7);
        }
    }

    [Theory]
    [InlineData(ScanCase.All)]
    [InlineData("4d")]
    public void Reference_steps_one_token_at_a_time_like_the_full_scan(string features)
    {
        using var scope = NewDisposeScope();
        var c = new ScanCase(2, 8, 9, 4, features);
        var data = new ScanData(c);
        var whole = data.Run(SelectiveScan.Reference, float64);
        var steps = StepThrough(data, SelectiveScan.StepReference, float64);
        Close.Tensors(log, "out", steps.Out, whole.Values["out"], rtol: 1e-12, atol: 1e-12);
        Close.Tensors(log, "finalState", steps.State, whole.Values["finalState"], rtol: 1e-12, atol: 1e-12);
    }

    [Theory]
    [InlineData(ScanCase.All, new long[] { 1, 20, 43 })]
    [InlineData("z D", new long[] { 32, 32 })]
    public void Reference_in_segments_with_the_state_carried_equals_the_whole_sequence(string features, long[] lengths)
    {
        using var scope = NewDisposeScope();
        var data = new ScanData(new ScanCase(2, 4, lengths.Sum(), 8, features));
        var whole = data.Run(SelectiveScan.Reference, float64);
        var segmented = data.Run(Segmented.Of(SelectiveScan.Reference, lengths), float64);
        Close.Results(log, "segments", segmented, whole, rtol: 1e-10, atol: 1e-10);
    }

    [Fact]
    public void Reference_accepts_strided_inputs_and_float32()
    {
        using var scope = NewDisposeScope();
        var data = new ScanData(new ScanCase(2, 4, 12, 4, ScanCase.All));
        var plain = data.Run(SelectiveScan.Reference, float32);
        // Same values laid out (B, L, D) and transposed back: L is no longer the contiguous dimension.
        ScanFn transposed = (u, delta, A, B, C, D, z, bias, sp, h0) => SelectiveScan.Reference(
            u.transpose(1, 2).contiguous().transpose(1, 2), delta.transpose(1, 2).contiguous().transpose(1, 2), A, B, C, D,
            z?.transpose(1, 2).contiguous().transpose(1, 2), bias, sp, h0);
        Close.Results(log, "strided", data.Run(transposed, float32), plain, rtol: 1e-6, atol: 1e-6);
    }

    [Fact]
    public void Mismatched_shapes_are_rejected_naming_the_tensor()
    {
        using var scope = NewDisposeScope();
        var u = zeros(2, 4, 10);
        var A = zeros(4, 3);
        var B = zeros(2, 3, 10);
        var e = Assert.Throws<ArgumentException>(() => SelectiveScan.Reference(u, zeros(2, 4, 9), A, B, B));
        Assert.Equal("delta", e.ParamName);
        Assert.Contains("[2, 4, 10]", e.Message);
        e = Assert.Throws<ArgumentException>(() => SelectiveScan.Reference(u, u, A, zeros(2, 3, 3, 10), zeros(2, 3, 3, 10)));
        Assert.Contains("3 groups do not divide dim 4", e.Message);
        e = Assert.Throws<ArgumentException>(() => SelectiveScan.Reference(u, u, A, B, B, h0: zeros(2, 4, 4)));
        Assert.Equal("h0", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => SelectiveScan.Reference(u, u.to(float64), A, B, B));
        Assert.Contains("share one dtype", e.Message);
    }

    static double Loss(ScanData data)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var i = data.Inputs;
        var (o, f) = SelectiveScan.Reference(i["u"], i["delta"], i["A"], i["B"], i["C"], i.GetValueOrDefault("D"),
            i.GetValueOrDefault("z"), i.GetValueOrDefault("deltaBias"), data.Case.Softplus, i.GetValueOrDefault("h0"));
        return ((o * data.OutWeight).sum() + (f * data.FinalWeight).sum()).item<double>();
    }

    /// <summary>The recurrence written out with scalars, straight from the header's comment.</summary>
    static (Tensor Out, Tensor Final) ScalarScan(ScanData data)
    {
        var c = data.Case;
        double[] Arr(string name) => data.Inputs.TryGetValue(name, out var t) ? t.contiguous().data<double>().ToArray() : [];
        double[] u = Arr("u"), delta = Arr("delta"), A = Arr("A"), B = Arr("B"), C = Arr("C"), D = Arr("D"), z = Arr("z"),
            bias = Arr("deltaBias"), h0 = Arr("h0");
        long nb = c.Batch, nd = c.Dim, nl = c.Length, nn = c.DState, ng = c.Groups, perGroup = nd / ng;
        var output = new double[nb * nd * nl];
        var final = new double[nb * nd * nn];
        for (long b = 0; b < nb; b++)
        for (long d = 0; d < nd; d++)
        {
            long g = d / perGroup;
            var h = new double[nn];
            for (long n = 0; n < nn; n++)
            {
                h[n] = h0.Length > 0 ? h0[(b * nd + d) * nn + n] : 0;
            }
            for (long t = 0; t < nl; t++)
            {
                long x = (b * nd + d) * nl + t;
                double dt = delta[x] + (bias.Length > 0 ? bias[d] : 0);
                if (c.Softplus)
                {
                    dt = Math.Log(1 + Math.Exp(dt));
                }
                double y = 0;
                for (long n = 0; n < nn; n++)
                {
                    long bc = ((b * ng + g) * nn + n) * nl + t;
                    h[n] = Math.Exp(dt * A[d * nn + n]) * h[n] + dt * B[bc] * u[x];
                    y += C[bc] * h[n];
                }
                if (D.Length > 0)
                {
                    y += D[d] * u[x];
                }
                if (z.Length > 0)
                {
                    y *= z[x] / (1 + Math.Exp(-z[x]));
                }
                output[x] = y;
            }
            Array.Copy(h, 0, final, (b * nd + d) * nn, nn);
        }
        return (tensor(output, [nb, nd, nl], float64), tensor(final, [nb, nd, nn], float64));
    }

    /// <summary>Runs a step function over every position of <paramref name="data"/>, from h0 (or zeros).</summary>
    internal static (Tensor Out, Tensor State) StepThrough(ScanData data, StepFn step, ScalarType dtype)
    {
        var c = data.Case;
        var i = data.Inputs.ToDictionary(kv => kv.Key, kv => kv.Value.to(dtype));
        var state = i.TryGetValue("h0", out var h0) ? h0.clone() : zeros(c.Batch, c.Dim, c.DState, dtype);
        var outs = new List<Tensor>();
        for (long t = 0; t < c.Length; t++)
        {
            Tensor? At(string name) => i.TryGetValue(name, out var x) ? x.select(-1, t) : null;
            outs.Add(step(state, At("u")!, At("delta")!, i["A"], At("B")!, At("C")!, i.GetValueOrDefault("D"), At("z"),
                i.GetValueOrDefault("deltaBias"), c.Softplus));
        }
        return (stack(outs, 2).to(float64), state.to(float64));
    }
}

/// <summary>A step implementation under test: <c>SelectiveScan.StepReference</c> or <c>.Step</c>.</summary>
public delegate Tensor StepFn(Tensor state, Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C,
    Tensor? D, Tensor? z, Tensor? deltaBias, bool deltaSoftplus);

/// <summary>Wraps a scan so it runs the sequence in pieces, each piece's finalState feeding the next one's h0.</summary>
public static class Segmented
{
    public static ScanFn Of(ScanFn scan, long[] lengths) => (u, delta, A, B, C, D, z, bias, softplus, h0) =>
    {
        var outs = new List<Tensor>();
        var state = h0;
        long start = 0;
        foreach (long len in lengths)
        {
            Tensor Cut(Tensor t) => t.narrow(-1, start, len);
            var (o, f) = scan(Cut(u), Cut(delta), A, Cut(B), Cut(C), D, z is null ? null : Cut(z), bias, softplus, state);
            outs.Add(o);
            state = f;
            start += len;
        }
        return (cat(outs, 2), state!);
    };
}
