// test_scan.cpp — the fused kernels (every instruction set this CPU runs) against the double-precision
// reference, for the output and every gradient; determinism across thread counts; the recurrent step.
// Each comparison prints its max difference (absolute, and relative to the tensor's largest value) before
// asserting |native - ref| <= rtol |ref| + atol max|ref|.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <tuple>

#include "harness.h"
#include "reference.h"
#include "scan.h"

using harness::Case;
using harness::Config;
using harness::Result;

namespace {

constexpr double kRtol = 2e-3, kAtol = 2e-4;

struct Worst {  // the largest differences seen over the whole run, printed at the end
    double abs = 0, rel = 0;
    std::string where;
} g_worst;

std::vector<gm::Isa> isas() {
    std::vector<gm::Isa> v;
    for (gm::Isa i : {gm::Isa::Scalar, gm::Isa::Avx2, gm::Isa::Avx512})
        if (gm::kernels_for(i)) v.push_back(i);
    return v;
}

const char* isa_name(gm::Isa i) { return gm::kernels_for(i)->name; }

// Restores the default kernels when a test ends.
struct IsaScope {
    gm::Isa saved;
    IsaScope() : saved(isas().back()) {}
    ~IsaScope() { gm::force_isa(saved); }
};

// Returns the max difference relative to the tensor's largest reference value.
double expect_close(const char* what, const std::string& ctx, const ref::Vec& got, const ref::Vec& want) {
    EXPECT_EQ(got.size(), want.size()) << what;
    if (got.size() != want.size()) return INFINITY;
    double scale = 0;
    for (double w : want) scale = std::max(scale, std::fabs(w));
    double max_abs = 0;
    size_t worst = 0, bad = 0, first_bad = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        const double d = std::fabs(got[i] - want[i]);
        if (!(d <= max_abs)) max_abs = d, worst = i;  // NaN counts as worst
        if (!(d <= kRtol * std::fabs(want[i]) + kAtol * scale)) {
            if (!bad) first_bad = i;
            ++bad;
        }
    }
    const double rel = scale > 0 ? max_abs / scale : max_abs;
    if (rel > g_worst.rel) g_worst = {max_abs, rel, ctx + " " + what};
    EXPECT_EQ(bad, 0u) << ctx << " " << what << ": " << bad << " of " << got.size() << " out of tolerance; first at "
                       << first_bad << " got " << got[first_bad] << " want " << want[first_bad] << "; worst at "
                       << worst << " got " << got[worst] << " want " << want[worst];
    return rel;
}

void compare_all(const Case& c, const Result& r, const std::string& ctx) {
    ASSERT_EQ(r.fwd_status, GM_OK) << r.error;
    ASSERT_EQ(r.bwd_status, GM_OK) << r.error;
    EXPECT_TRUE(r.outputs_in_place) << ctx << ": a kernel wrote outside its output tensors";
    const ref::Forward f = ref::forward(c.prob);
    const ref::Grads g = ref::backward(c.prob, c.dout, c.dfinal);
    std::string line;
    auto one = [&](const char* what, const ref::Vec& got, const ref::Vec& want) {
        char buf[64];
        std::snprintf(buf, sizeof buf, " %s %.1e", what, expect_close(what, ctx, got, want));
        line += buf;
    };
    one("out", r.out.read(), f.out);
    one("final", r.final_state.read(), f.final);
    one("du", r.du.read(), g.du);
    one("ddelta", r.ddelta.read(), g.ddelta);
    if (c.cfg.z) one("dz", r.dz.read(), g.dz);
    one("dA", r.dA.read(), g.dA);
    one("dB", r.dB.read(), g.dB);
    one("dC", r.dC.read(), g.dC);
    one("dh0", r.dh0.read(), g.dh0);
    if (c.cfg.Dskip) one("dD", ref::Vec(r.dD.begin(), r.dD.end()), g.dD);
    if (c.cfg.bias) one("dbias", ref::Vec(r.dbias.begin(), r.dbias.end()), g.dbias);
    std::printf("  %s: max|diff|/max|ref|%s\n", ctx.c_str(), line.c_str());
}

// ---- the reference checks itself against finite differences --------------------------------------

TEST(Reference, Gradients_match_central_finite_differences) {
    Config cfg;
    cfg.B = 2, cfg.D = 4, cfg.L = 6, cfg.N = 3, cfg.G = 2;
    cfg.z = cfg.Dskip = cfg.bias = cfg.softplus = cfg.h0 = cfg.dfinal = true;
    Case c(cfg);
    ref::Problem p = c.prob;
    auto loss = [&](const ref::Problem& q) {
        ref::Forward f = ref::forward(q);
        double s = 0;
        for (size_t i = 0; i < f.out.size(); ++i) s += f.out[i] * c.dout[i];
        for (size_t i = 0; i < f.final.size(); ++i) s += f.final[i] * c.dfinal[i];
        return s;
    };
    const ref::Grads g = ref::backward(p, c.dout, c.dfinal);
    auto check = [&](const char* name, ref::Vec ref::Problem::*field, const ref::Vec& grad) {
        for (size_t i = 0; i < (p.*field).size(); ++i) {
            ref::Problem q = p;
            const double h = 1e-6 * std::max(1.0, std::fabs((p.*field)[i]));
            (q.*field)[i] += h;
            double up = loss(q);
            (q.*field)[i] -= 2 * h;
            double down = loss(q);
            double fd = (up - down) / (2 * h);
            EXPECT_NEAR(grad[i], fd, 1e-6 * std::max(1.0, std::fabs(fd))) << name << "[" << i << "]";
        }
    };
    check("u", &ref::Problem::u, g.du);
    check("delta", &ref::Problem::delta, g.ddelta);
    check("z", &ref::Problem::z, g.dz);
    check("A", &ref::Problem::A, g.dA);
    check("B", &ref::Problem::Bm, g.dB);
    check("C", &ref::Problem::Cm, g.dC);
    check("D", &ref::Problem::Dskip, g.dD);
    check("bias", &ref::Problem::bias, g.dbias);
    check("h0", &ref::Problem::h0, g.dh0);
}

// ---- kernels vs reference --------------------------------------------------------------------------

// The option sets: what each one switches on, with the channel/group shape it uses.
Config features(int which) {
    Config c;
    switch (which) {
    case 0:  // bare scan, whole channel blocks, contiguous
        c.B = 2, c.D = 32, c.G = 1;
        break;
    case 1:  // everything, two groups of 20 channels (a full and a partial block each), strided
        c.B = 2, c.D = 40, c.G = 2;
        c.z = c.Dskip = c.bias = c.softplus = c.h0 = c.dfinal = true;
        c.noncontig = true;
        break;
    case 2:  // gate, skip, softplus without bias, dfinal; one partial block; strided
        c.B = 3, c.D = 20, c.G = 1;
        c.z = c.Dskip = c.softplus = c.dfinal = true;
        c.noncontig = true;
        break;
    default:  // bias without softplus, h0, two groups of 12 channels
        c.B = 1, c.D = 24, c.G = 2;
        c.bias = c.h0 = true;
        break;
    }
    return c;
}

using ScanParam = std::tuple<int /*L*/, int /*N*/, int /*features*/, int /*chunk*/>;

class ScanVsReference : public ::testing::TestWithParam<ScanParam> {};

TEST_P(ScanVsReference, Output_and_every_gradient_match) {
    auto [L, N, feat, chunk] = GetParam();
    Config cfg = features(feat);
    cfg.L = L, cfg.N = N, cfg.chunk = chunk;
    cfg.seed = 1000 + L * 7 + N * 13 + feat * 17 + chunk;
    if (L >= 4000 && N >= 64) cfg.B = 1;  // keep the reference's (B, D, L, N) states modest
    Case c(cfg);
    IsaScope scope;
    for (gm::Isa isa : isas()) {
        ASSERT_TRUE(gm::force_isa(isa));
        Result r = harness::run(c);
        compare_all(c, r, cfg.name() + " [" + isa_name(isa) + "]");
    }
}

INSTANTIATE_TEST_SUITE_P(Shapes, ScanVsReference,
                         ::testing::Combine(::testing::Values(1, 7, 64, 1000, 4099), ::testing::Values(1, 16, 64),
                                            ::testing::Values(0, 1, 2, 3), ::testing::Values(0, 37)),
                         [](const ::testing::TestParamInfo<ScanParam>& i) {
                             return "L" + std::to_string(std::get<0>(i.param)) + "_N" +
                                    std::to_string(std::get<1>(i.param)) + "_F" + std::to_string(std::get<2>(i.param)) +
                                    "_chunk" + std::to_string(std::get<3>(i.param));
                         });

TEST(ScanVsReferenceWaves, Batch_split_into_waves_gives_the_same_gradients) {
    // A tiny dB/dC slot forces one batch element per wave.
    Config cfg = features(1);
    cfg.B = 5, cfg.L = 300, cfg.N = 16, cfg.chunk = 64;
    Case c(cfg);
    const int64_t saved = gm::g_partial_slot_floats;
    gm::g_partial_slot_floats = 1;
    Result r = harness::run(c);
    gm::g_partial_slot_floats = saved;
    compare_all(c, r, cfg.name() + " waves");
}

// ---- determinism -----------------------------------------------------------------------------------

bool same_bits(const harness::Tensor& a, const harness::Tensor& b) {
    return a.storage.size() == b.storage.size() &&
           std::memcmp(a.storage.data(), b.storage.data(), a.storage.size() * sizeof(float)) == 0;
}
bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(Determinism, Results_are_bit_identical_for_1_2_3_and_8_threads) {
    IsaScope scope;
    for (int waves = 0; waves < 2; ++waves) {
        Config cfg = features(1);
        cfg.B = 3, cfg.L = 1000, cfg.N = 16, cfg.chunk = 64;
        const int64_t saved = gm::g_partial_slot_floats;
        if (waves) gm::g_partial_slot_floats = 1;
        for (gm::Isa isa : isas()) {
            ASSERT_TRUE(gm::force_isa(isa));
            cfg.threads = 1;
            Case c(cfg);
            Result base = harness::run(c);
            ASSERT_EQ(base.bwd_status, GM_OK) << base.error;
            for (int t : {2, 3, 8}) {
                c.cfg.threads = t;
                Result r = harness::run(c);
                ASSERT_EQ(r.bwd_status, GM_OK) << r.error;
                const std::string ctx = std::string(isa_name(isa)) + " threads=" + std::to_string(t) +
                                        (waves ? " (one batch element per wave)" : "");
                EXPECT_TRUE(same_bits(r.out, base.out)) << ctx << " out";
                EXPECT_TRUE(same_bits(r.final_state, base.final_state)) << ctx << " final_state";
                EXPECT_TRUE(same_bits(r.chunk_states, base.chunk_states)) << ctx << " chunk_states";
                EXPECT_TRUE(same_bits(r.du, base.du)) << ctx << " du";
                EXPECT_TRUE(same_bits(r.ddelta, base.ddelta)) << ctx << " ddelta";
                EXPECT_TRUE(same_bits(r.dz, base.dz)) << ctx << " dz";
                EXPECT_TRUE(same_bits(r.dA, base.dA)) << ctx << " dA";
                EXPECT_TRUE(same_bits(r.dB, base.dB)) << ctx << " dB";
                EXPECT_TRUE(same_bits(r.dC, base.dC)) << ctx << " dC";
                EXPECT_TRUE(same_bits(r.dD, base.dD)) << ctx << " dD";
                EXPECT_TRUE(same_bits(r.dbias, base.dbias)) << ctx << " dbias";
                EXPECT_TRUE(same_bits(r.dh0, base.dh0)) << ctx << " dh0";
            }
        }
        gm::g_partial_slot_floats = saved;
    }
}

// ---- chunked sequences: h0 in, dh0 out -------------------------------------------------------------

TEST(Segments, Two_halves_with_state_passing_equal_the_whole_sequence) {
    // Forward: scanning [0, L/2) then [L/2, L) from the first half's final state equals one scan.
    Config cfg = features(1);
    cfg.B = 2, cfg.L = 200, cfg.N = 16, cfg.h0 = false, cfg.noncontig = false, cfg.chunk = 32;
    Case whole(cfg);
    Result rw = harness::run(whole);
    ASSERT_EQ(rw.bwd_status, GM_OK) << rw.error;
    // First half: the same inputs cut at L/2.
    const int H = cfg.L / 2;
    auto cut = [&](const ref::Vec& v, int rows, int from, int len) {
        ref::Vec r;
        for (int i = 0; i < rows; ++i)
            for (int t = 0; t < len; ++t) r.push_back(v[(size_t)i * cfg.L + from + t]);
        return r;
    };
    Config hc = cfg;
    hc.L = H;
    Case first(hc), second(hc);
    for (Case* s : {&first, &second}) {
        const int from = s == &first ? 0 : H;
        ref::Problem& p = s->prob;
        p.u = cut(whole.prob.u, cfg.B * cfg.D, from, H);
        p.delta = cut(whole.prob.delta, cfg.B * cfg.D, from, H);
        p.z = cut(whole.prob.z, cfg.B * cfg.D, from, H);
        p.Bm = cut(whole.prob.Bm, cfg.B * cfg.G * cfg.N, from, H);
        p.Cm = cut(whole.prob.Cm, cfg.B * cfg.G * cfg.N, from, H);
        p.A = whole.prob.A, p.Dskip = whole.prob.Dskip, p.bias = whole.prob.bias;
        s->u.fill(p.u), s->delta.fill(p.delta), s->z.fill(p.z), s->Bm.fill(p.Bm), s->Cm.fill(p.Cm), s->A.fill(p.A);
        s->Dskip = whole.Dskip, s->bias = whole.bias;
        s->dout = cut(whole.dout, cfg.B * cfg.D, from, H);
        s->dout_t.fill(s->dout);
    }
    Result r1 = harness::run(first);
    ASSERT_EQ(r1.fwd_status, GM_OK) << r1.error;
    // Second half starts from the first half's final state and receives the whole sequence's dfinal.
    second.cfg.h0 = true;
    second.h0 = r1.final_state;
    second.dfinal_t = whole.dfinal_t;
    second.cfg.dfinal = true;
    Result r2 = harness::run(second);
    ASSERT_EQ(r2.bwd_status, GM_OK) << r2.error;
    // The second half's dh0 is the first half's dfinal.
    first.cfg.dfinal = true;
    first.dfinal_t = r2.dh0;
    r1 = harness::run(first);
    ASSERT_EQ(r1.bwd_status, GM_OK) << r1.error;
    const ref::Vec ow = rw.out.read(), o1 = r1.out.read(), o2 = r2.out.read();
    const ref::Vec uw = rw.du.read(), u1 = r1.du.read(), u2 = r2.du.read();
    double max_out = 0, max_du = 0;
    for (int row = 0; row < cfg.B * cfg.D; ++row)
        for (int t = 0; t < cfg.L; ++t) {
            const size_t iw = (size_t)row * cfg.L + t, ih = (size_t)row * H + (t % H);
            const ref::Vec& o = t < H ? o1 : o2;
            const ref::Vec& u = t < H ? u1 : u2;
            max_out = std::max(max_out, std::fabs(o[ih] - ow[iw]));
            max_du = std::max(max_du, std::fabs(u[ih] - uw[iw]));
        }
    EXPECT_LT(max_out, 1e-5);
    EXPECT_LT(max_du, 1e-5);
    // dA of the whole = dA of the halves.
    const ref::Vec aw = rw.dA.read(), a1 = r1.dA.read(), a2 = r2.dA.read();
    for (size_t i = 0; i < aw.size(); ++i) EXPECT_NEAR(a1[i] + a2[i], aw[i], 1e-4 * std::max(1.0, std::fabs(aw[i])));
}

// ---- recurrent step --------------------------------------------------------------------------------

TEST(Step, L_steps_reproduce_the_scan_output_and_final_state) {
    IsaScope scope;
    for (int N : {1, 16, 20, 64}) {
        Config cfg = features(1);
        cfg.B = 2, cfg.D = 40, cfg.G = 2, cfg.L = 50, cfg.N = N, cfg.noncontig = false;
        Case c(cfg);
        const ref::Forward f = ref::forward(c.prob);
        for (gm::Isa isa : isas()) {
            ASSERT_TRUE(gm::force_isa(isa));
            std::vector<float> state(c.h0.storage.begin(), c.h0.storage.end());  // contiguous (B, D, N)
            std::vector<float> u(cfg.B * cfg.D), dl(cfg.B * cfg.D), z(cfg.B * cfg.D), out(cfg.B * cfg.D);
            std::vector<float> Bt(cfg.B * cfg.G * N), Ct(cfg.B * cfg.G * N);
            ref::Vec got((size_t)cfg.B * cfg.D * cfg.L);
            for (int t = 0; t < cfg.L; ++t) {
                for (int i = 0; i < cfg.B * cfg.D; ++i) {
                    u[i] = (float)c.prob.u[(size_t)i * cfg.L + t];
                    dl[i] = (float)c.prob.delta[(size_t)i * cfg.L + t];
                    z[i] = (float)c.prob.z[(size_t)i * cfg.L + t];
                }
                for (int i = 0; i < cfg.B * cfg.G * N; ++i) {
                    Bt[i] = (float)c.prob.Bm[(size_t)i * cfg.L + t];
                    Ct[i] = (float)c.prob.Cm[(size_t)i * cfg.L + t];
                }
                gm_step_params s;
                std::memset(&s, 0, sizeof s);
                s.struct_size = sizeof s;
                s.batch = cfg.B, s.dim = cfg.D, s.dstate = N, s.n_groups = cfg.G, s.n_threads = 2;
                s.delta_softplus = 1;
                s.u = u.data(), s.u_batch_stride = cfg.D;
                s.delta = dl.data(), s.delta_batch_stride = cfg.D;
                s.A = c.A.data(), s.A_dim_stride = N;
                s.Bmat = Bt.data(), s.B_batch_stride = cfg.G * N, s.B_group_stride = N;
                s.Cmat = Ct.data(), s.C_batch_stride = cfg.G * N, s.C_group_stride = N;
                s.D_skip = c.Dskip.data(), s.delta_bias = c.bias.data();
                s.z = z.data(), s.z_batch_stride = cfg.D;
                s.state = state.data(), s.state_batch_stride = cfg.D * N, s.state_dim_stride = N;
                s.out = out.data(), s.out_batch_stride = cfg.D;
                ASSERT_EQ(gm_selective_scan_step(&s), GM_OK) << gm_last_error();
                for (int i = 0; i < cfg.B * cfg.D; ++i) got[(size_t)i * cfg.L + t] = out[i];
            }
            const std::string ctx = "step N=" + std::to_string(N) + " [" + isa_name(isa) + "]";
            expect_close("out", ctx, got, f.out);
            expect_close("final", ctx, ref::Vec(state.begin(), state.begin() + f.final.size()), f.final);
        }
    }
}

class WorstReport : public ::testing::Environment {
public:
    void TearDown() override {
        std::printf("[ summary ] largest difference vs the fp64 reference: max|diff| %.3g, relative to the tensor's "
                    "max %.3g, at %s\n",
                    g_worst.abs, g_worst.rel, g_worst.where.c_str());
    }
};
const auto* g_report = ::testing::AddGlobalTestEnvironment(new WorstReport);

}  // namespace
