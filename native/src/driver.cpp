// driver.cpp — splits a scan call into work items and runs them in one parallel region.
//
// Determinism: the split depends only on the problem size; each item writes its own outputs; every sum
// across items (dB/dC over the channel blocks of a group, dA/dD/ddelta_bias over the batch) is added in
// a fixed order by one task. So any n_threads gives bit-identical results, and no float atomics are used.
//
// Backward schedule, per wave of batch elements (a wave bounds the dB/dC scratch for large batches):
//   phase p = 0..n_chunks: items run chunk k = n_chunks-1-p into partial slot p % 2, while reduction tasks
//   sum slot (p-1) % 2 (chunk k + 1) over the blocks of each group into dB/dC; then a barrier.
// Scratch is O(items in a wave x chunk x N), never O(D x L x N).
#include <algorithm>
#include <atomic>
#include <cstring>

#include "scan.h"
#include "thread_pool.h"

namespace gm {

namespace {
constexpr int64_t kSerialBelow = 1 << 16;     // b*d*t*n elements under which one thread is faster
constexpr int64_t kReduceSpan = 64;            // positions per dB/dC reduction task

constexpr int64_t kMaxThreads = 256;         // a sanity cap on n_threads

int threads_for(int32_t requested, int64_t tasks, int64_t work) {
    int64_t n = requested <= 0 ? 1 : std::min<int64_t>(requested, kMaxThreads);
    if (work < kSerialBelow) n = 1;
    return (int)std::max<int64_t>(1, std::min<int64_t>(n, tasks));
}

int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }
}  // namespace

int64_t g_partial_slot_floats = 1 << 22;  // 16 MiB per slot, two slots

int64_t default_chunk_size(int64_t L, int64_t N) {
    // The backward keeps a chunk's states, chunk x N x 16 floats per thread, in L2 (256 KiB at N = 16), and
    // the saved states cost N / chunk of the size of u (1/16 at N = 16). Larger N: the saved states may
    // grow to u / 4 before the chunk grows (and leaves L2).
    const int64_t c = std::min<int64_t>(2048, std::max<int64_t>(256, 4 * N));
    return std::min(c, L);
}

Problem make_problem(const gm_scan_params* p) {
    Problem P{};
    P.p = p;
    P.B = p->batch;
    P.D = p->dim;
    P.L = p->seqlen;
    P.N = p->dstate;
    P.G = p->n_groups;
    P.Dg = P.D / P.G;
    P.nbg = (P.Dg + kLanes - 1) / kLanes;
    P.n_items = P.B * P.G * P.nbg;
    // CUDA tiles are at most GM_CUDA_MAX_CHUNK positions (one per lane item of a warp): its default differs.
    const int64_t dflt = p->device == GM_DEVICE_CUDA ? std::min<int64_t>(GM_CUDA_MAX_CHUNK, P.L)
                                                     : default_chunk_size(P.L, P.N);
    P.chunk = p->chunk_size > 0 ? std::min(p->chunk_size, P.L) : dflt;
    P.n_chunks = (P.L + P.chunk - 1) / P.chunk;
    P.Npad = round_up(P.N, kLanes);
    return P;
}

Item item_of(const Problem& P, int64_t item) {
    Item it;
    const int64_t per_b = P.G * P.nbg;
    it.b = item / per_b;
    const int64_t r = item % per_b;
    it.g = r / P.nbg;
    it.j = r % P.nbg;
    it.d0 = it.g * P.Dg + it.j * kLanes;
    it.w = (int)std::min<int64_t>(kLanes, P.Dg - it.j * kLanes);
    return it;
}

// ---- forward ----------------------------------------------------------------------------------------

void run_forward(const Problem& P, const KernelTable& K) {
    const int nt = threads_for(P.p->n_threads, P.n_items, P.B * P.D * P.L * P.N);
    const int64_t tbf = K.thread_buffer_floats(P);
    WorkspaceLease ws;
    float* tbufs = static_cast<float*>(ws->threads.ensure(sizeof(float) * tbf * nt));
    std::atomic<int64_t> next{0};
    auto body = [&](int tid) {
        float* tb = tbufs + tid * tbf;
        for (int64_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < P.n_items;) K.fwd_item(P, i, tb);
    };
    parallel_region(nt, body);
}

// ---- backward ---------------------------------------------------------------------------------------

namespace {

// dB/dC of chunk k, positions [ta, tb) of the chunk, for batch element b and group g: the sum over the
// group's channel blocks, in block order, of their partials (2, chunk, Np).
void reduce_partials(const Problem& P, const float* slot, int64_t first_item_in_slot, int64_t b, int64_t g,
                     int64_t k, int64_t ta, int64_t tb) {
    const gm_scan_params& p = *P.p;
    const int64_t C = P.chunk, Np = P.Npad, N = P.N, t0 = k * C;
    const int64_t item0 = (b * P.G + g) * P.nbg - first_item_in_slot;
    const int64_t stride = 2 * C * Np;
    for (int which = 0; which < 2; ++which) {
        float* out = which == 0 ? p.dB + b * p.dB_batch_stride + g * p.dB_group_stride
                                : p.dC + b * p.dC_batch_stride + g * p.dC_group_stride;
        const int64_t ss = which == 0 ? p.dB_state_stride : p.dC_state_stride;
        const float* base = slot + item0 * stride + which * C * Np;
        for (int64_t n = 0; n < N; ++n) {
            float* row = out + n * ss + t0;
            for (int64_t t = ta; t < tb; ++t) {
                float s = 0.0f;
                for (int64_t j = 0; j < P.nbg; ++j) s += base[j * stride + t * Np + n];
                row[t] = s;
            }
        }
    }
}

// dA, dD, ddelta_bias of channel block (g, j): the sum over the batch, in batch order.
void reduce_over_batch(const Problem& P, const ItemState* states, int64_t gj) {
    const gm_scan_params& p = *P.p;
    const Item it = item_of(P, gj);  // batch element 0's item of this block
    const int64_t per_b = P.G * P.nbg;
    for (int l = 0; l < it.w; ++l) {
        const int64_t d = it.d0 + l;
        for (int64_t n = 0; n < P.N; ++n) {
            double s = 0.0;
            for (int64_t b = 0; b < P.B; ++b) s += states[b * per_b + gj].dA[n * kLanes + l];
            p.dA[d * p.dA_dim_stride + n] = (float)s;
        }
        if (p.dD) {
            double s = 0.0;
            for (int64_t b = 0; b < P.B; ++b) s += states[b * per_b + gj].dD[l];
            p.dD[d] = (float)s;
        }
        if (p.ddelta_bias) {
            double s = 0.0;
            for (int64_t b = 0; b < P.B; ++b) s += states[b * per_b + gj].dbias[l];
            p.ddelta_bias[d] = (float)s;
        }
    }
}

}  // namespace

void run_backward(const Problem& P, const KernelTable& K) {
    const int64_t C = P.chunk, Np = P.Npad, N = P.N;
    const int64_t per_b = P.G * P.nbg;
    const int64_t item_partial = 2 * C * Np;
    const int64_t wave_b = std::max<int64_t>(1, std::min<int64_t>(P.B, g_partial_slot_floats / (per_b * item_partial)));
    const int64_t n_waves = (P.B + wave_b - 1) / wave_b;
    const int64_t red_per_bg = (C + kReduceSpan - 1) / kReduceSpan;
    const int nt = threads_for(P.p->n_threads, wave_b * per_b, P.B * P.D * P.L * P.N);

    // Memory, all reserved before the region (kernels never allocate).
    const int64_t tbf = K.thread_buffer_floats(P);
    const int64_t dh_floats = Np * kLanes, acc_doubles = N * kLanes + 2 * kLanes;
    WorkspaceLease ws;
    float* tbufs = static_cast<float*>(ws->threads.ensure(sizeof(float) * tbf * nt));
    const size_t state_bytes = P.n_items * (sizeof(float) * dh_floats + sizeof(double) * acc_doubles);
    char* sbase = static_cast<char*>(ws->states.ensure(state_bytes));
    std::memset(sbase, 0, state_bytes);  // the double accumulators start at 0
    std::unique_ptr<ItemState[]> states(new ItemState[P.n_items]);
    {
        double* acc = reinterpret_cast<double*>(sbase);
        float* dh = reinterpret_cast<float*>(acc + P.n_items * acc_doubles);
        for (int64_t i = 0; i < P.n_items; ++i) {
            states[i].dA = acc + i * acc_doubles;
            states[i].dD = states[i].dA + N * kLanes;
            states[i].dbias = states[i].dD + kLanes;
            states[i].dh = dh + i * dh_floats;
        }
    }
    const int64_t slot_floats = wave_b * per_b * item_partial;
    float* slots = static_cast<float*>(ws->partials.ensure(sizeof(float) * 2 * slot_floats));

    std::atomic<int64_t> counters[3];
    for (auto& c : counters) c.store(0);
    Barrier barrier(nt);

    auto body = [&](int tid) {
        float* tb = tbufs + tid * tbf;
        int64_t phase = 0;
        auto run_phase = [&](int64_t n_tasks, auto&& task) {
            counters[(phase + 1) % 3].store(0, std::memory_order_relaxed);  // nobody uses it until the barrier
            std::atomic<int64_t>& next = counters[phase % 3];
            for (int64_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n_tasks;) task(i);
            barrier.wait();
            ++phase;
        };
        for (int64_t w = 0; w < n_waves; ++w) {
            const int64_t b0 = w * wave_b, nb = std::min(wave_b, P.B - b0);
            const int64_t i0 = b0 * per_b, ni = nb * per_b;
            for (int64_t p = 0; p <= P.n_chunks; ++p) {
                const int64_t kA = P.n_chunks - 1 - p, kR = P.n_chunks - p;
                float* slotA = slots + (p % 2) * slot_floats;
                const float* slotR = slots + ((p + 1) % 2) * slot_floats;
                const int64_t nA = p < P.n_chunks ? ni : 0;
                const int64_t nR = p >= 1 ? nb * P.G * red_per_bg : 0;
                const int64_t lenR = p >= 1 ? std::min(C, P.L - kR * C) : 0;
                run_phase(nA + nR, [&](int64_t i) {
                    if (i < nA) {
                        K.bwd_item_chunk(P, i0 + i, kA, states[i0 + i], tb, slotA + i * item_partial);
                        return;
                    }
                    const int64_t r = i - nA, bg = r / red_per_bg, s = r % red_per_bg;
                    const int64_t ta = s * kReduceSpan, tb_ = std::min(lenR, ta + kReduceSpan);
                    if (ta < tb_) reduce_partials(P, slotR, i0, b0 + bg / P.G, bg % P.G, kR, ta, tb_);
                });
            }
        }
        std::atomic<int64_t>& next = counters[phase % 3];
        for (int64_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < per_b;)
            reduce_over_batch(P, states.get(), i);
    };
    parallel_region(nt, body);
}

// ---- step -------------------------------------------------------------------------------------------

void run_step(const gm_step_params* p, const KernelTable& K) {
    constexpr int64_t span = 64;  // channels per task
    const int64_t per_b = (p->dim + span - 1) / span, tasks = p->batch * per_b;
    const int nt = threads_for(p->n_threads, tasks, p->batch * p->dim * p->dstate);
    std::atomic<int64_t> next{0};
    auto body = [&](int) {
        for (int64_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < tasks;) {
            const int64_t b = i / per_b, d0 = (i % per_b) * span;
            K.step_range(p, b, d0, std::min(p->dim, d0 + span));
        }
    };
    parallel_region(nt, body);
}

}  // namespace gm
