// harness.cpp — see harness.h.
#include "harness.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>

namespace harness {
namespace {

// Strides: contiguous row-major, or (noncontig) padded and, for (B, D, L), batch-inner as in a transposed view.
Tensor make(std::vector<int64_t> dims, bool noncontig, float sentinel) {
    Tensor t;
    t.dims = dims;
    const size_t r = dims.size();
    t.strides.assign(r, 1);
    if (!noncontig) {
        for (size_t i = r - 1; i-- > 0;) t.strides[i] = t.strides[i + 1] * dims[i + 1];
    } else if (r == 3 && dims[2] > 0 && dims[0] > 0) {
        // (B, D, X): rows padded by 3, laid out as (D, B, X).
        const int64_t row = dims[2] + 3;
        t.strides = {row, dims[0] * row + 1, 1};
    } else {
        for (size_t i = r - 1; i-- > 0;) t.strides[i] = t.strides[i + 1] * dims[i + 1] + 2 + (int64_t)i;
    }
    int64_t last = 0;
    for (size_t i = 0; i < r; ++i) last += (dims[i] - 1) * t.strides[i];
    t.storage.assign((size_t)last + 1 + 5, sentinel);
    return t;
}

const float kNaN = std::numeric_limits<float>::quiet_NaN();

}  // namespace

int64_t Tensor::offset(const std::vector<int64_t>& idx) const {
    int64_t o = 0;
    for (size_t i = 0; i < idx.size(); ++i) o += idx[i] * strides[i];
    return o;
}

int64_t Tensor::count() const {
    int64_t c = 1;
    for (int64_t d : dims) c *= d;
    return c;
}

template <class F>
static void for_each_index(const Tensor& t, F&& f) {
    std::vector<int64_t> idx(t.dims.size(), 0);
    const int64_t n = t.count();
    for (int64_t k = 0; k < n; ++k) {
        f(k, t.offset(idx));
        for (size_t i = idx.size(); i-- > 0;) {
            if (++idx[i] < t.dims[i]) break;
            idx[i] = 0;
        }
    }
}

void Tensor::fill(const ref::Vec& v) {
    for_each_index(*this, [&](int64_t k, int64_t o) { storage[(size_t)o] = (float)v[(size_t)k]; });
}

ref::Vec Tensor::read() const {
    ref::Vec v((size_t)count());
    for_each_index(*this, [&](int64_t k, int64_t o) { v[(size_t)k] = storage[(size_t)o]; });
    return v;
}

bool Tensor::padding_untouched(float sentinel) const {
    std::vector<char> inside(storage.size(), 0);
    for_each_index(*this, [&](int64_t, int64_t o) { inside[(size_t)o] = 1; });
    for (size_t i = 0; i < storage.size(); ++i)
        if (!inside[i] && std::memcmp(&storage[i], &sentinel, sizeof(float)) != 0) return false;
    return true;
}

std::string Config::name() const {
    std::ostringstream s;
    s << "B" << B << "_D" << D << "_L" << L << "_N" << N << "_G" << G << "_chunk" << chunk;
    if (z) s << "_z";
    if (Dskip) s << "_D";
    if (bias) s << "_bias";
    if (softplus) s << "_softplus";
    if (h0) s << "_h0";
    if (dfinal) s << "_dfinal";
    if (noncontig) s << "_strided";
    return s.str();
}

Case::Case(const Config& c) : cfg(c) {
    std::mt19937 rng(c.seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::uniform_real_distribution<double> unif(0.0, 1.0);
    const size_t BDL = (size_t)c.B * c.D * c.L, BGNL = (size_t)c.B * c.G * c.N * c.L, BDN = (size_t)c.B * c.D * c.N;
    ref::Problem& p = prob;
    p.B = c.B, p.D = c.D, p.L = c.L, p.N = c.N, p.G = c.G;
    p.softplus = c.softplus;
    auto gen = [&](size_t n, auto&& f) {
        ref::Vec v(n);
        for (auto& x : v) x = f();
        return v;
    };
    // Mamba-like magnitudes: dt in [1e-3, 0.1] (log-uniform), A = -(1..N) scaled per channel.
    auto dt0 = [&] { return std::exp(std::log(1e-3) + unif(rng) * (std::log(0.1) - std::log(1e-3))); };
    p.u = gen(BDL, [&] { return normal(rng); });
    if (c.softplus && c.bias) {
        p.bias = gen(c.D, [&] { double d = dt0(); return d + std::log(-std::expm1(-d)); });  // softplus^-1
        p.delta = gen(BDL, [&] { return 0.5 * normal(rng); });
    } else if (c.softplus) {
        p.delta = gen(BDL, [&] { return -4.0 + 1.5 * normal(rng); });
    } else if (c.bias) {
        p.bias = gen(c.D, [&] { return dt0(); });
        p.delta = gen(BDL, [&] { return 0.5 * dt0(); });
    } else {
        p.delta = gen(BDL, dt0);
    }
    p.A.resize((size_t)c.D * c.N);
    for (int d = 0; d < c.D; ++d)
        for (int n = 0; n < c.N; ++n) p.A[(size_t)d * c.N + n] = -(n + 1) * (0.5 + unif(rng));
    p.Bm = gen(BGNL, [&] { return normal(rng); });
    p.Cm = gen(BGNL, [&] { return normal(rng); });
    if (c.Dskip) p.Dskip = gen(c.D, [&] { return 1.0 + 0.1 * normal(rng); });
    if (c.z) p.z = gen(BDL, [&] { return normal(rng); });
    if (c.h0) p.h0 = gen(BDN, [&] { return normal(rng); });
    dout = gen(BDL, [&] { return normal(rng); });
    if (c.dfinal) dfinal = gen(BDN, [&] { return normal(rng); });

    // Round every input to fp32 once, so the reference sees exactly what the kernels see.
    auto round = [](ref::Vec& v) { for (auto& x : v) x = (double)(float)x; };
    for (ref::Vec* v : {&p.u, &p.delta, &p.A, &p.Bm, &p.Cm, &p.Dskip, &p.bias, &p.z, &p.h0, &dout, &dfinal}) round(*v);

    const bool nc = c.noncontig;
    u = make({c.B, c.D, c.L}, nc, kNaN);
    u.fill(p.u);
    delta = make({c.B, c.D, c.L}, nc, kNaN);
    delta.fill(p.delta);
    A = make({c.D, c.N}, nc, kNaN);
    A.fill(p.A);
    Bm = make({c.B, c.G, c.N, c.L}, nc, kNaN);
    Bm.fill(p.Bm);
    Cm = make({c.B, c.G, c.N, c.L}, nc, kNaN);
    Cm.fill(p.Cm);
    if (c.z) {
        z = make({c.B, c.D, c.L}, nc, kNaN);
        z.fill(p.z);
    }
    if (c.h0) {
        h0 = make({c.B, c.D, c.N}, nc, kNaN);
        h0.fill(p.h0);
    }
    dout_t = make({c.B, c.D, c.L}, nc, kNaN);
    dout_t.fill(dout);
    if (c.dfinal) {
        dfinal_t = make({c.B, c.D, c.N}, nc, kNaN);
        dfinal_t.fill(dfinal);
    }
    for (double x : p.Dskip) Dskip.push_back((float)x);
    for (double x : p.bias) bias.push_back((float)x);
}

gm_scan_params params_for(const Case& c, Result& r) {
    const Config& g = c.cfg;
    const bool nc = g.noncontig;
    auto out3 = [&](int64_t a, int64_t b, int64_t x) { return make({a, b, x}, nc, kOutSentinel); };
    if (r.out.storage.empty()) {
        r.out = out3(g.B, g.D, g.L);
        r.final_state = out3(g.B, g.D, g.N);
        r.du = out3(g.B, g.D, g.L);
        r.ddelta = out3(g.B, g.D, g.L);
        if (g.z) r.dz = out3(g.B, g.D, g.L);
        r.dA = make({g.D, g.N}, nc, kOutSentinel);
        r.dB = make({g.B, g.G, g.N, g.L}, nc, kOutSentinel);
        r.dC = make({g.B, g.G, g.N, g.L}, nc, kOutSentinel);
        r.dh0 = out3(g.B, g.D, g.N);
        if (g.Dskip) r.dD.assign(g.D, kOutSentinel);
        if (g.bias) r.dbias.assign(g.D, kOutSentinel);
    }
    gm_scan_params p;
    std::memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.batch = g.B, p.dim = g.D, p.seqlen = g.L, p.dstate = g.N, p.n_groups = g.G;
    p.chunk_size = g.chunk;
    p.n_threads = g.threads;
    p.delta_softplus = g.softplus;
    p.u = c.u.data(), p.u_batch_stride = c.u.strides[0], p.u_dim_stride = c.u.strides[1];
    p.delta = c.delta.data(), p.delta_batch_stride = c.delta.strides[0], p.delta_dim_stride = c.delta.strides[1];
    p.A = c.A.data(), p.A_dim_stride = c.A.strides[0];
    p.Bmat = c.Bm.data(), p.B_batch_stride = c.Bm.strides[0], p.B_group_stride = c.Bm.strides[1],
    p.B_state_stride = c.Bm.strides[2];
    p.Cmat = c.Cm.data(), p.C_batch_stride = c.Cm.strides[0], p.C_group_stride = c.Cm.strides[1],
    p.C_state_stride = c.Cm.strides[2];
    p.D_skip = g.Dskip ? c.Dskip.data() : nullptr;
    p.delta_bias = g.bias ? c.bias.data() : nullptr;
    if (g.z) p.z = c.z.data(), p.z_batch_stride = c.z.strides[0], p.z_dim_stride = c.z.strides[1];
    if (g.h0) p.h0 = c.h0.data(), p.h0_batch_stride = c.h0.strides[0], p.h0_dim_stride = c.h0.strides[1];
    p.out = r.out.data(), p.out_batch_stride = r.out.strides[0], p.out_dim_stride = r.out.strides[1];
    p.final_state = r.final_state.data(), p.final_state_batch_stride = r.final_state.strides[0],
    p.final_state_dim_stride = r.final_state.strides[1];
    const int64_t ncs = gm_scan_chunk_states(&p);
    if (ncs > 0 && (int64_t)r.chunk_states.size() != ncs) r.chunk_states.assign((size_t)ncs, kOutSentinel);
    p.chunk_states = r.chunk_states.data();
    p.dout = c.dout_t.data(), p.dout_batch_stride = c.dout_t.strides[0], p.dout_dim_stride = c.dout_t.strides[1];
    if (g.dfinal)
        p.dfinal_state = c.dfinal_t.data(), p.dfinal_state_batch_stride = c.dfinal_t.strides[0],
        p.dfinal_state_dim_stride = c.dfinal_t.strides[1];
    p.du = r.du.data(), p.du_batch_stride = r.du.strides[0], p.du_dim_stride = r.du.strides[1];
    p.ddelta = r.ddelta.data(), p.ddelta_batch_stride = r.ddelta.strides[0], p.ddelta_dim_stride = r.ddelta.strides[1];
    p.dA = r.dA.data(), p.dA_dim_stride = r.dA.strides[0];
    p.dB = r.dB.data(), p.dB_batch_stride = r.dB.strides[0], p.dB_group_stride = r.dB.strides[1],
    p.dB_state_stride = r.dB.strides[2];
    p.dC = r.dC.data(), p.dC_batch_stride = r.dC.strides[0], p.dC_group_stride = r.dC.strides[1],
    p.dC_state_stride = r.dC.strides[2];
    p.dD = g.Dskip ? r.dD.data() : nullptr;
    p.ddelta_bias = g.bias ? r.dbias.data() : nullptr;
    if (g.z) p.dz = r.dz.data(), p.dz_batch_stride = r.dz.strides[0], p.dz_dim_stride = r.dz.strides[1];
    p.dh0 = r.dh0.data(), p.dh0_batch_stride = r.dh0.strides[0], p.dh0_dim_stride = r.dh0.strides[1];
    return p;
}

Result run(const Case& c) {
    Result r;
    gm_scan_params p = params_for(c, r);
    r.fwd_status = gm_selective_scan_fwd(&p);
    if (r.fwd_status != GM_OK) {
        r.error = gm_last_error();
        return r;
    }
    r.bwd_status = gm_selective_scan_bwd(&p);
    if (r.bwd_status != GM_OK) r.error = gm_last_error();
    for (Tensor* t : {&r.out, &r.final_state, &r.du, &r.ddelta, &r.dz, &r.dA, &r.dB, &r.dC, &r.dh0})
        if (!t->storage.empty() && !t->padding_untouched(kOutSentinel)) r.outputs_in_place = false;
    return r;
}

}  // namespace harness
