// scan_math.h — the per-element and per-tile math of the CUDA scan, written once for device and host.
// The kernels (scan_cuda.cu) call these functions; tests/test_cuda_math.cpp runs the same functions in a host
// emulation of the kernels' tile structure and compares with the CPU scan, so the decomposition (chunk carry,
// lane prefixes, the reverse recurrence, every gradient formula) is checked on machines without a GPU.
//
// The recurrence h_t = a_t h_{t-1} + b_t (a_t = exp(dt_t A_n), b_t = dt_t u_t B_nt) is a composition of affine
// maps x -> a x + b, which is associative: a lane composes its kItems positions, the warp scans the lanes'
// maps (Hillis-Steele with shuffles), and the state entering the tile turns maps into states.
// Backward carries q_t = a_t g_t (g_t = dL/dh_t): q_t = a_t q_{t+1} + a_t C_t dy_t, the same kind of map walked
// from the right; g_t = C_t dy_t + q_{t+1}, and dL/dh_{-1} = q_0 (dh0).
#ifndef GM_CUDA_SCAN_MATH_H
#define GM_CUDA_SCAN_MATH_H

#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define GM_HD __host__ __device__ __forceinline__
#else
#define GM_HD inline
#endif

namespace gm {
namespace cu {

constexpr int kWarp = 32;
constexpr int kItems = 8;                     // consecutive positions per lane
constexpr int kTile = kWarp * kItems;         // positions per warp per tile = the CUDA chunk (GM_CUDA_MAX_CHUNK)
constexpr int kWarpsPerBlock = 8;             // channels per block (one warp each, same batch element and group):
                                              // dB/dC leave a block summed over 8 channels (fewer atomics)

// x -> a x + b
struct Affine {
    float a, b;
};

GM_HD Affine identity() { return Affine{1.0f, 0.0f}; }

// Apply `first`, then `then`: x -> then.a (first.a x + first.b) + then.b.
GM_HD Affine compose(Affine first, Affine then) { return Affine{first.a * then.a, then.a * first.b + then.b}; }

GM_HD float apply(Affine f, float x) { return f.a * x + f.b; }

GM_HD float fexp(float x) {
#if defined(__CUDA_ARCH__)
    return __expf(x);
#else
    return std::exp(x);
#endif
}

// softplus(x) = log1p(exp(x)), x > 20 -> x (as PyTorch); *sig = d softplus / dx = sigmoid(x).
GM_HD float softplus(float x, float* sig) {
    if (x > 20.0f) {
        if (sig) *sig = 1.0f;
        return x;
    }
    const float e = fexp(x);
    if (sig) *sig = e / (1.0f + e);
    return log1pf(e);
}

GM_HD float sigmoid(float x) { return 1.0f / (1.0f + fexp(-fminf(fmaxf(x, -88.0f), 88.0f))); }

// The effective delta of one position.
GM_HD float delta_of(float raw, float bias, bool use_softplus, float* sig) {
    const float x = raw + bias;
    if (!use_softplus) {
        if (sig) *sig = 1.0f;
        return x;
    }
    return softplus(x, sig);
}

// Gate: out = y * silu(z). dy = dL/dy from dL/dout; *dz = dL/dz.
GM_HD float gate(float y, float z) { return y * z * sigmoid(z); }
GM_HD float gate_bwd(float dout, float y, float z, float* dz) {
    const float s = sigmoid(z);
    *dz = dout * y * s * (1.0f + z * (1.0f - s));
    return dout * z * s;
}

// The forward map of one position for state index n.
GM_HD Affine step_map(float dt, float A_n, float u, float B_nt) { return Affine{fexp(dt * A_n), dt * u * B_nt}; }

// The backward map of one position (see the top): q_t = a q_{t+1} + a C dy.
GM_HD Affine back_map(float a, float C_nt, float dy) { return Affine{a, a * C_nt * dy}; }

// Gradients of one (t, n) element. hprev = h_{t-1}, h = h_t, g = dL/dh_t, a = exp(dt A_n).
struct ElemGrad {
    float du;     // to sum over n
    float ddt;    // to sum over n (before the softplus factor)
    float dA;     // to sum over t
    float dB;     // to sum over the channels of the group
    float dC;     // to sum over the channels of the group
};
GM_HD ElemGrad elem_grad(float g, float a, float hprev, float h, float dt, float u, float A_n, float B_nt,
                         float dy) {
    ElemGrad e;
    const float da = g * a * hprev;  // dL/d(dt A_n)
    e.du = g * dt * B_nt;
    e.ddt = g * u * B_nt + da * A_n;
    e.dA = da * dt;
    e.dB = g * dt * u;
    e.dC = dy * h;
    return e;
}

// ---- planning (host) ----------------------------------------------------------------------------------

// The launch shape of one call. Grid: (channel blocks of all groups, batch); a block is kWarpsPerBlock warps,
// warp w of block x handles channel group(x) * Dg + (x % blocks_per_group) * kWarpsPerBlock + w.
struct Plan {
    int64_t chunk;              // positions per tile and per saved state (<= kTile)
    int64_t n_chunks;
    int64_t blocks_per_group;   // ceil(Dg / kWarpsPerBlock)
    int64_t seg_chunks;         // backward: chunks per launch (all of them unless deterministic)
    int64_t n_segments;
};

inline int64_t cuda_default_chunk(int64_t L) { return L < kTile ? L : kTile; }

// part_budget_floats bounds the deterministic dB/dC partials: (B, G, blocks_per_group, N, seg_chunks * chunk) x 2.
inline Plan make_plan(int64_t B, int64_t D, int64_t L, int64_t N, int64_t G, int64_t chunk, bool deterministic,
                      int64_t part_budget_floats) {
    Plan p{};
    p.chunk = chunk;
    p.n_chunks = (L + chunk - 1) / chunk;
    const int64_t Dg = D / G;
    p.blocks_per_group = (Dg + kWarpsPerBlock - 1) / kWarpsPerBlock;
    p.seg_chunks = p.n_chunks;
    if (deterministic) {
        const int64_t per_chunk = 2 * B * G * p.blocks_per_group * N * chunk;
        int64_t s = part_budget_floats / (per_chunk > 0 ? per_chunk : 1);
        if (s < 1) s = 1;
        if (s < p.seg_chunks) p.seg_chunks = s;
    }
    p.n_segments = (p.n_chunks + p.seg_chunks - 1) / p.seg_chunks;
    return p;
}

}  // namespace cu
}  // namespace gm

#endif  // GM_CUDA_SCAN_MATH_H
