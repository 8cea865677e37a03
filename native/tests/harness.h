// harness.h — builds a scan problem (random inputs, optional parts, strided fp32 tensors), runs the library
// on it and reads the results back, so each test says only what it varies.
#ifndef GM_TEST_HARNESS_H
#define GM_TEST_HARNESS_H

#include <cstdint>
#include <string>
#include <vector>

#include "genomamba.h"
#include "reference.h"

namespace harness {

// An fp32 tensor in a storage block with explicit strides; storage outside the tensor holds a sentinel
// (NaN for inputs, so a stray read shows; a number for outputs, so a stray write shows).
struct Tensor {
    std::vector<int64_t> dims, strides;
    std::vector<float> storage;
    float* data() { return storage.data(); }
    const float* data() const { return storage.data(); }
    int64_t offset(const std::vector<int64_t>& idx) const;
    int64_t count() const;
    void fill(const ref::Vec& v);         // logical row-major order
    ref::Vec read() const;
    bool padding_untouched(float sentinel) const;
};

struct Config {
    int B = 2, D = 32, L = 64, N = 16, G = 1;
    int64_t chunk = 0;
    bool z = false, Dskip = false, bias = false, softplus = false, h0 = false, dfinal = false;
    bool noncontig = false;
    int threads = 2;
    unsigned seed = 1;
    std::string name() const;
};

// Inputs in double (for the reference) and the same values as strided fp32 tensors.
struct Case {
    Config cfg;
    ref::Problem prob;
    ref::Vec dout, dfinal;
    Tensor u, delta, A, Bm, Cm, z, h0, dout_t, dfinal_t;
    std::vector<float> Dskip, bias;
    explicit Case(const Config& c);
};

struct Result {
    gm_status fwd_status = GM_OK, bwd_status = GM_OK;
    std::string error;
    Tensor out, final_state, du, ddelta, dz, dA, dB, dC, dh0;
    std::vector<float> dD, dbias, chunk_states;
    bool outputs_in_place = true;  // no write outside the output tensors
};

constexpr float kOutSentinel = 7777.0f;

// Runs forward then backward with the library's current kernels.
Result run(const Case& c);

// Params for the case (pointers into c and r); exposed for the validation tests.
gm_scan_params params_for(const Case& c, Result& r);

}  // namespace harness

#endif
