// gpu_check.cu — the CUDA scan against the CPU scan, on the same random inputs, through the public ABI only;
// then timings and bandwidth. Needs no .NET: native/tools/gpu_check.sh builds and runs it on a GPU machine.
//
//   genomamba_gpu_check [--quick] [--no-big] [--peak-gbs X] [--cpu-self-test]
//
// Per case: forward and backward on the CPU (all cores) and on the GPU; out, final state and every gradient
// compared elementwise, |gpu - cpu| <= atol + rtol |cpu| (fp32: 6e-4 / 2e-3; bf16 inputs: 3e-2 / 5e-2 against
// the CPU run on the same bf16-rounded values). Then L = 2^16, D = 1024, N = 16 timed (GB/s against the GPU's
// peak), and L = 2^20, D = 1024 forward + backward on the GPU alone (memory beyond the caller's tensors).
// Exit: 0 all passed, 1 a comparison failed, 2 bad arguments or an API error, 3 no CUDA device / no CUDA build.
// --cpu-self-test checks this program's own wiring without a GPU (its "GPU" run is the CPU scan).
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "genomamba.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// ---- bf16 on the host (round to nearest even), so the CPU sees exactly the GPU's inputs ----
uint16_t to_bf16(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    if ((x & 0x7fffffffu) > 0x7f800000u) return 0x7fc0;  // NaN
    x += 0x7fffu + ((x >> 16) & 1u);
    return (uint16_t)(x >> 16);
}
float from_bf16(uint16_t h) {
    const uint32_t x = (uint32_t)h << 16;
    float f;
    std::memcpy(&f, &x, 4);
    return f;
}

struct Rng {
    uint64_t s;
    uint64_t next() {
        uint64_t z = (s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    float uniform(float lo, float hi) { return lo + (hi - lo) * (float)((next() >> 40) * (1.0 / 16777216.0)); }
};

struct Case {
    int64_t B, D, L, N, G;
    bool z, Dskip, bias, softplus, h0, dfinal, bf16, det;
    std::string name() const {
        char s[256];
        std::snprintf(s, sizeof s, "B=%lld D=%lld L=%lld N=%lld G=%lld%s%s%s%s%s%s %s%s", (long long)B, (long long)D,
                      (long long)L, (long long)N, (long long)G, z ? " z" : "", Dskip ? " D" : "", bias ? " bias" : "",
                      softplus ? " softplus" : "", h0 ? " h0" : "", dfinal ? " dfinal" : "", bf16 ? "bf16" : "fp32",
                      det ? " deterministic" : "");
        return s;
    }
};

// Host tensors of one case, contiguous.
struct Host {
    std::vector<float> u, delta, A, Bm, Cm, Dskip, bias, z, h0, dout, dfinal;
    std::vector<float> out, final_state, du, ddelta, dz, dA, dB, dC, dD, dbias, dh0, chunk_states;
};

void fill_inputs(const Case& c, Host& h, uint64_t seed) {
    Rng r{seed};
    const size_t BDL = c.B * c.D * c.L, BGNL = c.B * c.G * c.N * c.L, BDN = c.B * c.D * c.N;
    auto gen = [&](std::vector<float>& v, size_t n, float lo, float hi) {
        v.resize(n);
        for (auto& x : v) x = r.uniform(lo, hi);
    };
    gen(h.u, BDL, -1.7f, 1.7f);
    if (c.softplus)
        gen(h.delta, BDL, c.bias ? -1.0f : -6.0f, c.bias ? 1.0f : -2.0f);
    else
        gen(h.delta, BDL, 0.001f, 0.1f);
    h.A.resize(c.D * c.N);
    for (int64_t d = 0; d < c.D; ++d)
        for (int64_t n = 0; n < c.N; ++n) h.A[d * c.N + n] = -(float)(n + 1) * r.uniform(0.5f, 1.5f);
    gen(h.Bm, BGNL, -1.0f, 1.0f);
    gen(h.Cm, BGNL, -1.0f, 1.0f);
    if (c.Dskip) gen(h.Dskip, c.D, 0.8f, 1.2f);
    if (c.bias) gen(h.bias, c.D, -4.5f, -2.5f);  // softplus(bias) ~ 0.01..0.08, like Mamba's dt init
    if (c.z) gen(h.z, BDL, -1.7f, 1.7f);
    if (c.h0) gen(h.h0, BDN, -1.0f, 1.0f);
    gen(h.dout, BDL, -1.7f, 1.7f);
    if (c.dfinal) gen(h.dfinal, BDN, -1.0f, 1.0f);
    if (c.bf16)  // the inputs the GPU reads as bf16: the CPU gets the same rounded values
        for (std::vector<float>* v : {&h.u, &h.delta, &h.Bm, &h.Cm, &h.z, &h.dout})
            for (auto& x : *v) x = from_bf16(to_bf16(x));
}

// Params for contiguous tensors; pointers filled in by the caller.
gm_scan_params base_params(const Case& c) {
    gm_scan_params p;
    std::memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.batch = c.B, p.dim = c.D, p.seqlen = c.L, p.dstate = c.N, p.n_groups = c.G;
    p.delta_softplus = c.softplus;
    p.u_batch_stride = p.delta_batch_stride = p.z_batch_stride = p.out_batch_stride = c.D * c.L;
    p.dout_batch_stride = p.du_batch_stride = p.ddelta_batch_stride = p.dz_batch_stride = c.D * c.L;
    p.u_dim_stride = p.delta_dim_stride = p.z_dim_stride = p.out_dim_stride = c.L;
    p.dout_dim_stride = p.du_dim_stride = p.ddelta_dim_stride = p.dz_dim_stride = c.L;
    p.A_dim_stride = p.dA_dim_stride = c.N;
    p.B_batch_stride = p.C_batch_stride = p.dB_batch_stride = p.dC_batch_stride = c.G * c.N * c.L;
    p.B_group_stride = p.C_group_stride = p.dB_group_stride = p.dC_group_stride = c.N * c.L;
    p.B_state_stride = p.C_state_stride = p.dB_state_stride = p.dC_state_stride = c.L;
    p.h0_batch_stride = p.final_state_batch_stride = p.dfinal_state_batch_stride = p.dh0_batch_stride = c.D * c.N;
    p.h0_dim_stride = p.final_state_dim_stride = p.dfinal_state_dim_stride = p.dh0_dim_stride = c.N;
    return p;
}

[[noreturn]] void api_failure(const char* call, gm_status s) {
    std::fprintf(stderr, "genomamba_gpu_check: %s returned %d: %s\n", call, (int)s, gm_last_error());
    std::exit(2);
}
void cuda_ok(cudaError_t e, const char* what) {
    if (e == cudaSuccess) return;
    std::fprintf(stderr, "genomamba_gpu_check: %s: %s\n", what, cudaGetErrorString(e));
    std::exit(e == cudaErrorMemoryAllocation ? 2 : 2);
}

// Runs the CPU scan; returns forward and backward seconds.
std::pair<double, double> run_cpu(const Case& c, Host& h) {
    const size_t BDL = c.B * c.D * c.L, BGNL = c.B * c.G * c.N * c.L, BDN = c.B * c.D * c.N;
    gm_scan_params p = base_params(c);
    p.n_threads = (int32_t)std::max(1u, std::thread::hardware_concurrency());
    p.chunk_size = GM_CUDA_MAX_CHUNK;  // the CUDA default, so chunk_states compare element for element
    h.chunk_states.resize((size_t)gm_scan_chunk_states(&p));
    h.out.resize(BDL), h.final_state.resize(BDN), h.du.resize(BDL), h.ddelta.resize(BDL);
    h.dA.resize(c.D * c.N), h.dB.resize(BGNL), h.dC.resize(BGNL), h.dh0.resize(BDN);
    if (c.z) h.dz.resize(BDL);
    if (c.Dskip) h.dD.resize(c.D);
    if (c.bias) h.dbias.resize(c.D);
    auto P = [](std::vector<float>& v) { return v.empty() ? nullptr : v.data(); };
    p.u = h.u.data(), p.delta = h.delta.data(), p.A = h.A.data(), p.Bmat = h.Bm.data(), p.Cmat = h.Cm.data();
    p.D_skip = P(h.Dskip), p.delta_bias = P(h.bias), p.z = P(h.z), p.h0 = P(h.h0);
    p.out = h.out.data(), p.final_state = h.final_state.data(), p.chunk_states = h.chunk_states.data();
    p.dout = h.dout.data(), p.dfinal_state = P(h.dfinal);
    p.du = h.du.data(), p.ddelta = h.ddelta.data(), p.dA = h.dA.data(), p.dB = h.dB.data(), p.dC = h.dC.data();
    p.dD = P(h.dD), p.ddelta_bias = P(h.dbias), p.dz = P(h.dz), p.dh0 = P(h.dh0);
    auto t = Clock::now();
    if (gm_status s = gm_selective_scan_fwd(&p)) api_failure("CPU gm_selective_scan_fwd", s);
    const double tf = seconds_since(t);
    t = Clock::now();
    if (gm_status s = gm_selective_scan_bwd(&p)) api_failure("CPU gm_selective_scan_bwd", s);
    return {tf, seconds_since(t)};
}

// --cpu-self-test: "device" buffers live in host memory and the "GPU" run is the CPU scan, so this program's
// own wiring (params, strides, uploads, comparisons) is checked on machines without a GPU.
bool g_host_mode = false;

// A device buffer; activations in the case's input dtype.
struct Dev {
    void* ptr = nullptr;
    size_t count = 0;
    bool half = false;
    Dev() = default;
    Dev(size_t n, bool bf16) : count(n), half(bf16) {
        if (n && g_host_mode) ptr = std::calloc(n, bf16 ? 2 : 4);
        else if (n) cuda_ok(cudaMalloc(&ptr, n * (bf16 ? 2 : 4)), "cudaMalloc");
    }
    Dev(const Dev&) = delete;
    Dev& operator=(const Dev&) = delete;
    Dev(Dev&& o) noexcept : ptr(o.ptr), count(o.count), half(o.half) { o.ptr = nullptr; }
    Dev& operator=(Dev&& o) noexcept {
        std::swap(ptr, o.ptr), std::swap(count, o.count), std::swap(half, o.half);
        return *this;
    }
    ~Dev() {
        if (ptr && g_host_mode) std::free(ptr);
        else if (ptr) cudaFree(ptr);
    }
    float* f() const { return static_cast<float*>(ptr); }
    static void copy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind) {
        if (g_host_mode) std::memcpy(dst, src, bytes);
        else cuda_ok(cudaMemcpy(dst, src, bytes, kind), "cudaMemcpy");
    }
    void upload(const std::vector<float>& v) {
        if (v.empty()) return;
        if (!half) {
            copy(ptr, v.data(), v.size() * 4, cudaMemcpyHostToDevice);
            return;
        }
        std::vector<uint16_t> t(v.size());
        for (size_t i = 0; i < v.size(); ++i) t[i] = to_bf16(v[i]);
        copy(ptr, t.data(), t.size() * 2, cudaMemcpyHostToDevice);
    }
    std::vector<float> download() const {
        std::vector<float> v(count);
        if (!count) return v;
        if (!half) {
            copy(v.data(), ptr, count * 4, cudaMemcpyDeviceToHost);
            return v;
        }
        std::vector<uint16_t> t(count);
        copy(t.data(), ptr, count * 2, cudaMemcpyDeviceToHost);
        for (size_t i = 0; i < count; ++i) v[i] = from_bf16(t[i]);
        return v;
    }
};

struct Gpu {
    Dev u, delta, A, Bm, Cm, Dskip, bias, z, h0, dout, dfinal;
    Dev out, final_state, chunk_states, du, ddelta, dz, dA, dB, dC, dD, dbias, dh0;
    gm_scan_params p;
};

// Device tensors for a case (inputs uploaded from h when given) and their params.
void make_gpu(const Case& c, const Host* h, Gpu& g) {
    const size_t BDL = c.B * c.D * c.L, BGNL = c.B * c.G * c.N * c.L, BDN = c.B * c.D * c.N;
    const bool bf = c.bf16;
    g.u = Dev(BDL, bf), g.delta = Dev(BDL, bf), g.A = Dev(c.D * c.N, false), g.Bm = Dev(BGNL, bf),
    g.Cm = Dev(BGNL, bf);
    g.Dskip = Dev(c.Dskip ? c.D : 0, false), g.bias = Dev(c.bias ? c.D : 0, false), g.z = Dev(c.z ? BDL : 0, bf);
    g.h0 = Dev(c.h0 ? BDN : 0, false), g.dout = Dev(BDL, bf), g.dfinal = Dev(c.dfinal ? BDN : 0, false);
    g.out = Dev(BDL, bf), g.final_state = Dev(BDN, false), g.du = Dev(BDL, bf), g.ddelta = Dev(BDL, bf);
    g.dz = Dev(c.z ? BDL : 0, bf), g.dA = Dev(c.D * c.N, false), g.dB = Dev(BGNL, false), g.dC = Dev(BGNL, false);
    g.dD = Dev(c.Dskip ? c.D : 0, false), g.dbias = Dev(c.bias ? c.D : 0, false), g.dh0 = Dev(BDN, false);
    gm_scan_params& p = g.p;
    p = base_params(c);
    p.device = g_host_mode ? GM_DEVICE_CPU : GM_DEVICE_CUDA;
    p.input_dtype = bf ? GM_DTYPE_BF16 : GM_DTYPE_F32;
    p.flags = c.det ? GM_FLAG_DETERMINISTIC : 0;
    if (g_host_mode) p.chunk_size = GM_CUDA_MAX_CHUNK, p.n_threads = 1;  // a different thread count than run_cpu's
    const int64_t ncs = gm_scan_chunk_states(&p);
    if (ncs < 0) api_failure("gm_scan_chunk_states", GM_ERR_INVALID_ARGUMENT);
    g.chunk_states = Dev((size_t)ncs, false);
    if (h) {
        g.u.upload(h->u), g.delta.upload(h->delta), g.A.upload(h->A), g.Bm.upload(h->Bm), g.Cm.upload(h->Cm);
        g.Dskip.upload(h->Dskip), g.bias.upload(h->bias), g.z.upload(h->z), g.h0.upload(h->h0);
        g.dout.upload(h->dout), g.dfinal.upload(h->dfinal);
    }
    p.u = g.u.f(), p.delta = g.delta.f(), p.A = g.A.f(), p.Bmat = g.Bm.f(), p.Cmat = g.Cm.f();
    p.D_skip = g.Dskip.f(), p.delta_bias = g.bias.f(), p.z = g.z.f(), p.h0 = g.h0.f();
    p.out = g.out.f(), p.final_state = g.final_state.f(), p.chunk_states = g.chunk_states.f();
    p.dout = g.dout.f(), p.dfinal_state = g.dfinal.f();
    p.du = g.du.f(), p.ddelta = g.ddelta.f(), p.dA = g.dA.f(), p.dB = g.dB.f(), p.dC = g.dC.f();
    p.dD = g.dD.f(), p.ddelta_bias = g.dbias.f(), p.dz = g.dz.f(), p.dh0 = g.dh0.f();
}

std::pair<double, double> run_gpu(Gpu& g) {
    auto t = Clock::now();
    if (gm_status s = gm_selective_scan_fwd(&g.p)) api_failure("CUDA gm_selective_scan_fwd", s);
    const double tf = seconds_since(t);
    t = Clock::now();
    if (gm_status s = gm_selective_scan_bwd(&g.p)) api_failure("CUDA gm_selective_scan_bwd", s);
    return {tf, seconds_since(t)};
}

// Bytes a pass must move at least: every (B, D, L) tensor once, B and C, the states and dB/dC.
double fwd_bytes(const Case& c) {
    const double es = c.bf16 ? 2 : 4, BDL = (double)c.B * c.D * c.L, BGNL = (double)c.B * c.G * c.N * c.L;
    return (3 + (c.z ? 1 : 0)) * BDL * es + 2 * BGNL * es;
}
double bwd_bytes(const Case& c) {
    const double es = c.bf16 ? 2 : 4, BDL = (double)c.B * c.D * c.L, BGNL = (double)c.B * c.G * c.N * c.L;
    return (5 + (c.z ? 2 : 0)) * BDL * es + 2 * BGNL * es + 2 * BGNL * 4;
}

bool compare(const char* what, const std::vector<float>& got, const std::vector<float>& want, double rtol,
             double atol) {
    if (got.size() != want.size()) {
        std::printf("    %-12s size %zu vs %zu  FAIL\n", what, got.size(), want.size());
        return false;
    }
    if (want.empty()) return true;
    double max_abs = 0, scale = 0;
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        const double d = std::fabs((double)got[i] - want[i]);
        scale = std::max(scale, (double)std::fabs(want[i]));
        if (!(d <= max_abs)) max_abs = d;
        if (!(d <= atol + rtol * std::fabs(want[i]))) {
            if (!bad) first = i;
            ++bad;
        }
    }
    std::printf("    %-12s max|diff| %.3g  (max|cpu| %.3g)%s\n", what, max_abs, scale, bad ? "  FAIL" : "");
    if (bad)
        std::printf("      %zu of %zu outside tolerance; first at %zu: gpu %.7g cpu %.7g\n", bad, got.size(), first,
                    got[first], want[first]);
    return bad == 0;
}

bool check_case(const Case& c, uint64_t seed) {
    std::printf("%s\n", c.name().c_str());
    Host h;
    fill_inputs(c, h, seed);
    const auto [cf, cb] = run_cpu(c, h);
    Gpu g;
    make_gpu(c, &h, g);
    run_gpu(g);  // warm-up (module load, pool)
    const auto [gf, gb] = run_gpu(g);
    const double bytes = fwd_bytes(c) + bwd_bytes(c);
    std::printf("  forward + backward: CPU %.3f + %.3f s (%.1f GB/s), GPU %.3f + %.3f ms (%.0f GB/s)\n", cf, cb,
                bytes / (cf + cb) / 1e9, gf * 1e3, gb * 1e3, bytes / (gf + gb) / 1e9);
    const double rtol = c.bf16 ? 3e-2 : 6e-4, atol = c.bf16 ? 5e-2 : 2e-3;
    bool ok = true;
    ok &= compare("out", g.out.download(), h.out, rtol, atol);
    ok &= compare("final_state", g.final_state.download(), h.final_state, rtol, atol);
    ok &= compare("chunk_states", g.chunk_states.download(), h.chunk_states, rtol, atol);
    ok &= compare("du", g.du.download(), h.du, rtol, atol);
    ok &= compare("ddelta", g.ddelta.download(), h.ddelta, rtol, atol);
    ok &= compare("dz", g.dz.download(), h.dz, rtol, atol);
    ok &= compare("dA", g.dA.download(), h.dA, rtol, atol);
    const std::vector<float> dB1 = g.dB.download(), dC1 = g.dC.download();
    ok &= compare("dB", dB1, h.dB, rtol, atol);
    ok &= compare("dC", dC1, h.dC, rtol, atol);
    ok &= compare("dD", g.dD.download(), h.dD, rtol, atol);
    ok &= compare("ddelta_bias", g.dbias.download(), h.dbias, rtol, atol);
    ok &= compare("dh0", g.dh0.download(), h.dh0, rtol, atol);
    if (c.det) {  // the deterministic path: a second run gives the same bits
        run_gpu(g);
        const bool same = g.dB.download() == dB1 && g.dC.download() == dC1;
        std::printf("    deterministic rerun: dB/dC %s\n", same ? "bit-identical" : "DIFFER  FAIL");
        ok &= same;
    }
    std::printf("  %s\n", ok ? "pass" : "FAIL");
    return ok;
}

// Random device data without a host round trip (the L = 2^20, D = 1024 tensors are 4 GiB each).
__global__ void fill_kernel(float* p, size_t n, uint64_t seed, float lo, float hi, bool bf16) {
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        uint64_t z = seed + i * 0x9e3779b97f4a7c15ull;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        const float v = lo + (hi - lo) * (float)((z >> 40) * (1.0 / 16777216.0));
        if (bf16) {
            uint32_t x = __float_as_uint(v);
            x += 0x7fffu + ((x >> 16) & 1u);
            reinterpret_cast<uint16_t*>(p)[i] = (uint16_t)(x >> 16);
        } else {
            p[i] = v;
        }
    }
}
void fill_dev(Dev& d, uint64_t seed, float lo, float hi) {
    if (!d.count) return;
    fill_kernel<<<4096, 256>>>(d.f(), d.count, seed, lo, hi, d.half);
    cuda_ok(cudaGetLastError(), "fill");
}

double peak_gbs(double override_gbs, std::string& how) {
    if (override_gbs > 0) {
        how = "given with --peak-gbs";
        return override_gbs;
    }
    cudaDeviceProp prop;
    cuda_ok(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
    const std::string name = prop.name;
    struct Known {
        const char* key;
        double gbs;
    };
    // Spec-sheet HBM bandwidth; the first match wins (more specific names first).
    const Known known[] = {{"H200", 4800}, {"H100 NVL", 3900}, {"H100 PCIe", 2000}, {"H100", 3350},
                           {"A100-SXM4-80GB", 2039}, {"A100 80GB PCIe", 1935}, {"A100", 1555}};
    for (const Known& k : known)
        if (name.find(k.key) != std::string::npos) {
            how = "spec sheet of " + name;
            return k.gbs;
        }
    int clock_khz = 0, bus_bits = 0;
    cudaDeviceGetAttribute(&clock_khz, cudaDevAttrMemoryClockRate, 0);
    cudaDeviceGetAttribute(&bus_bits, cudaDevAttrGlobalMemoryBusWidth, 0);
    how = "2 x memory clock x bus width of " + name;
    return 2.0 * clock_khz * 1e3 * (bus_bits / 8.0) / 1e9;
}

void bench(const Case& c, double peak, int reps) {
    Gpu g;
    make_gpu(c, nullptr, g);
    fill_dev(g.u, 1, -1.7f, 1.7f), fill_dev(g.delta, 2, -1.0f, 1.0f), fill_dev(g.Bm, 3, -1, 1), fill_dev(g.Cm, 4, -1, 1);
    fill_dev(g.z, 5, -1.7f, 1.7f), fill_dev(g.dout, 6, -1.7f, 1.7f), fill_dev(g.A, 7, -8.0f, -0.5f);
    fill_dev(g.Dskip, 8, 0.8f, 1.2f), fill_dev(g.bias, 9, -4.5f, -2.5f);
    cuda_ok(cudaDeviceSynchronize(), "fill");
    size_t free0 = 0, total = 0;
    cuda_ok(cudaMemGetInfo(&free0, &total), "cudaMemGetInfo");
    run_gpu(g);
    std::vector<double> tf, tb;
    for (int i = 0; i < reps; ++i) {
        const auto [f, b] = run_gpu(g);
        tf.push_back(f), tb.push_back(b);
    }
    size_t free1 = 0;
    cuda_ok(cudaMemGetInfo(&free1, &total), "cudaMemGetInfo");
    std::sort(tf.begin(), tf.end()), std::sort(tb.begin(), tb.end());
    const double f = tf[tf.size() / 2], b = tb[tb.size() / 2];
    const double gf = fwd_bytes(c) / f / 1e9, gb = bwd_bytes(c) / b / 1e9;
    const double gt = (fwd_bytes(c) + bwd_bytes(c)) / (f + b) / 1e9;
    std::printf("%s\n  forward %.3f ms (%.0f GB/s, %.0f%% of peak), backward %.3f ms (%.0f GB/s, %.0f%%), "
                "forward+backward %.3f ms: %.0f GB/s = %.0f%% of %.0f GB/s\n",
                c.name().c_str(), f * 1e3, gf, 100 * gf / peak, b * 1e3, gb, 100 * gb / peak, (f + b) * 1e3, gt,
                100 * gt / peak, peak);
    const double full = (double)c.B * c.D * c.L * c.N * 4;
    std::printf("  memory the scan kept beyond the caller's tensors after the calls: %.1f MiB (chunk states %.1f MiB "
                "are the caller's); (B, D, L, N) in fp32 would be %.1f GiB\n",
                ((double)free0 - (double)free1) / 1048576.0, g.chunk_states.count * 4 / 1048576.0,
                full / 1073741824.0);
}

}  // namespace

int main(int argc, char** argv) {
    bool quick = false, big = true;
    double peak_override = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--quick") quick = true;
        else if (a == "--cpu-self-test") g_host_mode = quick = true;
        else if (a == "--no-big") big = false;
        else if (a == "--peak-gbs" && i + 1 < argc) peak_override = std::atof(argv[++i]);
        else {
            std::fprintf(stderr, "usage: genomamba_gpu_check [--quick] [--no-big] [--peak-gbs X] [--cpu-self-test]\n");
            return 2;
        }
    }
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    std::printf("%s, ABI %d, gm_features() = %d\n", gm_version_string(), gm_abi_version(), gm_features());
    if (!(gm_features() & 256)) {
        std::fprintf(stderr, "genomamba_gpu_check: this libgenomamba was built without CUDA\n");
        return 3;
    }
    if (g_host_mode) {  // the fp32 quick cases, "GPU" = CPU scan on this program's device-side wiring
        bool all = true;
        uint64_t seed = 42;
        for (const Case& c : std::vector<Case>{{2, 64, 1000, 16, 1, true, true, true, true, true, true, false, false},
                                               {2, 48, 777, 40, 2, true, false, true, true, true, true, false, false},
                                               {1, 8, 5, 16, 1, false, false, false, false, false, false, false, false}})
            all &= check_case(c, seed++);
        std::printf("cpu self-test: %s\n", all ? "pass" : "FAIL");
        return all ? 0 : 1;
    }
    int n_dev = 0;
    const cudaError_t e = cudaGetDeviceCount(&n_dev);
    if (e != cudaSuccess || n_dev == 0) {
        std::fprintf(stderr,
                     "genomamba_gpu_check: no CUDA device (%s); run it on a machine with an NVIDIA GPU and driver\n",
                     e == cudaSuccess ? "none visible" : cudaGetErrorString(e));
        return 3;
    }
    cudaDeviceProp prop;
    cuda_ok(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
    int driver = 0, runtime = 0;
    cudaDriverGetVersion(&driver), cudaRuntimeGetVersion(&runtime);
    std::string how;
    const double peak = peak_gbs(peak_override, how);
    std::printf("GPU 0: %s, sm_%d%d, %.1f GiB, driver %d, runtime %d; peak bandwidth %.0f GB/s (%s); CPU threads %u\n\n",
                prop.name, prop.major, prop.minor, prop.totalGlobalMem / 1073741824.0, driver, runtime, peak,
                how.c_str(), std::thread::hardware_concurrency());
    const auto t_start = Clock::now();

    //                 B     D        L    N  G  z     Dsk   bias  sp    h0     dfin   bf16   det
    std::vector<Case> cases = {
        {2, 64, 1000, 16, 1, true, true, true, true, true, true, false, false},
        {2, 48, 777, 40, 2, true, false, true, true, true, true, false, true},
        {3, 48, 4096, 16, 3, true, true, true, true, false, true, true, true},
        {1, 8, 5, 16, 1, false, false, false, false, false, false, false, false},
        {2, 64, 1000, 16, 1, true, true, true, true, true, true, true, false},
    };
    if (!quick) {
        cases.push_back({1, 1024, 1 << 16, 16, 1, true, true, true, true, false, false, false, false});
        cases.push_back({1, 1024, 1 << 16, 16, 1, true, true, true, true, false, false, true, false});
        cases.push_back({1, 256, 1 << 20, 16, 1, true, true, true, true, true, true, false, true});
    }
    bool all = true;
    uint64_t seed = 42;
    for (const Case& c : cases) all &= check_case(c, seed++);
    std::printf("\ncorrectness: %s (%.0f s)\n\n", all ? "all cases pass" : "FAILURES", seconds_since(t_start));

    bench({1, 1024, 1 << 16, 16, 1, true, true, true, true, false, false, false, false}, peak, 5);
    bench({1, 1024, 1 << 16, 16, 1, true, true, true, true, false, false, true, false}, peak, 5);
    bench({1, 1024, 1 << 16, 16, 1, true, true, true, true, false, false, false, true}, peak, 3);
    if (big && !quick) bench({1, 1024, 1 << 20, 16, 1, true, true, true, true, false, false, false, false}, peak, 1);
    std::printf("\ntotal %.0f s\n", seconds_since(t_start));
    return all ? 0 : 1;
}
