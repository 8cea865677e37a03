// test_cuda_math.cpp — the CUDA scan's algorithm, checked on the CPU. The kernels in src/cuda/scan_cuda.cu
// call the __host__ __device__ functions of src/cuda/scan_math.h; here the same functions run in a host
// emulation of the kernels' structure (a 32-lane warp per channel, kItems positions per lane, Hillis-Steele
// lane scans in the kernels' order, the state and q carried between tiles, chunk_states saved and reread in
// the backward, segments of chunks) and the results are compared with the fp64 reference. What this cannot
// check is the CUDA mechanics themselves (shuffles, barriers, atomics): the GPU check program does that.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cuda/scan_math.h"
#include "harness.h"
#include "reference.h"

namespace cu = gm::cu;
using cu::Affine;
using cu::kItems;
using cu::kWarp;

namespace {

// The warp scans, lane by lane as the shuffles do them (every lane reads the others' values of the last step).
void warp_prefix(Affine f[kWarp]) {
    for (int s = 1; s < kWarp; s <<= 1) {
        Affine old[kWarp];
        std::copy(f, f + kWarp, old);
        for (int l = s; l < kWarp; ++l) f[l] = cu::compose(old[l - s], old[l]);
    }
}
void warp_suffix(Affine f[kWarp]) {
    for (int s = 1; s < kWarp; s <<= 1) {
        Affine old[kWarp];
        std::copy(f, f + kWarp, old);
        for (int l = 0; l + s < kWarp; ++l) f[l] = cu::compose(old[l + s], old[l]);
    }
}

struct Emulated {
    ref::Forward fwd;
    ref::Grads grads;
};

// One (b, d) channel's forward and backward, following fwd_kernel and bwd_kernel line by line.
Emulated emulate(const ref::Problem& p, const ref::Vec& dout, const ref::Vec& dfinal, int64_t chunk,
                 int64_t seg_chunks) {
    const int64_t B = p.B, D = p.D, L = p.L, N = p.N, G = p.G, Dg = D / G;
    const int64_t n_chunks = (L + chunk - 1) / chunk;
    Emulated e;
    e.fwd.out.assign(B * D * L, 0);
    e.fwd.final.assign(B * D * N, 0);
    ref::Grads& gr = e.grads;
    gr.du.assign(B * D * L, 0), gr.ddelta.assign(B * D * L, 0);
    if (!p.z.empty()) gr.dz.assign(B * D * L, 0);
    gr.dA.assign(D * N, 0), gr.dB.assign(B * G * N * L, 0), gr.dC.assign(B * G * N * L, 0);
    if (!p.Dskip.empty()) gr.dD.assign(D, 0);
    if (!p.bias.empty()) gr.dbias.assign(D, 0);
    gr.dh0.assign(B * D * N, 0);
    auto F = [](double x) { return (float)x; };

    for (int64_t b = 0; b < B; ++b)
        for (int64_t d = 0; d < D; ++d) {
            const int64_t g = d / Dg, bdl = (b * D + d) * L, bgl = (b * G + g) * N * L;
            const float bias = p.bias.empty() ? 0.0f : F(p.bias[d]);
            const float Dv = p.Dskip.empty() ? 0.0f : F(p.Dskip[d]);
            auto in = [&](const ref::Vec& v, int64_t t) { return F(v[bdl + t]); };
            auto Bat = [&](int64_t n, int64_t t) { return F(p.Bm[bgl + n * L + t]); };
            auto Cat = [&](int64_t n, int64_t t) { return F(p.Cm[bgl + n * L + t]); };
            std::vector<float> cs(n_chunks * N), H(N);
            for (int64_t n = 0; n < N; ++n) H[n] = p.h0.empty() ? 0.0f : F(p.h0[(b * D + d) * N + n]);

            // ---- forward
            for (int64_t k = 0; k < n_chunks; ++k) {
                const int64_t t0 = k * chunk, len = std::min(chunk, L - t0);
                for (int64_t n = 0; n < N; ++n) cs[k * N + n] = H[n];
                float u[kWarp][kItems], dt[kWarp][kItems], y[kWarp][kItems];
                for (int l = 0; l < kWarp; ++l)
                    for (int i = 0; i < kItems; ++i) {
                        const int64_t pos = l * kItems + i;
                        const bool ok = pos < len;
                        u[l][i] = ok ? in(p.u, t0 + pos) : 0.0f;
                        dt[l][i] = ok ? cu::delta_of(in(p.delta, t0 + pos), bias, p.softplus, nullptr) : 0.0f;
                        y[l][i] = 0.0f;
                    }
                for (int64_t n = 0; n < N; ++n) {
                    const float An = F(p.A[d * N + n]);
                    float a[kWarp][kItems], bv[kWarp][kItems];
                    Affine loc[kWarp];
                    for (int l = 0; l < kWarp; ++l) {
                        loc[l] = cu::identity();
                        for (int i = 0; i < kItems; ++i) {
                            const int64_t pos = l * kItems + i;
                            const Affine f = cu::step_map(dt[l][i], An, u[l][i], pos < len ? Bat(n, t0 + pos) : 0.0f);
                            a[l][i] = f.a, bv[l][i] = f.b;
                            loc[l] = cu::compose(loc[l], f);
                        }
                    }
                    Affine inc[kWarp];
                    std::copy(loc, loc + kWarp, inc);
                    warp_prefix(inc);
                    const float hin = H[n];
                    for (int l = 0; l < kWarp; ++l) {
                        float h = cu::apply(l == 0 ? cu::identity() : inc[l - 1], hin);
                        for (int i = 0; i < kItems; ++i) {
                            const int64_t pos = l * kItems + i;
                            h = a[l][i] * h + bv[l][i];
                            y[l][i] += (pos < len ? Cat(n, t0 + pos) : 0.0f) * h;
                        }
                    }
                    H[n] = cu::apply(inc[kWarp - 1], hin);
                }
                for (int l = 0; l < kWarp; ++l)
                    for (int i = 0; i < kItems; ++i) {
                        const int64_t pos = l * kItems + i;
                        if (pos >= len) continue;
                        float v = y[l][i] + Dv * u[l][i];
                        if (!p.z.empty()) v = cu::gate(v, in(p.z, t0 + pos));
                        e.fwd.out[bdl + t0 + pos] = v;
                    }
            }
            for (int64_t n = 0; n < N; ++n) e.fwd.final[(b * D + d) * N + n] = H[n];

            // ---- backward, in segments of chunks as the deterministic path launches them
            std::vector<float> Q(N);
            std::vector<double> dAacc(N, 0.0);
            double dDacc = 0, dbacc = 0;
            const int64_t n_seg = (n_chunks + seg_chunks - 1) / seg_chunks;
            for (int64_t s = n_seg - 1; s >= 0; --s) {
                const int64_t k_lo = s * seg_chunks, k_hi = std::min(n_chunks, k_lo + seg_chunks);
                if (k_hi == n_chunks)
                    for (int64_t n = 0; n < N; ++n) Q[n] = dfinal.empty() ? 0.0f : F(dfinal[(b * D + d) * N + n]);
                for (int64_t k = k_hi - 1; k >= k_lo; --k) {
                    const int64_t t0 = k * chunk, len = std::min(chunk, L - t0);
                    float u[kWarp][kItems], dt[kWarp][kItems], sig[kWarp][kItems], dy[kWarp][kItems];
                    float y[kWarp][kItems], du[kWarp][kItems], ddt[kWarp][kItems];
                    float dDl[kWarp] = {};
                    for (int l = 0; l < kWarp; ++l)
                        for (int i = 0; i < kItems; ++i) {
                            const int64_t pos = l * kItems + i;
                            const bool ok = pos < len;
                            u[l][i] = ok ? in(p.u, t0 + pos) : 0.0f;
                            dt[l][i] = ok ? cu::delta_of(in(p.delta, t0 + pos), bias, p.softplus, &sig[l][i]) : 0.0f;
                            if (!ok) sig[l][i] = 0.0f;
                            const float go = ok ? in(dout, t0 + pos) : 0.0f;
                            const float z = (ok && !p.z.empty()) ? in(p.z, t0 + pos) : 0.0f;
                            dy[l][i] = p.z.empty() ? go : go * z * cu::sigmoid(z);
                            y[l][i] = 0.0f;
                            du[l][i] = dy[l][i] * Dv;
                            ddt[l][i] = 0.0f;
                            dDl[l] += dy[l][i] * u[l][i];
                        }
                    for (int64_t n = 0; n < N; ++n) {
                        const float An = F(p.A[d * N + n]);
                        float a[kWarp][kItems], bv[kWarp][kItems], Bv[kWarp][kItems], Cv[kWarp][kItems];
                        float hp[kWarp][kItems], hlast[kWarp];
                        Affine loc[kWarp];
                        for (int l = 0; l < kWarp; ++l) {
                            loc[l] = cu::identity();
                            for (int i = 0; i < kItems; ++i) {
                                const int64_t pos = l * kItems + i;
                                const bool ok = pos < len;
                                Bv[l][i] = ok ? Bat(n, t0 + pos) : 0.0f;
                                Cv[l][i] = ok ? Cat(n, t0 + pos) : 0.0f;
                                const Affine f = cu::step_map(dt[l][i], An, u[l][i], Bv[l][i]);
                                a[l][i] = f.a, bv[l][i] = f.b;
                                loc[l] = cu::compose(loc[l], f);
                            }
                        }
                        Affine inc[kWarp];
                        std::copy(loc, loc + kWarp, inc);
                        warp_prefix(inc);
                        Affine rloc[kWarp];
                        for (int l = 0; l < kWarp; ++l) {
                            float h = cu::apply(l == 0 ? cu::identity() : inc[l - 1], cs[k * N + n]);
                            for (int i = 0; i < kItems; ++i) {
                                hp[l][i] = h;
                                h = a[l][i] * h + bv[l][i];
                                y[l][i] += Cv[l][i] * h;
                            }
                            hlast[l] = h;
                            rloc[l] = cu::identity();
                            for (int i = kItems - 1; i >= 0; --i)
                                rloc[l] = cu::compose(rloc[l], cu::back_map(a[l][i], Cv[l][i], dy[l][i]));
                        }
                        Affine sfx[kWarp];
                        std::copy(rloc, rloc + kWarp, sfx);
                        warp_suffix(sfx);
                        const float qin = Q[n];
                        float dAl = 0.0f;
                        for (int l = 0; l < kWarp; ++l) {
                            float q = cu::apply(l == kWarp - 1 ? cu::identity() : sfx[l + 1], qin);
                            float hnext = hlast[l];
                            for (int i = kItems - 1; i >= 0; --i) {
                                const int64_t pos = l * kItems + i;
                                const float gg = Cv[l][i] * dy[l][i] + q;
                                const cu::ElemGrad eg =
                                    cu::elem_grad(gg, a[l][i], hp[l][i], hnext, dt[l][i], u[l][i], An, Bv[l][i], dy[l][i]);
                                du[l][i] += eg.du;
                                ddt[l][i] += eg.ddt;
                                dAl += eg.dA;
                                if (pos < len) {
                                    gr.dB[bgl + n * L + t0 + pos] += eg.dB;
                                    gr.dC[bgl + n * L + t0 + pos] += eg.dC;
                                }
                                q = a[l][i] * gg;
                                hnext = hp[l][i];
                            }
                        }
                        Q[n] = cu::apply(sfx[0], qin);
                        dAacc[n] += dAl;
                    }
                    float dbl = 0.0f, dDs = 0.0f;
                    for (int l = 0; l < kWarp; ++l) {
                        dDs += dDl[l];
                        for (int i = 0; i < kItems; ++i) {
                            const int64_t pos = l * kItems + i;
                            if (p.softplus) ddt[l][i] *= sig[l][i];
                            if (pos >= len) continue;
                            dbl += ddt[l][i];
                            gr.du[bdl + t0 + pos] = du[l][i];
                            gr.ddelta[bdl + t0 + pos] = ddt[l][i];
                            if (!p.z.empty()) {
                                float dz;
                                cu::gate_bwd(in(dout, t0 + pos), y[l][i] + Dv * u[l][i], in(p.z, t0 + pos), &dz);
                                gr.dz[bdl + t0 + pos] = dz;
                            }
                        }
                    }
                    dDacc += dDs;
                    dbacc += dbl;
                }
            }
            for (int64_t n = 0; n < N; ++n) {
                gr.dh0[(b * D + d) * N + n] = Q[n];
                gr.dA[d * N + n] += dAacc[n];
            }
            if (!gr.dD.empty()) gr.dD[d] += dDacc;
            if (!gr.dbias.empty()) gr.dbias[d] += dbacc;
        }
    return e;
}

// |got - want| <= rtol |want| + atol max|want| (fp32 tile arithmetic vs fp64; the CPU kernels' test uses 1e-4/1e-5).
void expect_close(const char* what, const std::string& ctx, const ref::Vec& got, const ref::Vec& want) {
    ASSERT_EQ(got.size(), want.size()) << what;
    double scale = 0;
    for (double w : want) scale = std::max(scale, std::fabs(w));
    double worst = 0;
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        const double d = std::fabs(got[i] - want[i]);
        worst = std::max(worst, d);
        if (!(d <= 2e-4 * std::fabs(want[i]) + 2e-5 * scale)) {
            if (!bad) first = i;
            ++bad;
        }
    }
    std::printf("    %-7s max |diff| %.3g (%.3g of max|ref|)\n", what, worst, scale > 0 ? worst / scale : 0.0);
    EXPECT_EQ(bad, 0u) << ctx << " " << what << ": " << bad << " of " << got.size() << " off; first at " << first
                       << ": got " << got[first] << ", want " << want[first];
}

void check(const harness::Config& c, int64_t chunk, int64_t seg_chunks) {
    const harness::Case cs(c);
    const std::string ctx = c.name() + "_tile" + std::to_string(chunk) + "_seg" + std::to_string(seg_chunks);
    std::printf("  %s\n", ctx.c_str());
    const Emulated e = emulate(cs.prob, cs.dout, cs.dfinal, chunk, seg_chunks);
    const ref::Forward f = ref::forward(cs.prob);
    const ref::Grads g = ref::backward(cs.prob, cs.dout, cs.dfinal);
    expect_close("out", ctx, e.fwd.out, f.out);
    expect_close("final", ctx, e.fwd.final, f.final);
    expect_close("du", ctx, e.grads.du, g.du);
    expect_close("ddelta", ctx, e.grads.ddelta, g.ddelta);
    expect_close("dz", ctx, e.grads.dz, g.dz);
    expect_close("dA", ctx, e.grads.dA, g.dA);
    expect_close("dB", ctx, e.grads.dB, g.dB);
    expect_close("dC", ctx, e.grads.dC, g.dC);
    expect_close("dD", ctx, e.grads.dD, g.dD);
    expect_close("dbias", ctx, e.grads.dbias, g.dbias);
    expect_close("dh0", ctx, e.grads.dh0, g.dh0);
}

TEST(CudaMath, Tile_algorithm_matches_the_reference_with_every_option) {
    harness::Config c;
    c.B = 2, c.D = 6, c.L = 700, c.N = 5, c.G = 2;  // 3 chunks of 256 (the last partial), odd N
    c.z = c.Dskip = c.bias = c.softplus = c.h0 = c.dfinal = true;
    check(c, cu::cuda_default_chunk(c.L), 1 << 30);
}

TEST(CudaMath, Small_chunks_segments_and_plain_options) {
    harness::Config c;
    c.B = 1, c.D = 3, c.L = 100, c.N = 16, c.G = 1;
    check(c, 37, 1 << 30);  // chunk not a multiple of kItems: lanes end mid-item, the tail lane is partly empty
    check(c, 37, 2);        // the deterministic path's segments (q and the sums carried between launches)
    c.softplus = true, c.z = true;
    check(c, 5, 1);
}

TEST(CudaMath, Short_sequence_uses_few_lanes) {
    harness::Config c;
    c.B = 1, c.D = 2, c.L = 3, c.N = 33, c.G = 1;  // N > 32: more states than lanes
    c.h0 = c.dfinal = c.bias = true;
    check(c, cu::cuda_default_chunk(c.L), 1 << 30);
}

TEST(CudaMath, Plan_bounds_the_deterministic_partials) {
    // B = 2, D = 1024, L = 2^16, N = 16, G = 1: 1024 / kWarpsPerBlock blocks per group; partials of
    // 2 x 2 x blocks x 16 x 256 floats per chunk, so a 64 Mi budget gives 2^26 / that chunks per segment.
    const int64_t blocks = 1024 / cu::kWarpsPerBlock, per_chunk = 2 * 2 * blocks * 16 * 256;
    const cu::Plan fast = cu::make_plan(2, 1024, 1 << 16, 16, 1, 256, false, 1 << 26);
    EXPECT_EQ(fast.n_chunks, 256);
    EXPECT_EQ(fast.blocks_per_group, blocks);
    EXPECT_EQ(fast.n_segments, 1);
    const cu::Plan det = cu::make_plan(2, 1024, 1 << 16, 16, 1, 256, true, 1 << 26);
    EXPECT_EQ(det.seg_chunks, (1 << 26) / per_chunk);
    EXPECT_EQ(det.n_segments, 256 / det.seg_chunks);
    const cu::Plan tiny = cu::make_plan(1, 6, 1000, 4, 2, 256, true, 1);  // budget below one chunk: one per segment
    EXPECT_EQ(tiny.blocks_per_group, 1);
    EXPECT_EQ(tiny.seg_chunks, 1);
    EXPECT_EQ(tiny.n_segments, 4);
    EXPECT_EQ(cu::cuda_default_chunk(100), 100);
    EXPECT_EQ(cu::cuda_default_chunk(1 << 20), GM_CUDA_MAX_CHUNK);
}

}  // namespace
