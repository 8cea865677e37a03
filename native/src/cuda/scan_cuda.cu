// scan_cuda.cu — the selective scan on CUDA: same ABI, same math, same chunk_states layout as the CPU scan.
//
// Work split: one warp per (batch b, channel d); a block is kWarpsPerBlock warps = channels of one group of one
// batch element (grid x: group x channel block, grid y: batch), so the block can sum dB/dC over its channels
// before they leave it. A warp walks its channel's sequence one tile (= one chunk, <= 256 positions) at a time:
// lane l holds kItems consecutive positions, composes their affine maps, the warp scans the lanes' maps with
// shuffles, and the state carried from the previous tile turns maps into states (scan_math.h). The state
// entering every chunk goes to chunk_states, exactly as on the CPU.
// Backward: chunks in reverse; each tile recomputes its states from chunk_states, then scans the reverse
// recurrence (q = a g) the same way, carrying q between tiles. dB/dC: summed over the block's warps in shared
// memory, then a float atomicAdd per (b, g, n, t) (fast default) or, with GM_FLAG_DETERMINISTIC, a store into a
// per-block partial and a second kernel that adds the blocks of a group in order (the backward then runs in
// segments of chunks so that the partials stay bounded). dA/dD/ddelta_bias: per warp, fp32 within a tile and
// fp64 across tiles, then summed over the batch in batch order: deterministic in both modes.
// Memory beyond the caller's tensors: O(B·D·N) workspace, plus the bounded partials; never (B, D, L, N).
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "cuda/scan_cuda.h"
#include "cuda/scan_math.h"

namespace gm {
namespace cuda {

int64_t g_part_budget_floats = int64_t(1) << 26;  // 256 MiB of dB/dC partials

namespace {

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
#pragma unroll
    for (int s = 1; s < kWarp; s <<= 1) {
        const Affine o = shfl_up(f, s);
        if (lane >= s) f = cu::compose(o, f);
    }
    return f;
}
// Lane l gets f_l after f_{l+1} after ... after f_31 (lane 31's map applied first).
__device__ __forceinline__ Affine warp_suffix(Affine f, int lane) {
#pragma unroll
    for (int s = 1; s < kWarp; s <<= 1) {
        const Affine o = shfl_down(f, s);
        if (lane + s < kWarp) f = cu::compose(o, f);
    }
    return f;
}
__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
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
    extern __shared__ float smem[];
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
#pragma unroll
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
#pragma unroll
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
#pragma unroll
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
#pragma unroll
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
    extern __shared__ float smem[];
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
#pragma unroll
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
#pragma unroll
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
#pragma unroll
            for (int i = 0; i < kItems; ++i) {
                hp[i] = h;
                h = a[i] * h + bv[i];
                y[i] += Cv[i] * h;
            }
            // The reverse recurrence: this lane's map from the q entering it on the right to q at its first item.
            Affine rloc = cu::identity();
#pragma unroll
            for (int i = kItems - 1; i >= 0; --i) rloc = cu::compose(rloc, cu::back_map(a[i], Cv[i], dy[i]));
            const Affine sfx = warp_suffix(rloc, lane);
            Affine rexc = shfl_down(sfx, 1);
            if (lane == kWarp - 1) rexc = cu::identity();
            const float qin = act ? Q[n] : 0.0f;
            float q = cu::apply(rexc, qin);
            float dAl = 0.0f;
            float hnext = h;
#pragma unroll
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
#pragma unroll
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
#pragma unroll
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

// ---- host side --------------------------------------------------------------------------------------

// A CUDA failure: the status it maps to and its message.
struct Fail {
    gm_status status;
    std::string message;
};

void check(cudaError_t e, const char* what) {
    if (e == cudaSuccess) return;
    const gm_status s = e == cudaErrorMemoryAllocation ? GM_ERR_OUT_OF_MEMORY : GM_ERR_INTERNAL;
    throw Fail{s, std::string("CUDA error in ") + what + ": " + cudaGetErrorName(e) + " (" + cudaGetErrorString(e) + ")"};
}

// Selects the call's device for the duration of the call (and restores the caller's).
struct DeviceGuard {
    int previous = -1;
    explicit DeviceGuard(int device) {
        int count = 0;
        const cudaError_t e = cudaGetDeviceCount(&count);
        if (e != cudaSuccess || count == 0)
            throw Fail{GM_ERR_UNSUPPORTED, std::string("no CUDA device is available (") +
                                               (e == cudaSuccess ? "none visible" : cudaGetErrorString(e)) + ")"};
        if (device < 0 || device >= count)
            throw Fail{GM_ERR_INVALID_ARGUMENT, "device_index = " + std::to_string(device) + " but " +
                                                    std::to_string(count) + " CUDA device(s) are visible"};
        check(cudaGetDevice(&previous), "cudaGetDevice");
        if (previous != device) check(cudaSetDevice(device), "cudaSetDevice");
    }
    ~DeviceGuard() {
        if (previous >= 0) cudaSetDevice(previous);
    }
};

struct Field {
    const void* ptr;
    const char* name;
};

// A host pointer handed to a kernel would kill the CUDA context; say which field instead.
void require_device_memory(const void* ptr, const char* field) {
    if (!ptr) return;
    cudaPointerAttributes a{};
    const cudaError_t e = cudaPointerGetAttributes(&a, ptr);
    if (e != cudaSuccess) {
        cudaGetLastError();  // clear the sticky-free error state of this query
        throw Fail{GM_ERR_INVALID_ARGUMENT, std::string(field) + " is not CUDA memory (device = GM_DEVICE_CUDA)"};
    }
    if (a.type != cudaMemoryTypeDevice && a.type != cudaMemoryTypeManaged)
        throw Fail{GM_ERR_INVALID_ARGUMENT,
                   std::string(field) + " is host memory; with device = GM_DEVICE_CUDA every tensor must be on the GPU"};
}

Plan plan_of(const Problem& P, bool deterministic) {
    return cu::make_plan(P.B, P.D, P.L, P.N, P.G, P.chunk, deterministic, g_part_budget_floats);
}

dim3 grid_of(const Problem& P, const Plan& pl) { return dim3((unsigned)(pl.blocks_per_group * P.G), (unsigned)P.B); }

void check_grid(const Problem& P, const Plan& pl) {
    if (pl.blocks_per_group * P.G > 0x7fffffff || P.B > 65535)
        throw Fail{GM_ERR_UNSUPPORTED, "batch (B) = " + std::to_string(P.B) + " is over the CUDA scan's 65535"};
}

template <class F>
gm_status guarded(std::string& message, F&& body) {
    try {
        body();
        return GM_OK;
    } catch (const Fail& f) {
        message = f.message;
        return f.status;
    }
}

unsigned reduce_blocks(int64_t work) { return (unsigned)std::max<int64_t>(1, std::min<int64_t>(4096, (work + 255) / 256)); }

}  // namespace

int device_count() {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
        cudaGetLastError();
        return 0;
    }
    return n;
}

gm_status forward(const Problem& P, std::string& message) {
    return guarded(message, [&] {
        const gm_scan_params& p = *P.p;
        DeviceGuard guard(p.device_index);
        const Field fields[] = {{p.u, "u"}, {p.delta, "delta"}, {p.A, "A"}, {p.Bmat, "Bmat"}, {p.Cmat, "Cmat"},
                                {p.out, "out"}, {p.chunk_states, "chunk_states"}, {p.z, "z"}, {p.h0, "h0"},
                                {p.final_state, "final_state"}, {p.D_skip, "D_skip"}, {p.delta_bias, "delta_bias"}};
        for (const Field& f : fields) require_device_memory(f.ptr, f.name);
        const Plan pl = plan_of(P, false);
        check_grid(P, pl);
        const cudaStream_t stream = static_cast<cudaStream_t>(p.stream);
        const size_t shmem = sizeof(float) * kWarpsPerBlock * P.N;
        if (p.input_dtype == GM_DTYPE_BF16)
            fwd_kernel<__nv_bfloat16><<<grid_of(P, pl), kThreads, shmem, stream>>>(p, pl);
        else
            fwd_kernel<float><<<grid_of(P, pl), kThreads, shmem, stream>>>(p, pl);
        check(cudaGetLastError(), "the forward launch");
        check(cudaStreamSynchronize(stream), "the forward kernel");
    });
}

gm_status backward(const Problem& P, std::string& message) {
    return guarded(message, [&] {
        const gm_scan_params& p = *P.p;
        DeviceGuard guard(p.device_index);
        const Field fields[] = {{p.u, "u"}, {p.delta, "delta"}, {p.A, "A"}, {p.Bmat, "Bmat"}, {p.Cmat, "Cmat"},
                                {p.dout, "dout"}, {p.chunk_states, "chunk_states"}, {p.du, "du"}, {p.ddelta, "ddelta"},
                                {p.dA, "dA"}, {p.dB, "dB"}, {p.dC, "dC"}, {p.z, "z"}, {p.dz, "dz"}, {p.dh0, "dh0"},
                                {p.dfinal_state, "dfinal_state"}, {p.D_skip, "D_skip"}, {p.dD, "dD"},
                                {p.delta_bias, "delta_bias"}, {p.ddelta_bias, "ddelta_bias"}};
        for (const Field& f : fields) require_device_memory(f.ptr, f.name);
        const bool det = (p.flags & GM_FLAG_DETERMINISTIC) != 0;
        const Plan pl = plan_of(P, det);
        check_grid(P, pl);
        const cudaStream_t stream = static_cast<cudaStream_t>(p.stream);

        // Workspace: stream-ordered allocations (the pool keeps them for the next call).
        const int64_t BD = P.B * P.D, BDN = BD * P.N;
        const bool parts = det && pl.blocks_per_group > 1;
        const int64_t part_len = pl.seg_chunks * pl.chunk;
        const int64_t part_floats = parts ? 2 * P.B * P.G * pl.blocks_per_group * P.N * part_len : 0;
        const size_t bytes = sizeof(double) * (BDN + 2 * BD) + sizeof(float) * (BDN + part_floats);
        void* mem = nullptr;
        check(cudaMallocAsync(&mem, bytes, stream), "cudaMallocAsync (backward workspace)");
        struct Free {
            void* m;
            cudaStream_t s;
            ~Free() { cudaFreeAsync(m, s); }
        } free_at_exit{mem, stream};
        check(cudaMemsetAsync(mem, 0, sizeof(double) * (BDN + 2 * BD), stream), "cudaMemsetAsync");
        Work ws;
        ws.dA = static_cast<double*>(mem);
        ws.dD = ws.dA + BDN;
        ws.dbias = ws.dD + BD;
        ws.dh = reinterpret_cast<float*>(ws.dbias + BD);
        ws.part = parts ? ws.dh + BDN : nullptr;
        ws.part_len = part_len;

        if (!det && pl.blocks_per_group > 1) {
            zero_bc_kernel<<<reduce_blocks(P.B * P.G * P.N * P.L), 256, 0, stream>>>(p);
            check(cudaGetLastError(), "the dB/dC zeroing launch");
        }
        const size_t shmem = sizeof(float) * (2 * kWarpsPerBlock * kTile + kWarpsPerBlock * P.N);
        const int mode = det ? 1 : 0;
        for (int64_t s = pl.n_segments - 1; s >= 0; --s) {
            const int64_t k_lo = s * pl.seg_chunks, k_hi = std::min(pl.n_chunks, k_lo + pl.seg_chunks);
            if (p.input_dtype == GM_DTYPE_BF16)
                bwd_kernel<__nv_bfloat16><<<grid_of(P, pl), kThreads, shmem, stream>>>(p, pl, ws, k_lo, k_hi, mode);
            else
                bwd_kernel<float><<<grid_of(P, pl), kThreads, shmem, stream>>>(p, pl, ws, k_lo, k_hi, mode);
            check(cudaGetLastError(), "the backward launch");
            if (parts) {
                const int64_t span = std::min(k_hi * pl.chunk, P.L) - k_lo * pl.chunk;
                reduce_parts_kernel<<<reduce_blocks(P.B * P.G * P.N * span), 256, 0, stream>>>(p, pl, ws, k_lo, k_hi);
                check(cudaGetLastError(), "the dB/dC reduction launch");
            }
        }
        reduce_batch_kernel<<<reduce_blocks(P.D * P.N), 256, 0, stream>>>(p, ws);
        check(cudaGetLastError(), "the dA/dD reduction launch");
        check(cudaStreamSynchronize(stream), "the backward kernels");
    });
}

}  // namespace cuda
}  // namespace gm
