using Genomics.Mamba.Modules;
using Genomics.Mamba.Runtime;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Genomics.Mamba.Tests.Modules;

/// <summary>The FFT long convolution against the definition, y_t = Σ_{s ≤ t} k_s u_{t−s} + D u_t, summed term by term.</summary>
public class HyenaFftConvTests
{
    readonly ITestOutputHelper log;

    public HyenaFftConvTests(ITestOutputHelper log)
    {
        this.log = log;
        TorchRuntime.EnsureLoaded();
    }

    /// <summary>The O(L²) direct causal convolution, one output position at a time (differentiable, for the gradient check).</summary>
    static Tensor Direct(Tensor u, Tensor k, Tensor d)
    {
        long l = u.shape[^1];
        var outputs = new Tensor[l];
        for (long t = 0; t < l; t++)
        {
            // Σ_{s=0..t} k[:, s] · u[:, :, t − s]: the filter's first t + 1 taps against the input reversed up to t.
            var taps = k.narrow(-1, 0, t + 1);                             // (d, t + 1)
            var past = u.narrow(-1, 0, t + 1).flip(-1);                    // (b, d, t + 1): u_t, u_{t−1}, …, u_0
            outputs[t] = (taps * past).sum(-1) + d * u.select(-1, t);      // (b, d)
        }
        return stack(outputs, -1);                                         // (b, d, l)
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(32)]
    [InlineData(100)]
    public void Fft_convolution_equals_the_direct_causal_convolution_in_float64(int length)
    {
        manual_seed(length);
        using var scope = NewDisposeScope();
        var u = randn(3, 5, length, dtype: float64);
        var k = randn(5, length, dtype: float64);
        var d = randn(5, dtype: float64);
        var fast = HyenaFftConv.Forward(u, k, d);
        Assert.Equal(float64, fast.dtype);
        Compare.Close(log, $"fft vs direct, L {length}", fast, Direct(u, k, d), rtol: 1e-10, atol: 1e-10, scaled: true);
    }

    [Fact]
    public void Gradients_through_the_FFT_equal_those_of_the_direct_convolution()
    {
        manual_seed(3);
        using var scope = NewDisposeScope();
        var u = randn(2, 4, 37, dtype: float64);
        var k = randn(4, 37, dtype: float64);
        var d = randn(4, dtype: float64);
        var weight = randn(2, 4, 37, dtype: float64);                      // a generic upstream gradient

        (Tensor, Tensor, Tensor) Grads(Func<Tensor, Tensor, Tensor, Tensor> op)
        {
            var (uu, kk, dd) = (u.detach().requires_grad_(), k.detach().requires_grad_(), d.detach().requires_grad_());
            (op(uu, kk, dd) * weight).sum().backward();
            return (uu.grad!, kk.grad!, dd.grad!);
        }

        var (fu, fk, fd) = Grads(HyenaFftConv.Forward);
        var (du, dk, dd) = Grads(Direct);
        Compare.Close(log, "grad u", fu, du, 1e-10, 1e-10, scaled: true);
        Compare.Close(log, "grad k", fk, dk, 1e-10, 1e-10, scaled: true);
        Compare.Close(log, "grad D", fd, dd, 1e-10, 1e-10, scaled: true);
    }

    [Fact]
    public void Float32_and_bfloat16_inputs_are_transformed_in_float32_and_keep_their_dtype()
    {
        manual_seed(5);
        using var scope = NewDisposeScope();
        var u = randn(2, 8, 64, dtype: float64);
        var k = randn(8, 64, dtype: float64) / 8;
        var d = randn(8, dtype: float64);
        var exact = Direct(u, k, d);

        var f32 = HyenaFftConv.Forward(u.to(float32), k.to(float32), d.to(float32));
        Assert.Equal(float32, f32.dtype);
        Compare.Close(log, "float32", f32, exact, rtol: 1e-4, atol: 1e-5, scaled: true);

        // bf16 activations with an fp32 filter, as in a mixed-precision model: rfft would reject bf16 itself.
        var bf16 = HyenaFftConv.Forward(u.to(bfloat16), k.to(float32), d.to(float32));
        Assert.Equal(bfloat16, bf16.dtype);
        Compare.Close(log, "bfloat16 in/out", bf16, exact, rtol: 2e-2, atol: 2e-2, scaled: true);
    }

    [Fact]
    public void A_spectrum_of_the_wrong_length_is_refused()
    {
        using var scope = NewDisposeScope();
        var spectrum = HyenaFftConv.Spectrum(randn(4, 16));
        var e = Assert.Throws<ArgumentException>(() => HyenaFftConv.Apply(randn(1, 4, 20), spectrum, ones(4)));
        Assert.Contains("needs 21", e.Message);
    }
}
