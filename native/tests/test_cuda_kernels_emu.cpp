// test_cuda_kernels_emu.cpp — the CUDA scan's kernels themselves (src/cuda/scan_kernels.cuh), compiled for the
// host against a small CUDA emulation (cuda_emu.h) and run with the launch sequence of scan_cuda.cu: forward;
// zeroing, backward segments, dB/dC partial reduction, batch reduction. Compared with the fp64 reference for
// fp32 (strided tensors included: the padding must stay untouched) and bf16 inputs, both dB/dC modes, several
// blocks per group and segments. This runs the kernels' real indexing, shared-memory layout and warp/block
// choreography; what it cannot show is GPU-only behaviour (memory ordering, speed): the GPU check does that.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "harness.h"
#include "reference.h"
#include "scan.h"

// After every other header: the emulation defines CUDA's built-in names as macros.
#include "cuda_emu.h"
#define GM_KERN_NS kern_emu
#include "cuda/scan_kernels.cuh"

namespace {

namespace cu = gm::cu;
namespace K = gm::cuda::kern_emu;
constexpr int kThreads = cu::kWarp * cu::kWarpsPerBlock;

// scan_cuda.cu's forward() and backward(), with host memory and emulated launches.
template <class T>
void emu_forward(const gm_scan_params& p, const cu::Plan& pl) {
    const gm_emu::Dim3 grid{(unsigned)(pl.blocks_per_group * p.n_groups), (unsigned)p.batch, 1};
    gm_emu::launch(grid, kThreads, sizeof(float) * cu::kWarpsPerBlock * p.dstate, [&] { K::fwd_kernel<T>(p, pl); });
}

template <class T>
void emu_backward(const gm_scan_params& p, const cu::Plan& pl, bool det) {
    const int64_t B = p.batch, D = p.dim, N = p.dstate, G = p.n_groups, BD = B * D, BDN = BD * N;
    const bool parts = det && pl.blocks_per_group > 1;
    const int64_t part_len = pl.seg_chunks * pl.chunk;
    std::vector<double> dbl(BDN + 2 * BD, 0.0);
    std::vector<float> flt(BDN + (parts ? 2 * B * G * pl.blocks_per_group * N * part_len : 0), NAN);
    K::Work ws;
    ws.dA = dbl.data(), ws.dD = ws.dA + BDN, ws.dbias = ws.dD + BD;
    ws.dh = flt.data(), ws.part = parts ? ws.dh + BDN : nullptr, ws.part_len = part_len;
    const gm_emu::Dim3 one{2, 1, 1};  // the reduction kernels are grid-stride loops: any grid will do
    if (!det && pl.blocks_per_group > 1) gm_emu::launch(one, 64, 0, [&] { K::zero_bc_kernel(p); });
    const gm_emu::Dim3 grid{(unsigned)(pl.blocks_per_group * G), (unsigned)B, 1};
    const size_t shmem = sizeof(float) * (2 * cu::kWarpsPerBlock * cu::kTile + cu::kWarpsPerBlock * N);
    for (int64_t s = pl.n_segments - 1; s >= 0; --s) {
        const int64_t k_lo = s * pl.seg_chunks, k_hi = std::min(pl.n_chunks, k_lo + pl.seg_chunks);
        gm_emu::launch(grid, kThreads, shmem, [&] { K::bwd_kernel<T>(p, pl, ws, k_lo, k_hi, det ? 1 : 0); });
        if (parts) gm_emu::launch(one, 64, 0, [&] { K::reduce_parts_kernel(p, pl, ws, k_lo, k_hi); });
    }
    gm_emu::launch(one, 64, 0, [&] { K::reduce_batch_kernel(p, ws); });
}

void expect_close(const char* what, const std::string& ctx, const ref::Vec& got, const ref::Vec& want, double rtol,
                  double atol) {
    ASSERT_EQ(got.size(), want.size()) << what;
    double scale = 0, worst = 0;
    for (double w : want) scale = std::max(scale, std::fabs(w));
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        const double d = std::fabs(got[i] - want[i]);
        if (!(d <= worst)) worst = d;
        if (!(d <= rtol * std::fabs(want[i]) + atol * scale)) {
            if (!bad) first = i;
            ++bad;
        }
    }
    std::printf("    %-7s max |diff| %.3g (%.3g of max|ref|)\n", what, worst, scale > 0 ? worst / scale : 0.0);
    EXPECT_EQ(bad, 0u) << ctx << " " << what << ": " << bad << " of " << got.size() << " off; first at " << first
                       << ": got " << got[first] << ", want " << want[first];
}

// fp32 through the harness's (possibly strided) tensors.
void check_f32(const harness::Config& c, bool det, int64_t part_budget) {
    const harness::Case cs(c);
    harness::Result r;
    gm_scan_params p = harness::params_for(cs, r);
    const gm::Problem P = gm::make_problem(&p);
    const cu::Plan pl = cu::make_plan(P.B, P.D, P.L, P.N, P.G, P.chunk, det, part_budget);
    const std::string ctx = c.name() + (det ? "_det" : "_atomics") + "_seg" + std::to_string(pl.seg_chunks) + "_nb" +
                            std::to_string(pl.blocks_per_group);
    std::printf("  %s\n", ctx.c_str());
    emu_forward<float>(p, pl);
    emu_backward<float>(p, pl, det);
    const ref::Forward f = ref::forward(cs.prob);
    const ref::Grads g = ref::backward(cs.prob, cs.dout, cs.dfinal);
    const double rt = 2e-4, at = 2e-5;
    expect_close("out", ctx, r.out.read(), f.out, rt, at);
    expect_close("final", ctx, r.final_state.read(), f.final, rt, at);
    expect_close("du", ctx, r.du.read(), g.du, rt, at);
    expect_close("ddelta", ctx, r.ddelta.read(), g.ddelta, rt, at);
    if (c.z) expect_close("dz", ctx, r.dz.read(), g.dz, rt, at);
    expect_close("dA", ctx, r.dA.read(), g.dA, rt, at);
    expect_close("dB", ctx, r.dB.read(), g.dB, rt, at);
    expect_close("dC", ctx, r.dC.read(), g.dC, rt, at);
    expect_close("dh0", ctx, r.dh0.read(), g.dh0, rt, at);
    if (c.Dskip) expect_close("dD", ctx, ref::Vec(r.dD.begin(), r.dD.end()), g.dD, rt, at);
    if (c.bias) expect_close("dbias", ctx, ref::Vec(r.dbias.begin(), r.dbias.end()), g.dbias, rt, at);
    for (harness::Tensor* t : {&r.out, &r.final_state, &r.du, &r.ddelta, &r.dz, &r.dA, &r.dB, &r.dC, &r.dh0})
        if (!t->storage.empty()) {
            EXPECT_TRUE(t->padding_untouched(harness::kOutSentinel)) << ctx << ": a stray write";
        }
}

TEST(CudaKernelsEmu, Fp32_with_every_option_and_atomics) {
    harness::Config c;
    c.B = 2, c.D = 22, c.L = 270, c.N = 5, c.G = 2;  // 11 channels per group: two blocks per group, one part empty
    c.z = c.Dskip = c.bias = c.softplus = c.h0 = c.dfinal = true;
    check_f32(c, false, 1 << 26);
}

TEST(CudaKernelsEmu, Fp32_strided_deterministic_in_segments) {
    harness::Config c;
    c.B = 1, c.D = 9, c.L = 200, c.N = 3, c.G = 1;
    c.chunk = 48;  // 5 chunks, the last partial
    c.z = c.softplus = c.dfinal = true;
    c.noncontig = true;
    check_f32(c, true, 1);  // a budget below one chunk: one chunk per segment, 5 launches
}

TEST(CudaKernelsEmu, Bf16_inputs_against_the_reference_on_the_rounded_values) {
    harness::Config c;
    c.B = 1, c.D = 5, c.L = 270, c.N = 4, c.G = 1;
    c.z = c.Dskip = c.bias = c.softplus = c.h0 = true;
    harness::Case cs(c);
    auto to_bf = [](double x) { return __float2bfloat16_rn((float)x); };
    auto round = [&](ref::Vec& v) { for (double& x : v) x = __bfloat162float(to_bf(x)); };
    for (ref::Vec* v : {&cs.prob.u, &cs.prob.delta, &cs.prob.z, &cs.prob.Bm, &cs.prob.Cm, &cs.dout}) round(*v);
    const int64_t B = c.B, D = c.D, L = c.L, N = c.N, G = c.G;
    auto bf = [&](const ref::Vec& v) {
        std::vector<__nv_bfloat16> o(v.size());
        for (size_t i = 0; i < v.size(); ++i) o[i] = to_bf(v[i]);
        return o;
    };
    auto f32 = [](const ref::Vec& v) { return std::vector<float>(v.begin(), v.end()); };
    auto u = bf(cs.prob.u), delta = bf(cs.prob.delta), z = bf(cs.prob.z), Bm = bf(cs.prob.Bm), Cm = bf(cs.prob.Cm);
    auto dout = bf(cs.dout);
    auto A = f32(cs.prob.A), Dsk = f32(cs.prob.Dskip), bias = f32(cs.prob.bias), h0 = f32(cs.prob.h0);
    std::vector<__nv_bfloat16> out(B * D * L), du(B * D * L), ddelta(B * D * L), dz(B * D * L);
    std::vector<float> fin(B * D * N), dA(D * N), dB(B * G * N * L), dC(B * G * N * L), dD(D), dbias(D), dh0(B * D * N);
    std::vector<float> states(B * D * ((L + 255) / 256) * N);
    gm_scan_params p{};
    p.struct_size = sizeof p;
    p.batch = B, p.dim = D, p.seqlen = L, p.dstate = N, p.n_groups = G, p.delta_softplus = 1;
    p.device = GM_DEVICE_CUDA, p.input_dtype = GM_DTYPE_BF16;
    auto F = [](auto& v) { return reinterpret_cast<float*>(v.data()); };
    p.u = F(u), p.delta = F(delta), p.z = F(z), p.Bmat = F(Bm), p.Cmat = F(Cm), p.dout = F(dout);
    p.out = F(out), p.du = F(du), p.ddelta = F(ddelta), p.dz = F(dz);
    p.A = A.data(), p.D_skip = Dsk.data(), p.delta_bias = bias.data(), p.h0 = h0.data(), p.final_state = fin.data();
    p.dA = dA.data(), p.dB = dB.data(), p.dC = dC.data(), p.dD = dD.data(), p.ddelta_bias = dbias.data();
    p.dh0 = dh0.data(), p.chunk_states = states.data();
    p.u_batch_stride = p.delta_batch_stride = p.z_batch_stride = p.out_batch_stride = p.dout_batch_stride = D * L;
    p.du_batch_stride = p.ddelta_batch_stride = p.dz_batch_stride = D * L;
    p.u_dim_stride = p.delta_dim_stride = p.z_dim_stride = p.out_dim_stride = p.dout_dim_stride = L;
    p.du_dim_stride = p.ddelta_dim_stride = p.dz_dim_stride = L;
    p.A_dim_stride = p.dA_dim_stride = N;
    p.B_batch_stride = p.C_batch_stride = p.dB_batch_stride = p.dC_batch_stride = G * N * L;
    p.B_group_stride = p.C_group_stride = p.dB_group_stride = p.dC_group_stride = N * L;
    p.B_state_stride = p.C_state_stride = p.dB_state_stride = p.dC_state_stride = L;
    p.h0_batch_stride = p.final_state_batch_stride = p.dh0_batch_stride = D * N;
    p.h0_dim_stride = p.final_state_dim_stride = p.dh0_dim_stride = N;
    const cu::Plan pl = cu::make_plan(B, D, L, N, G, cu::cuda_default_chunk(L), false, 1 << 26);
    std::printf("  bf16 %s\n", c.name().c_str());
    emu_forward<__nv_bfloat16>(p, pl);
    emu_backward<__nv_bfloat16>(p, pl, false);
    const ref::Forward f = ref::forward(cs.prob);
    const ref::Grads g = ref::backward(cs.prob, cs.dout, cs.dfinal);
    auto rd = [](const std::vector<__nv_bfloat16>& v) {
        ref::Vec o(v.size());
        for (size_t i = 0; i < v.size(); ++i) o[i] = __bfloat162float(v[i]);
        return o;
    };
    auto rf = [](const std::vector<float>& v) { return ref::Vec(v.begin(), v.end()); };
    const std::string ctx = "bf16";
    // bf16 outputs carry 8 bits: 2^-8 relative, plus fp32 arithmetic on top.
    const double rt = 8e-3, at = 1e-4;
    expect_close("out", ctx, rd(out), f.out, rt, at);
    expect_close("final", ctx, rf(fin), f.final, 2e-4, 2e-5);
    expect_close("du", ctx, rd(du), g.du, rt, at);
    expect_close("ddelta", ctx, rd(ddelta), g.ddelta, rt, at);
    expect_close("dz", ctx, rd(dz), g.dz, rt, at);
    expect_close("dA", ctx, rf(dA), g.dA, 2e-4, 2e-5);
    expect_close("dB", ctx, rf(dB), g.dB, 2e-4, 2e-5);
    expect_close("dC", ctx, rf(dC), g.dC, 2e-4, 2e-5);
    expect_close("dD", ctx, rf(dD), g.dD, 2e-4, 2e-5);
    expect_close("dbias", ctx, rf(dbias), g.dbias, 2e-4, 2e-5);
    expect_close("dh0", ctx, rf(dh0), g.dh0, 2e-4, 2e-5);
}

}  // namespace
