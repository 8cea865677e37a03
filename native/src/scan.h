// scan.h — internal view of a scan call, shared by the ABI layer, the driver and the ISA kernels.
//
// The work split (what the kernels see as an "item") depends only on the problem size, never on the
// number of threads: that is what makes every result bit-identical for any n_threads.
//   item  = (batch b, group g, channel block j): up to kLanes consecutive channels of one group, one SIMD
//           vector wide (lane l = channel d0 + l; lanes past the group's end are padding, computed on zeros).
//   chunk = chunk_size consecutive positions; the forward saves the state entering each chunk.
// Everything here is plain data and declarations: ISA translation units include it, so it must not hold
// inline code that the linker could pick from an AVX-512 object for a machine without AVX-512.
#ifndef GM_SCAN_H
#define GM_SCAN_H

#include <cstddef>
#include <cstdint>

#include "genomamba.h"

namespace gm {

constexpr int kLanes = 16;        // channels per item: one AVX-512 vector, two AVX2 vectors
constexpr int64_t kMaxState = 256;

// A validated gm_scan_params plus the sizes derived from it.
struct Problem {
    const gm_scan_params* p;
    int64_t B, D, L, N, G;
    int64_t Dg;        // channels per group, D / G
    int64_t nbg;       // channel blocks per group, ceil(Dg / kLanes)
    int64_t n_items;   // B * G * nbg
    int64_t chunk;     // effective chunk size (<= L)
    int64_t n_chunks;  // ceil(L / chunk)
    int64_t Npad;      // N rounded up to a multiple of kLanes
};

// The channels an item covers.
struct Item {
    int64_t b, g, j;
    int64_t d0;  // first channel
    int w;       // live lanes, 1..kLanes
};

// Backward state an item carries from chunk to chunk (and, for the sums, to the final reduction).
struct ItemState {
    float* dh;       // (Npad, kLanes): dL/dh at the end of the chunk about to be processed
    double* dA;      // (N, kLanes): sum over t of dL/dA for this item's batch element
    double* dD;      // (kLanes)
    double* dbias;   // (kLanes)
};


// One instruction set's kernels. Each lives in its own translation unit compiled with its own flags.
struct KernelTable {
    const char* name;
    int32_t feature_bits;  // gm_features() bits this table stands for
    // Floats one thread needs as scratch for one chunk of one item (forward or backward).
    int64_t (*thread_buffer_floats)(const Problem& P);
    // Forward of one item over the whole sequence: out, chunk_states, final_state.
    void (*fwd_item)(const Problem& P, int64_t item, float* tbuf);
    // Backward of chunk k of one item: du, ddelta, dz for the chunk, dh carried in st, sums into st,
    // the item's dB/dC partials for the chunk into partial (2, chunk, Npad); dh0 when k == 0.
    void (*bwd_item_chunk)(const Problem& P, int64_t item, int64_t k, ItemState& st, float* tbuf,
                           float* partial);
    // Recurrent step for channels [d_begin, d_end) of batch element b.
    void (*step_range)(const gm_step_params* p, int64_t b, int64_t d_begin, int64_t d_end);
    // Test hooks: y = exp(x), y = 2^x for n values; out[i] = sum of the kLanes floats of vector i.
    void (*exp_array)(const float* x, float* y, int64_t n);
    void (*exp2_array)(const float* x, float* y, int64_t n);
    void (*reduce_lanes)(const float* vecs, float* out);
};

enum class Isa { Scalar = 0, Avx2 = 1, Avx512 = 2 };

extern const KernelTable kKernelsScalar;
extern const KernelTable kKernelsAvx2;    // only present when the compiler can target it
extern const KernelTable kKernelsAvx512;

// The table calls use: the best the CPU supports, unless GENOMAMBA_ISA (scalar|avx2|avx512) or
// force_isa() asked for less. Returns nullptr for an ISA this CPU or build cannot run.
const KernelTable* kernels_for(Isa isa);
const KernelTable& active_kernels();
// For tests and benchmarks: pick an ISA (false if the CPU cannot run it). Not thread-safe with running calls.
bool force_isa(Isa isa);

Item item_of(const Problem& P, int64_t item);
Problem make_problem(const gm_scan_params* p);

// Drivers: run the whole call on the kernels, with the thread pool. Assume validated parameters.
void run_forward(const Problem& P, const KernelTable& K);
void run_backward(const Problem& P, const KernelTable& K);
void run_step(const gm_step_params* p, const KernelTable& K);

int64_t default_chunk_size(int64_t L, int64_t N);

// Tuning knob, settable by tests: target floats of one dB/dC partial slot; a backward whose batch needs more
// runs in waves of batch elements.
extern int64_t g_partial_slot_floats;

}  // namespace gm

#endif  // GM_SCAN_H
