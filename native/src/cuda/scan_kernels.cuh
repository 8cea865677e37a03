// scan_kernels.cuh — the CUDA scan's kernels (see scan_cuda.cu for the design). Included by scan_cuda.cu
// (nvcc) and by tests/test_cuda_kernels_emu.cpp, which compiles these same kernels for the host with a small
// emulation of the CUDA built-ins (tests/cuda_emu.h: one std::thread per CUDA thread, shuffles and barriers
// through shared slots), so indexing, shared-memory layout, segments and reductions are exercised without a GPU.
// Needs from the includer: the CUDA built-ins (or the emulation), <cstdint>, genomamba.h.
#ifndef GM_CUDA_SCAN_KERNELS_CUH
#define GM_CUDA_SCAN_KERNELS_CUH

#include "cuda/scan_math.h"

#if defined(__CUDACC__)
#define GM_UNROLL _Pragma("unroll")
#else
#define GM_UNROLL
#endif
#ifndef GM_DYNAMIC_SHARED
#define GM_DYNAMIC_SHARED(name) extern __shared__ float name[]
#endif
// The emulation compiles these kernels into another namespace, so a test binary may hold both builds.
#ifndef GM_KERN_NS
#define GM_KERN_NS kern
#endif

namespace gm {
namespace cuda {
namespace GM_KERN_NS {

static_assert(cu::kTile == GM_CUDA_MAX_CHUNK, "the CUDA tile is the largest CUDA chunk (genomamba.h)");
using cu::Affine;
using cu::kItems;
using cu::kTile;
using cu::kWarp;
using cu::kWarpsPerBlock;
using cu::Plan;
constexpr int kThreads = kWarp * kWarpsPerBlock;
constexpr unsigned kFull = 0xffffffffu;

template <class T>
__device__ __forceinline__ float ld(const T* p);
template <>
__device__ __forceinline__ float ld<float>(const float* p) {
    return __ldg(p);
}
template <>
__device__ __forceinline__ float ld<__nv_bfloat16>(const __nv_bfloat16* p) {
    return __bfloat162float(*p);
}
__device__ __forceinline__ void st(float* p, float v) { *p = v; }
__device__ __forceinline__ void st(__nv_bfloat16* p, float v) { *p = __float2bfloat16_rn(v); }

__device__ __forceinline__ Affine shfl_up(Affine f, int s) {
    return Affine{__shfl_up_sync(kFull, f.a, s), __shfl_up_sync(kFull, f.b, s)};
}
__device__ __forceinline__ Affine shfl_down(Affine f, int s) {
    return Affine{__shfl_down_sync(kFull, f.a, s), __shfl_down_sync(kFull, f.b, s)};
}
__device__ __forceinline__ Affine shfl_idx(Affine f, int src) {
    return Affine{__shfl_sync(kFull, f.a, src), __shfl_sync(kFull, f.b, src)};
}

// Lane l gets f_l after f_{l-1} after ... after f_0 (lane 0's map applied first).
__device__ __forceinline__ Affine warp_prefix(Affine f, int lane) {
GM_UNROLL
    for (int s = 1; s < kWarp; s <<= 1) {
        const Affine o = shfl_up(f, s);
        if (lane >= s) f = cu::compose(o, f);
    }
    return f;
}
// Lane l gets f_l after f_{l+1} after ... after f_31 (lane 31's map applied first).
__device__ __forceinline__ Affine warp_suffix(Affine f, int lane) {
GM_UNROLL
    for (int s = 1; s < kWarp; s <<= 1) {
        const Affine o = shfl_down(f, s);
        if (lane + s < kWarp) f = cu::compose(o, f);
    }
    return f;
}
__device__ __forceinline__ float warp_sum(float v) {
GM_UNROLL
    for (int s = kWarp / 2; s > 0; s >>= 1) v += __shfl_xor_sync(kFull, v, s);
    return v;
}

// Where a warp works.
struct Where {
    int lane, w;
    int64_t b, g, j, d;
    bool active;  // false for warps past the group's last channel (they still take part in block barriers)
};
__device__ __forceinline__ Where where(const gm_scan_params& p, const Plan& pl) {
    Where r;
    r.lane = threadIdx.x & (kWarp - 1);
    r.w = threadIdx.x / kWarp;
    r.b = blockIdx.y;
    r.g = blockIdx.x / pl.blocks_per_group;
    r.j = blockIdx.x % pl.blocks_per_group;
    const int64_t Dg = p.dim / p.n_groups, dl = r.j * kWarpsPerBlock + r.w;
    r.active = dl < Dg;
    r.d = r.g * Dg + (r.active ? dl : 0);
    return r;
}

// ---- forward ----------------------------------------------------------------------------------------

template <class T>
__global__ void __launch_bounds__(kThreads) fwd_kernel(const gm_scan_params p, const Plan pl) {
    GM_DYNAMIC_SHARED(smem);
    const Where at = where(p, pl);
    if (!at.active) return;  // no block barriers in the forward
    const int64_t N = p.dstate, L = p.seqlen, b = at.b, d = at.d;
    const int lane = at.lane;
    float* H = smem + at.w * N;  // the state carried between tiles
    for (int64_t n = lane; n < N; n += kWarp)
        H[n] = p.h0 ? p.h0[b * p.h0_batch_stride + d * p.h0_dim_stride + n] : 0.0f;
    __syncwarp();

    const T* ub = reinterpret_cast<const T*>(p.u) + b * p.u_batch_stride + d * p.u_dim_stride;
    const T* db = reinterpret_cast<const T*>(p.delta) + b * p.delta_batch_stride + d * p.delta_dim_stride;
    const T* zb = p.z ? reinterpret_cast<const T*>(p.z) + b * p.z_batch_stride + d * p.z_dim_stride : nullptr;
    const T* Bb = reinterpret_cast<const T*>(p.Bmat) + b * p.B_batch_stride + at.g * p.B_group_stride;
    const T* Cb = reinterpret_cast<const T*>(p.Cmat) + b * p.C_batch_stride + at.g * p.C_group_stride;
    T* ob = reinterpret_cast<T*>(p.out) + b * p.out_batch_stride + d * p.out_dim_stride;
    const float* Ad = p.A + d * p.A_dim_stride;
    const float bias = p.delta_bias ? p.delta_bias[d] : 0.0f;
    const float Dv = p.D_skip ? p.D_skip[d] : 0.0f;
    float* cs = p.chunk_states + (b * p.dim + d) * pl.n_chunks * N;

    for (int64_t k = 0; k < pl.n_chunks; ++k) {
        const int64_t t0 = k * pl.chunk, len = min(pl.chunk, L - t0);
        for (int64_t n = lane; n < N; n += kWarp) cs[k * N + n] = H[n];
        float u[kItems], dt[kItems], y[kItems];
GM_UNROLL
        for (int i = 0; i < kItems; ++i) {
            const int64_t pos = lane * kItems + i;
            const bool ok = pos < len;
            u[i] = ok ? ld(ub + t0 + pos) : 0.0f;
            dt[i] = ok ? cu::delta_of(ld(db + t0 + pos), bias, p.delta_softplus != 0, nullptr) : 0.0f;
            y[i] = 0.0f;
        }
        for (int64_t n = 0; n < N; ++n) {
            const float An = Ad[n];
            const T* Bn = Bb + n * p.B_state_stride + t0;
            const T* Cn = Cb + n * p.C_state_stride + t0;
            float a[kItems], bv[kItems];
            Affine loc = cu::identity();
GM_UNROLL
            for (int i = 0; i < kItems; ++i) {
                const int64_t pos = lane * kItems + i;
                const Affine f = cu::step_map(dt[i], An, u[i], pos < len ? ld(Bn + pos) : 0.0f);
                a[i] = f.a;
                bv[i] = f.b;
                loc = cu::compose(loc, f);
            }
            const Affine inc = warp_prefix(loc, lane);
            Affine exc = shfl_up(inc, 1);
            if (lane == 0) exc = cu::identity();
            const float hin = H[n];
            float h = cu::apply(exc, hin);
GM_UNROLL
            for (int i = 0; i < kItems; ++i) {
                const int64_t pos = lane * kItems + i;
                h = a[i] * h + bv[i];
                y[i] += (pos < len ? ld(Cn + pos) : 0.0f) * h;
            }
            const float hend = cu::apply(shfl_idx(inc, kWarp - 1), hin);
            __syncwarp();
            if (lane == 0) H[n] = hend;
            __syncwarp();
        }
GM_UNROLL
        for (int i = 0; i < kItems; ++i) {
            const int64_t pos = lane * kItems + i;
            if (pos < len) {
                float v = y[i] + Dv * u[i];
                if (zb) v = cu::gate(v, ld(zb + t0 + pos));
                st(ob + t0 + pos, v);
            }
        }
    }
    if (p.final_state)
        for (int64_t n = lane; n < N; n += kWarp)
            p.final_state[b * p.final_state_batch_stride + d * p.final_state_dim_stride + n] = H[n];
}

// ---- backward ---------------------------------------------------------------------------------------

// Carried between the launches of a segmented backward, per (b, d): q (the state gradient), and the sums.
struct Work {
    float* dh;      // (B, D, N)
    double* dA;     // (B, D, N)
    double* dD;     // (B, D)
    double* dbias;  // (B, D)
    float* part;    // deterministic: (B, G, blocks_per_group, N, seg_chunks * chunk) per dB and per dC
    int64_t part_len;
};

template <class T>
__global__ void __launch_bounds__(kThreads) bwd_kernel(const gm_scan_params p, const Plan pl, const Work ws,
                                                       const int64_t k_lo, const int64_t k_hi, const int mode) {
    GM_DYNAMIC_SHARED(smem);
    const Where at = where(p, pl);
    const int64_t N = p.dstate, L = p.seqlen, D = p.dim, b = at.b, d = at.d;
    const int lane = at.lane;
    float* sB = smem;                        // (kWarpsPerBlock, kTile)
    float* sC = sB + kWarpsPerBlock * kTile;  // (kWarpsPerBlock, kTile)
    float* Q = sC + kWarpsPerBlock * kTile + at.w * N;
    const int64_t bd = b * D + d;
    if (at.active) {
        for (int64_t n = lane; n < N; n += kWarp) {
            float q = ws.dh[bd * N + n];
            if (k_hi == pl.n_chunks)
                q = p.dfinal_state ? p.dfinal_state[b * p.dfinal_state_batch_stride + d * p.dfinal_state_dim_stride + n]
                                   : 0.0f;
            Q[n] = q;
        }
    }
    __syncwarp();

    const T* ub = reinterpret_cast<const T*>(p.u) + b * p.u_batch_stride + d * p.u_dim_stride;
    const T* db = reinterpret_cast<const T*>(p.delta) + b * p.delta_batch_stride + d * p.delta_dim_stride;
    const T* gb = reinterpret_cast<const T*>(p.dout) + b * p.dout_batch_stride + d * p.dout_dim_stride;
    const T* zb = p.z ? reinterpret_cast<const T*>(p.z) + b * p.z_batch_stride + d * p.z_dim_stride : nullptr;
    const T* Bb = reinterpret_cast<const T*>(p.Bmat) + b * p.B_batch_stride + at.g * p.B_group_stride;
    const T* Cb = reinterpret_cast<const T*>(p.Cmat) + b * p.C_batch_stride + at.g * p.C_group_stride;
    T* dub = reinterpret_cast<T*>(p.du) + b * p.du_batch_stride + d * p.du_dim_stride;
    T* ddb = reinterpret_cast<T*>(p.ddelta) + b * p.ddelta_batch_stride + d * p.ddelta_dim_stride;
    T* dzb = p.z ? reinterpret_cast<T*>(p.dz) + b * p.dz_batch_stride + d * p.dz_dim_stride : nullptr;
    const float* Ad = p.A + d * p.A_dim_stride;
    const float bias = p.delta_bias ? p.delta_bias[d] : 0.0f;
    const float Dv = p.D_skip ? p.D_skip[d] : 0.0f;
    const float* cs = p.chunk_states + bd * pl.n_chunks * N;
    const bool act = at.active;
    double dD_acc = 0.0, dbias_acc = 0.0;  // lane 0's

    for (int64_t k = k_hi - 1; k >= k_lo; --k) {
        const int64_t t0 = k * pl.chunk, len = min(pl.chunk, L - t0);
        float u[kItems], dt[kItems], sig[kItems], dy[kItems], y[kItems], du[kItems], ddt[kItems];
        float dDl = 0.0f;
GM_UNROLL
        for (int i = 0; i < kItems; ++i) {
            const int64_t pos = lane * kItems + i;
            const bool ok = act && pos < len;
            u[i] = ok ? ld(ub + t0 + pos) : 0.0f;
            dt[i] = ok ? cu::delta_of(ld(db + t0 + pos), bias, p.delta_softplus != 0, &sig[i]) : 0.0f;
            if (!ok) sig[i] = 0.0f;
            const float go = ok ? ld(gb + t0 + pos) : 0.0f;
            const float z = (ok && zb) ? ld(zb + t0 + pos) : 0.0f;
            dy[i] = zb ? go * z * cu::sigmoid(z) : go;
            y[i] = 0.0f;
            du[i] = dy[i] * Dv;
            ddt[i] = 0.0f;
            dDl += dy[i] * u[i];
        }
        for (int64_t n = 0; n < N; ++n) {
            const float An = Ad[n];
            const T* Bn = Bb + n * p.B_state_stride + t0;
            const T* Cn = Cb + n * p.C_state_stride + t0;
            float a[kItems], bv[kItems], Bv[kItems], Cv[kItems], hp[kItems];
            Affine loc = cu::identity();
GM_UNROLL
            for (int i = 0; i < kItems; ++i) {
                const int64_t pos = lane * kItems + i;
                const bool ok = act && pos < len;
                Bv[i] = ok ? ld(Bn + pos) : 0.0f;
                Cv[i] = ok ? ld(Cn + pos) : 0.0f;
                const Affine f = cu::step_map(dt[i], An, u[i], Bv[i]);
                a[i] = f.a;
                bv[i] = f.b;
                loc = cu::compose(loc, f);
            }
            // States: hp[i] = h before item i; h after item i = hp[i + 1] (or hlast).
            const Affine inc = warp_prefix(loc, lane);
            Affine exc = shfl_up(inc, 1);
            if (lane == 0) exc = cu::identity();
            float h = cu::apply(exc, act ? cs[k * N + n] : 0.0f);
GM_UNROLL
            for (int i = 0; i < kItems; ++i) {
                hp[i] = h;
                h = a[i] * h + bv[i];
                y[i] += Cv[i] * h;
            }
            // The reverse recurrence: this lane's map from the q entering it on the right to q at its first item.
            Affine rloc = cu::identity();
GM_UNROLL
            for (int i = kItems - 1; i >= 0; --i) rloc = cu::compose(rloc, cu::back_map(a[i], Cv[i], dy[i]));
            const Affine sfx = warp_suffix(rloc, lane);
            Affine rexc = shfl_down(sfx, 1);
            if (lane == kWarp - 1) rexc = cu::identity();
            const float qin = act ? Q[n] : 0.0f;
            float q = cu::apply(rexc, qin);
            float dAl = 0.0f;
            float hnext = h;
GM_UNROLL
            for (int i = kItems - 1; i >= 0; --i) {
                const float g = Cv[i] * dy[i] + q;
                const cu::ElemGrad e = cu::elem_grad(g, a[i], hp[i], hnext, dt[i], u[i], An, Bv[i], dy[i]);
                du[i] += e.du;
                ddt[i] += e.ddt;
                dAl += e.dA;
                sB[at.w * kTile + lane * kItems + i] = e.dB;
                sC[at.w * kTile + lane * kItems + i] = e.dC;
                q = a[i] * g;
                hnext = hp[i];
            }
            const float qout = cu::apply(shfl_idx(sfx, 0), qin);
            const float dAsum = warp_sum(dAl);
            __syncwarp();
            if (lane == 0 && act) {
                Q[n] = qout;
                ws.dA[bd * N + n] += (double)dAsum;
            }
            __syncthreads();  // sB/sC complete
            // dB/dC of this block's channels for (b, g, n, chunk positions): fixed order over the warps.
            const int64_t nb = pl.blocks_per_group;
            for (int64_t pos = threadIdx.x; pos < len; pos += kThreads) {
                float sb = 0.0f, sc = 0.0f;
GM_UNROLL
                for (int w = 0; w < kWarpsPerBlock; ++w) {
                    sb += sB[w * kTile + pos];
                    sc += sC[w * kTile + pos];
                }
                const int64_t t = t0 + pos;
                float* dBp = p.dB + b * p.dB_batch_stride + at.g * p.dB_group_stride + n * p.dB_state_stride + t;
                float* dCp = p.dC + b * p.dC_batch_stride + at.g * p.dC_group_stride + n * p.dC_state_stride + t;
                if (nb == 1) {
                    *dBp = sb;
                    *dCp = sc;
                } else if (mode == 0) {
                    atomicAdd(dBp, sb);
                    atomicAdd(dCp, sc);
                } else {
                    const int64_t row = (((b * p.n_groups + at.g) * nb + at.j) * N + n) * ws.part_len;
                    const int64_t tt = (k - k_lo) * pl.chunk + pos;
                    ws.part[row + tt] = sb;
                    ws.part[row + tt + (int64_t)p.batch * p.n_groups * nb * N * ws.part_len] = sc;
                }
            }
            __syncthreads();  // before sB/sC are overwritten
        }
        float dbl = 0.0f;
GM_UNROLL
        for (int i = 0; i < kItems; ++i) {
            const int64_t pos = lane * kItems + i;
            if (p.delta_softplus) ddt[i] *= sig[i];
            if (act && pos < len) {
                dbl += ddt[i];
                st(dub + t0 + pos, du[i]);
                st(ddb + t0 + pos, ddt[i]);
                if (zb) {
                    float dz;
                    cu::gate_bwd(ld(gb + t0 + pos), y[i] + Dv * u[i], ld(zb + t0 + pos), &dz);
                    st(dzb + t0 + pos, dz);
                }
            }
        }
        const float dDs = warp_sum(dDl), dbs = warp_sum(dbl);
        dD_acc += (double)dDs;
        dbias_acc += (double)dbs;
    }
    if (act) {
        for (int64_t n = lane; n < N; n += kWarp) {
            ws.dh[bd * N + n] = Q[n];
            if (k_lo == 0 && p.dh0) p.dh0[b * p.dh0_batch_stride + d * p.dh0_dim_stride + n] = Q[n];
        }
        if (lane == 0) {
            ws.dD[bd] += dD_acc;
            ws.dbias[bd] += dbias_acc;
        }
    }
}

// dA, dD, ddelta_bias: the sum over the batch, in batch order.
__global__ void reduce_batch_kernel(const gm_scan_params p, const Work ws) {
    const int64_t D = p.dim, N = p.dstate, B = p.batch;
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < D * N; i += (int64_t)gridDim.x * blockDim.x) {
        const int64_t d = i / N, n = i % N;
        double s = 0.0;
        for (int64_t b = 0; b < B; ++b) s += ws.dA[(b * D + d) * N + n];
        p.dA[d * p.dA_dim_stride + n] = (float)s;
        if (n == 0) {
            double sd = 0.0, sb = 0.0;
            for (int64_t b = 0; b < B; ++b) {
                sd += ws.dD[b * D + d];
                sb += ws.dbias[b * D + d];
            }
            if (p.dD) p.dD[d] = (float)sd;
            if (p.ddelta_bias) p.ddelta_bias[d] = (float)sb;
        }
    }
}

// Deterministic dB/dC of chunks [k_lo, k_hi): the blocks of each group added in block order.
__global__ void reduce_parts_kernel(const gm_scan_params p, const Plan pl, const Work ws, const int64_t k_lo,
                                    const int64_t k_hi) {
    const int64_t N = p.dstate, G = p.n_groups, nb = pl.blocks_per_group;
    const int64_t t_lo = k_lo * pl.chunk, t_hi = min(k_hi * pl.chunk, p.seqlen), span = t_hi - t_lo;
    const int64_t total = p.batch * G * N * span;
    const int64_t plane = p.batch * G * nb * N * ws.part_len;
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < total; i += (int64_t)gridDim.x * blockDim.x) {
        const int64_t tt = i % span, r = i / span, n = r % N, bg = r / N, g = bg % G, b = bg / G;
        float sb = 0.0f, sc = 0.0f;
        for (int64_t j = 0; j < nb; ++j) {
            const int64_t at = ((bg * nb + j) * N + n) * ws.part_len + tt;
            sb += ws.part[at];
            sc += ws.part[at + plane];
        }
        const int64_t t = t_lo + tt;
        p.dB[b * p.dB_batch_stride + g * p.dB_group_stride + n * p.dB_state_stride + t] = sb;
        p.dC[b * p.dC_batch_stride + g * p.dC_group_stride + n * p.dC_state_stride + t] = sc;
    }
}

// dB = dC = 0 before the atomics (strided tensors, so not a memset).
__global__ void zero_bc_kernel(const gm_scan_params p) {
    const int64_t N = p.dstate, G = p.n_groups, L = p.seqlen, total = p.batch * G * N * L;
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < total; i += (int64_t)gridDim.x * blockDim.x) {
        const int64_t t = i % L, r = i / L, n = r % N, bg = r / N, g = bg % G, b = bg / G;
        p.dB[b * p.dB_batch_stride + g * p.dB_group_stride + n * p.dB_state_stride + t] = 0.0f;
        p.dC[b * p.dC_batch_stride + g * p.dC_group_stride + n * p.dC_state_stride + t] = 0.0f;
    }
}

}  // namespace GM_KERN_NS
}  // namespace cuda
}  // namespace gm

#endif  // GM_CUDA_SCAN_KERNELS_CUH
