// thread_pool.h — one parallel region per native call, on a small persistent pool of std::threads.
//
// Why not OpenMP: libtorch ships its own OpenMP runtime and a second one in the same process fought it on
// 2 cores (field notes). Why persistent: creating threads costs tens of microseconds per call, more than a
// short scan. The pool grows lazily to the largest n_threads asked for; idle workers sleep on a condition
// variable. One region runs at a time; a call that finds the pool busy (another thread of the caller is
// inside a scan) runs on threads of its own instead of waiting.
//
// Workspace: scratch memory kept between calls, because first touch of fresh pages is slow here
// (~0.5 GB/s). A call takes the cached workspace if it is free, else a fresh one.
#ifndef GM_THREAD_POOL_H
#define GM_THREAD_POOL_H

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

namespace gm {

// A growable 64-byte aligned block; contents are not preserved on growth.
class AlignedBuffer {
public:
    AlignedBuffer() = default;
    AlignedBuffer(const AlignedBuffer&) = delete;
    AlignedBuffer& operator=(const AlignedBuffer&) = delete;
    ~AlignedBuffer();
    void* ensure(size_t bytes);  // throws std::bad_alloc
    size_t capacity() const { return cap_; }

private:
    void* p_ = nullptr;
    size_t cap_ = 0;
};

struct Workspace {
    AlignedBuffer threads;  // per-thread scratch
    AlignedBuffer states;   // per-item backward state
    AlignedBuffer partials; // dB/dC partials
    size_t bytes() const { return threads.capacity() + states.capacity() + partials.capacity(); }
};

// Takes the cached workspace (or a new one) and gives it back on destruction.
class WorkspaceLease {
public:
    WorkspaceLease();
    ~WorkspaceLease();
    Workspace& operator*() { return *ws_; }
    Workspace* operator->() { return ws_.get(); }

private:
    std::unique_ptr<Workspace> ws_;
};

// Threads of one region meet here between phases. Spins briefly, then yields, then sleeps; spinning is
// skipped when there are more threads than cores (the waiter would only steal the core it waits for).
class Barrier {
public:
    explicit Barrier(int n);
    void wait();

private:
    const int n_;
    const bool spin_;
    std::atomic<int> arrived_{0};
    std::atomic<uint32_t> gen_{0};
    std::atomic<int> sleepers_{0};
    std::mutex m_;
    std::condition_variable cv_;
};

using RegionFn = void (*)(void* ctx, int tid);

// Runs fn(ctx, tid) for tid = 0..n-1, tid 0 on the calling thread; returns when all are done.
// fn must not throw (kernels allocate nothing; all memory is reserved before the region).
void parallel_region(int n, RegionFn fn, void* ctx);

template <class F>
void parallel_region(int n, F& f) {
    parallel_region(n, [](void* c, int tid) { (*static_cast<F*>(c))(tid); }, &f);
}

}  // namespace gm

#endif  // GM_THREAD_POOL_H
