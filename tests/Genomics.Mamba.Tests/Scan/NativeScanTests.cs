using Genomics.Mamba.Scan;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Scan;

/// <summary>libgenomamba against the reference: outputs and every gradient, in float32 and against float64.</summary>
public class NativeScanTests(ITestOutputHelper log)
{
    static readonly ScanFn Native = SelectiveScan.Apply;
    static readonly ScanFn Reference = SelectiveScan.Reference;

    public static TheoryData<long, long, string> Grid()
    {
        var data = new TheoryData<long, long, string>();
        foreach (long l in new long[] { 1, 7, 64, 1000, 4099 })
        {
            foreach (long n in new long[] { 1, 16, 64 })
            {
                data.Add(l, n, ScanCase.All);
                data.Add(l, n, "");
            }
        }
        foreach (var features in new[] { "z", "D", "bias", "h0", "groups", "4d", "nosoftplus", "z h0 nosoftplus" })
        {
            data.Add(64, 16, features);
        }
        return data;
    }

    [NativeTheory]
    [MemberData(nameof(Grid))]
    public void Native_matches_the_reference_in_outputs_and_every_gradient(long length, long dstate, string features)
    {
        using var scope = NewDisposeScope();
        var data = new ScanData(ScanCase.ForLength(length, dstate, features));
        log.WriteLine(data.Case.ToString());
        Close.Results(log, "fp32", data.Run(Native, float32), data.Run(Reference, float32));
    }

    [NativeTheory]
    [InlineData(64, 16, ScanCase.All)]
    [InlineData(1000, 16, ScanCase.All)]
    [InlineData(4099, 16, "z D")]
    [InlineData(4099, 64, ScanCase.All)]
    public void Native_float32_matches_the_float64_reference(long length, long dstate, string features)
    {
        using var scope = NewDisposeScope();
        var data = new ScanData(ScanCase.ForLength(length, dstate, features));
        log.WriteLine(data.Case.ToString());
        Close.Results(log, "vs fp64", data.Run(Native, float32), data.Run(Reference, float64));
    }

    [NativeTheory]
    [InlineData(ScanCase.All, new long[] { 1, 500, 499 })]
    [InlineData("z D", new long[] { 256, 256, 256, 232 })]
    [InlineData("groups", new long[] { 999, 1 })]
    public void Native_in_segments_with_the_state_carried_equals_the_whole_sequence(string features, long[] lengths)
    {
        using var scope = NewDisposeScope();
        var data = new ScanData(new ScanCase(2, 4, lengths.Sum(), 16, features));
        var whole = data.Run(Native, float32);
        Close.Results(log, "native segments vs native whole", data.Run(Segmented.Of(Native, lengths), float32), whole);
        Close.Results(log, "native segments vs reference whole", data.Run(Segmented.Of(Native, lengths), float32), data.Run(Reference, float64));
    }

    [NativeTheory]
    [InlineData(ScanCase.All)]
    [InlineData("z")]
    public void Native_results_are_bit_identical_for_any_thread_count(string features)
    {
        using var scope = NewDisposeScope();
        var data = new ScanData(new ScanCase(2, 16, 3000, 16, features));
        ScanFn With(int threads) => (u, delta, A, B, C, D, z, bias, sp, h0) =>
            SelectiveScan.Apply(u, delta, A, B, C, D, z, bias, sp, h0, new NativeScanOptions(threads, 0));
        var one = data.Run(With(1), float32);
        foreach (int threads in new[] { 2, 3, 8 })
        {
            var many = data.Run(With(threads), float32);
            foreach (var (name, value) in one.Values)
            {
                Close.Identical($"{name} ({threads} threads)", many.Values[name], value);
            }
            log.WriteLine($"{threads} threads: out, finalState and {one.Values.Count - 2} gradients bit-identical to 1 thread");
        }
    }

    [NativeFact]
    public void The_chunk_size_changes_nothing_beyond_rounding()
    {
        using var scope = NewDisposeScope();
        var data = new ScanData(new ScanCase(2, 8, 777, 16, ScanCase.All));
        var reference = data.Run(Reference, float64);
        foreach (long chunk in new long[] { 1, 7, 64, 776, 777, 5000 })
        {
            ScanFn scan = (u, delta, A, B, C, D, z, bias, sp, h0) =>
                SelectiveScan.Apply(u, delta, A, B, C, D, z, bias, sp, h0, new NativeScanOptions(2, chunk));
            Close.Results(log, $"chunk {chunk}", data.Run(scan, float32), reference);
        }
    }

    [NativeTheory]
    [InlineData(ScanCase.All)]
    [InlineData("4d")]
    public void Native_steps_one_token_at_a_time_like_the_full_scan(string features)
    {
        using var scope = NewDisposeScope();
        var data = new ScanData(new ScanCase(2, 8, 33, 16, features));
        var whole = data.Run(Reference, float64);
        var steps = ReferenceScanTests.StepThrough(data, SelectiveScan.Step, float32);
        Close.Tensors(log, "out", steps.Out, whole.Values["out"]);
        Close.Tensors(log, "finalState", steps.State, whole.Values["finalState"]);
        var referenceSteps = ReferenceScanTests.StepThrough(data, SelectiveScan.StepReference, float32);
        Close.Tensors(log, "out vs reference step", steps.Out, referenceSteps.Out);
    }

    [NativeFact]
    public void A_gradient_through_only_one_output_matches_the_reference()
    {
        using var scope = NewDisposeScope();
        var data = new ScanData(new ScanCase(2, 4, 100, 16, ScanCase.All));
        ScanFn OnlyFinal(ScanFn scan) => (u, delta, A, B, C, D, z, bias, sp, h0) =>
        {
            var (o, f) = scan(u, delta, A, B, C, D, z, bias, sp, h0);
            return (o.detach(), f);
        };
        ScanFn OnlyOut(ScanFn scan) => (u, delta, A, B, C, D, z, bias, sp, h0) =>
        {
            var (o, f) = scan(u, delta, A, B, C, D, z, bias, sp, h0);
            return (o, f.detach());
        };
        // Detaching makes the loss blind to that output; the leaf gradients then come from the other one alone.
        Close.Results(log, "finalState only", Strip(data.Run(OnlyFinal(Native), float32)), Strip(data.Run(OnlyFinal(Reference), float32)));
        Close.Results(log, "out only", Strip(data.Run(OnlyOut(Native), float32)), Strip(data.Run(OnlyOut(Reference), float32)));
    }

    [NativeFact]
    public void Inputs_that_do_not_require_grad_get_no_gradient()
    {
        using var scope = NewDisposeScope();
        var data = new ScanData(new ScanCase(1, 4, 20, 8, ScanCase.All));
        var i = data.Inputs.ToDictionary(kv => kv.Key, kv => kv.Value.to(float32));
        var u = i["u"].requires_grad_(true);
        var (o, f) = SelectiveScan.Apply(u, i["delta"], i["A"], i["B"], i["C"], i["D"], i["z"], i["deltaBias"], true, i["h0"]);
        (o.sum() + f.sum()).backward();
        Assert.NotNull(u.grad);
        Assert.All(new[] { "delta", "A", "B", "C", "D", "z", "deltaBias", "h0" }, name => Assert.Null(i[name].grad));
    }

    [NativeFact]
    public void Strided_and_broadcast_inputs_match_contiguous_ones()
    {
        using var scope = NewDisposeScope();
        var data = new ScanData(new ScanCase(2, 8, 50, 16, ScanCase.All));
        var plain = data.Run(Native, float32);
        ScanFn Strided(ScanFn scan) => (u, delta, A, B, C, D, z, bias, sp, h0) => scan(
            u.transpose(1, 2).contiguous().transpose(1, 2),           // L not contiguous: copied
            cat([delta, delta], 1).narrow(1, 8, 8),                     // dim stride 50, batch stride 800, offset
            A.t().contiguous().t(),                                     // N not contiguous: copied
            B, C, D, z, bias, sp, cat([h0!, h0!], 2).narrow(2, 16, 16));  // dim stride 32, offset
        Close.Results(log, "strided", data.Run(Strided(Native), float32), plain, rtol: 0, atol: 0);

        // Broadcast B and C: one batch row expanded (batch stride 0) against the same row copied.
        var i = data.Inputs.ToDictionary(kv => kv.Key, kv => kv.Value.to(float32));
        var b1 = i["B"].narrow(0, 0, 1);
        var (expanded, _) = SelectiveScan.Apply(i["u"], i["delta"], i["A"], b1.expand(2, -1, -1, -1), b1.expand(2, -1, -1, -1), deltaSoftplus: true);
        var (copied, _) = SelectiveScan.Apply(i["u"], i["delta"], i["A"], b1.expand(2, -1, -1, -1).contiguous(), b1.expand(2, -1, -1, -1).contiguous(), deltaSoftplus: true);
        Close.Tensors(log, "broadcast out", expanded, copied, rtol: 0, atol: 0);
    }

    [NativeFact]
    public void Float64_and_other_devices_are_refused_with_a_way_out()
    {
        using var scope = NewDisposeScope();
        var u = randn(1, 2, 8, float64);
        var B = randn(1, 4, 8, float64);
        var e = Assert.Throws<NotSupportedException>(() => SelectiveScan.Apply(u, u.abs(), -rand(2, 4, float64), B, B));
        Assert.Contains("float32", e.Message);
        Assert.Contains("Reference", e.Message);
        // The dispatcher routes such calls to the reference instead.
        var (o, _) = ScanBackend.Scan(u, u.abs(), -rand(2, 4, float64), B, B);
        Assert.Equal(ScalarType.Float64, o.dtype);
    }

    static ScanResult Strip(ScanResult r) => new(r.Values.Where(kv => kv.Key is not ("out" or "finalState")).ToDictionary());
}
