using TorchSharp;
using static TorchSharp.torch;

namespace Genomics.Mamba.Modules;

/// <summary>
/// The long convolution of the Hyena operator (hyena-dna <c>fftconv_ref</c>): a causal convolution of each channel with
/// its own length-L filter, y_t = Σ_{s≤t} k_s u_{t−s} + D·u_t, done as a product of spectra with the FFT zero-padded to
/// 2L so the circular convolution does not wrap. O(L log L) instead of the direct O(L²). The FFT runs in fp32 (in fp64
/// when the filter is fp64): libtorch's rfft rejects bf16, and upstream casts u to the filter's dtype too.
/// </summary>
public static class HyenaFftConv
{
    /// <summary>u (b, d, l), filter k (d, l), skip D (d) → (b, d, l) in u's dtype.</summary>
    public static Tensor Forward(Tensor u, Tensor k, Tensor d)
    {
        using var scope = NewDisposeScope();
        return Apply(u, Spectrum(k), d).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// k (d, l) → its spectrum for an FFT of size 2l, (d, l + 1) complex, already divided by 2l (upstream scales the
    /// filter's spectrum, then inverts with norm="forward", i.e. without a second 1/n). Cacheable: it depends on k only.
    /// </summary>
    public static Tensor Spectrum(Tensor k)
    {
        long l = k.shape[^1];
        using var scope = NewDisposeScope();
        var kf = fft.rfft(k.to(FftType(k.dtype)), 2 * l) / (2 * l);      // (d, l + 1)
        return kf.MoveToOuterDisposeScope();
    }

    /// <summary>u (b, d, l), spectrum from <see cref="Spectrum"/> of an l-long filter, D (d) → (b, d, l) in u's dtype.</summary>
    public static Tensor Apply(Tensor u, Tensor spectrum, Tensor d)
    {
        long l = u.shape[^1];
        if (spectrum.shape[^1] != l + 1)
        {
            throw new ArgumentException($"spectrum has {spectrum.shape[^1]} bins, a length-{l} input needs {l + 1} (FFT size {2 * l})", nameof(spectrum));
        }
        using var scope = NewDisposeScope();
        var uc = u.to(FftType(spectrum.dtype == complex128 ? float64 : float32));
        var uf = fft.rfft(uc, 2 * l);                                        // (b, d, l + 1)
        var y = fft.irfft(uf * spectrum, 2 * l, norm: FFTNormType.Forward)  // (b, d, 2l): the tail is wrap-around padding
            .narrow(-1, 0, l);                                              // (b, d, l)
        var output = y + uc * d.to(uc.dtype).unsqueeze(-1);                 // D skip
        return output.to(u.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>fp64 stays fp64; everything else (fp32, bf16, fp16) is transformed in fp32.</summary>
    static ScalarType FftType(ScalarType dtype) => dtype == float64 ? float64 : float32;
}
