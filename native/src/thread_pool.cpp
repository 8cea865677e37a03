// thread_pool.cpp — see thread_pool.h.
#include "thread_pool.h"

#include <cstdlib>
#include <new>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define GM_PAUSE() _mm_pause()
#else
#define GM_PAUSE() ((void)0)
#endif

namespace gm {

// ---- AlignedBuffer, Workspace ----------------------------------------------------------------------

AlignedBuffer::~AlignedBuffer() { std::free(p_); }

void* AlignedBuffer::ensure(size_t bytes) {
    if (bytes <= cap_) return p_;
    std::free(p_);
    p_ = nullptr;
    cap_ = 0;
    size_t rounded = (bytes + 4095) & ~size_t(4095);
    void* p = std::aligned_alloc(64, rounded);
    if (!p) throw std::bad_alloc();
    p_ = p;
    cap_ = rounded;
    return p_;
}

namespace {
std::mutex g_ws_mutex;
std::unique_ptr<Workspace> g_ws_cache;
}  // namespace

WorkspaceLease::WorkspaceLease() {
    {
        std::lock_guard<std::mutex> lk(g_ws_mutex);
        ws_ = std::move(g_ws_cache);
    }
    if (!ws_) ws_.reset(new Workspace());
}

WorkspaceLease::~WorkspaceLease() {
    std::lock_guard<std::mutex> lk(g_ws_mutex);
    if (!g_ws_cache || g_ws_cache->bytes() < ws_->bytes()) g_ws_cache = std::move(ws_);  // keep the larger
}

// ---- Barrier ------------------------------------------------------------------------------------

static int hardware_threads() {
    static const int n = [] {
        unsigned h = std::thread::hardware_concurrency();
        return h ? (int)h : 1;
    }();
    return n;
}

Barrier::Barrier(int n) : n_(n), spin_(n <= hardware_threads()) {}

void Barrier::wait() {
    if (n_ <= 1) return;
    const uint32_t g = gen_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) == n_ - 1) {
        arrived_.store(0, std::memory_order_relaxed);
        gen_.store(g + 1, std::memory_order_seq_cst);
        if (sleepers_.load(std::memory_order_seq_cst) > 0) {
            std::lock_guard<std::mutex> lk(m_);
            cv_.notify_all();
        }
        return;
    }
    if (spin_)
        for (int i = 0; i < 256; ++i) {
            if (gen_.load(std::memory_order_acquire) != g) return;
            GM_PAUSE();
        }
    for (int i = 0; i < 64; ++i) {
        if (gen_.load(std::memory_order_acquire) != g) return;
        std::this_thread::yield();
    }
    std::unique_lock<std::mutex> lk(m_);
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    cv_.wait(lk, [&] { return gen_.load(std::memory_order_seq_cst) != g; });
    sleepers_.fetch_sub(1, std::memory_order_relaxed);
}

// ---- the pool -------------------------------------------------------------------------------------

namespace {

class Pool {
public:
    // Returns false when another region holds the pool.
    bool try_run(int n, RegionFn fn, void* ctx) {
        std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
        if (!busy.owns_lock()) return false;
        while ((int)workers_ < n - 1) {
            int idx = (int)workers_ + 1;
            std::thread(&Pool::worker, this, idx).detach();  // the pool is never destroyed (see instance())
            ++workers_;
        }
        {
            std::lock_guard<std::mutex> lk(m_);
            fn_ = fn;
            ctx_ = ctx;
            n_ = n;
            remaining_.store(n - 1, std::memory_order_relaxed);
            ++job_;
        }
        cv_.notify_all();
        fn(ctx, 0);
        for (int i = 0; i < 1024 && remaining_.load(std::memory_order_acquire) > 0; ++i) GM_PAUSE();
        if (remaining_.load(std::memory_order_acquire) > 0) {
            std::unique_lock<std::mutex> lk(m_);
            done_cv_.wait(lk, [&] { return remaining_.load(std::memory_order_acquire) == 0; });
        }
        return true;
    }

    // Leaked on purpose: destroying it at exit would race with static destruction in the host process
    // (.NET, libtorch); idle workers just sleep until the process ends.
    static Pool& instance() {
        static Pool* p = new Pool();
        return *p;
    }

private:
    void worker(int idx) {
        uint64_t seen = 0;
        for (;;) {
            RegionFn fn;
            void* ctx;
            int n;
            {
                std::unique_lock<std::mutex> lk(m_);
                cv_.wait(lk, [&] { return job_ != seen; });
                seen = job_;
                fn = fn_;
                ctx = ctx_;
                n = n_;
            }
            if (idx >= n) continue;
            fn(ctx, idx);
            if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
                std::lock_guard<std::mutex> lk(m_);
                done_cv_.notify_one();
            }
        }
    }

    std::mutex busy_;
    size_t workers_ = 0;
    std::mutex m_;
    std::condition_variable cv_, done_cv_;
    uint64_t job_ = 0;
    RegionFn fn_ = nullptr;
    void* ctx_ = nullptr;
    int n_ = 0;
    std::atomic<int> remaining_{0};
};

}  // namespace

void parallel_region(int n, RegionFn fn, void* ctx) {
    if (n <= 1) {
        fn(ctx, 0);
        return;
    }
    if (Pool::instance().try_run(n, fn, ctx)) return;
    std::vector<std::thread> extra;
    extra.reserve(n - 1);
    for (int i = 1; i < n; ++i) extra.emplace_back(fn, ctx, i);
    fn(ctx, 0);
    for (auto& t : extra) t.join();
}

}  // namespace gm
