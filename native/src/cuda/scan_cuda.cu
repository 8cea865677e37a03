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
#include "cuda/scan_kernels.cuh"

namespace gm {
namespace cuda {

int64_t g_part_budget_floats = int64_t(1) << 26;  // 256 MiB of dB/dC partials

namespace {

using namespace kern;
using cu::kTile;
using cu::kWarpsPerBlock;
using cu::Plan;

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
