// cuda_emu.h — just enough of CUDA to run src/cuda/scan_kernels.cuh on the host, for tests: every CUDA thread
// of a block is a std::thread; warp shuffles exchange through per-warp slots between two warp barriers (every
// lane must reach every shuffle, which the kernels guarantee: no shuffle sits in lane-divergent code), and
// __syncthreads is a block barrier. Blocks run one after another. Slow (a thread per CUDA thread) and only for
// problems of a few blocks; it checks what the kernels compute, not how fast, and not the memory model.
#ifndef GM_TEST_CUDA_EMU_H
#define GM_TEST_CUDA_EMU_H

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define GM_DYNAMIC_SHARED(name) float* name = gm_emu::shared_memory()

namespace gm_emu {

struct Dim3 {
    unsigned x = 0, y = 0, z = 0;
};

class Barrier {
public:
    explicit Barrier(int n) : n_(n) {}
    void wait() {
        std::unique_lock<std::mutex> lk(m_);
        const uint64_t gen = gen_;
        if (++count_ == n_) {
            count_ = 0;
            ++gen_;
            cv_.notify_all();
        } else {
            cv_.wait(lk, [&] { return gen_ != gen; });
        }
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    int n_, count_ = 0;
    uint64_t gen_ = 0;
};

struct Warp {
    Barrier bar{32};
    uint32_t slot[32];
};

struct Block {
    explicit Block(int threads, size_t shared_floats)
        : bar(threads), warps((threads + 31) / 32), shared(shared_floats + 1, 0.0f) {}
    Barrier bar;
    std::vector<Warp> warps;
    std::vector<float> shared;
};

struct ThreadCtx {
    Dim3 threadIdx, blockIdx, blockDim, gridDim;
    Block* block = nullptr;
};
inline thread_local ThreadCtx t_ctx;
inline std::mutex g_atomic_mutex;

inline float* shared_memory() { return t_ctx.block->shared.data(); }
inline Warp& warp() { return t_ctx.block->warps[t_ctx.threadIdx.x / 32]; }
inline int lane() { return (int)(t_ctx.threadIdx.x & 31); }

// Every lane publishes its value, then reads lane src's (its own when src is out of range).
inline float exchange(float v, int src) {
    Warp& w = warp();
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    w.slot[lane()] = bits;
    w.bar.wait();
    uint32_t got = (src >= 0 && src < 32) ? w.slot[src] : bits;
    w.bar.wait();
    float r;
    std::memcpy(&r, &got, 4);
    return r;
}

// Runs kernel() for every thread of a grid (x, y) of blocks of `threads` threads with `shared_bytes` of dynamic
// shared memory, one block at a time.
inline void launch(Dim3 grid, int threads, size_t shared_bytes, const std::function<void()>& kernel) {
    for (unsigned by = 0; by < std::max(1u, grid.y); ++by)
        for (unsigned bx = 0; bx < std::max(1u, grid.x); ++bx) {
            Block block(threads, shared_bytes / sizeof(float));
            std::vector<std::thread> ts;
            ts.reserve(threads);
            for (int t = 0; t < threads; ++t)
                ts.emplace_back([&, t] {
                    t_ctx.threadIdx = {(unsigned)t, 0, 0};
                    t_ctx.blockIdx = {bx, by, 0};
                    t_ctx.blockDim = {(unsigned)threads, 1, 1};
                    t_ctx.gridDim = {std::max(1u, grid.x), std::max(1u, grid.y), 1};
                    t_ctx.block = &block;
                    kernel();
                });
            for (auto& th : ts) th.join();
        }
}

}  // namespace gm_emu

#define threadIdx (gm_emu::t_ctx.threadIdx)
#define blockIdx (gm_emu::t_ctx.blockIdx)
#define blockDim (gm_emu::t_ctx.blockDim)
#define gridDim (gm_emu::t_ctx.gridDim)

inline void __syncthreads() { gm_emu::t_ctx.block->bar.wait(); }
inline void __syncwarp(unsigned = 0xffffffffu) { gm_emu::warp().bar.wait(); }
inline float __shfl_sync(unsigned, float v, int src) { return gm_emu::exchange(v, src); }
inline float __shfl_up_sync(unsigned, float v, int s) {
    const int src = gm_emu::lane() - s;
    return gm_emu::exchange(v, src < 0 ? gm_emu::lane() : src);
}
inline float __shfl_down_sync(unsigned, float v, int s) {
    const int src = gm_emu::lane() + s;
    return gm_emu::exchange(v, src > 31 ? gm_emu::lane() : src);
}
inline float __shfl_xor_sync(unsigned, float v, int m) { return gm_emu::exchange(v, gm_emu::lane() ^ m); }
inline float atomicAdd(float* p, float v) {
    std::lock_guard<std::mutex> lk(gm_emu::g_atomic_mutex);
    const float old = *p;
    *p = old + v;
    return old;
}
template <class T>
inline T __ldg(const T* p) {
    return *p;
}
inline int64_t min(int64_t a, int64_t b) { return a < b ? a : b; }

// bfloat16: storage and round-to-nearest-even conversion, as cuda_bf16.h does it.
struct __nv_bfloat16 {
    uint16_t bits;
};
inline float __bfloat162float(__nv_bfloat16 h) {
    const uint32_t x = (uint32_t)h.bits << 16;
    float f;
    std::memcpy(&f, &x, 4);
    return f;
}
inline __nv_bfloat16 __float2bfloat16_rn(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    if ((x & 0x7fffffffu) > 0x7f800000u) return {0x7fc0};
    x += 0x7fffu + ((x >> 16) & 1u);
    return {(uint16_t)(x >> 16)};
}

#endif  // GM_TEST_CUDA_EMU_H
