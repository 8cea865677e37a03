// test_api.cpp — the ABI surface: sizes and versions, and bad parameters answered with a status and a
// message that names the field (never a crash, never an exception across the boundary).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <thread>

#include "harness.h"

using harness::Case;
using harness::Config;
using harness::Result;

namespace {

struct Fixture {
    Case c;
    Result r;
    gm_scan_params p;
    Fixture() : c(make_config()) { p = harness::params_for(c, r); }
    static Config make_config() {
        Config cfg;
        cfg.B = 2, cfg.D = 32, cfg.L = 40, cfg.N = 16, cfg.G = 2;
        cfg.z = cfg.Dskip = cfg.bias = cfg.softplus = true;
        return cfg;
    }
};

void expect_error(gm_status got, gm_status want, const std::string& must_mention) {
    EXPECT_EQ(got, want);
    const std::string msg = gm_last_error();
    EXPECT_NE(msg.find(must_mention), std::string::npos) << "message: " << msg;
}

TEST(Abi, Sizes_and_versions_are_reported) {
    EXPECT_EQ(gm_abi_version(), GM_ABI_VERSION);
    EXPECT_EQ(gm_scan_params_size(), (int64_t)sizeof(gm_scan_params));
    EXPECT_EQ(gm_step_params_size(), (int64_t)sizeof(gm_step_params));
    EXPECT_NE(std::string(gm_version_string()).find("genomamba"), std::string::npos);
    const int32_t f = gm_features();
    EXPECT_EQ(f & ~(3 | 256), 0) << "at most one SIMD bit, and bit 8 for CUDA";
    std::printf("  gm_features() = %d (%s%s)\n", f, f & 2 ? "AVX-512F" : f & 1 ? "AVX2+FMA" : "scalar",
                f & 256 ? ", CUDA" : "");
    if (!(f & 256)) {
        EXPECT_EQ(gm_cuda_device_count(), 0) << "a build without CUDA sees no device";
    }
    EXPECT_GE(gm_cuda_device_count(), 0);
}

TEST(Abi, Chunk_size_and_chunk_states_follow_the_sizes) {
    Fixture f;
    f.p.chunk_size = 0;
    const int64_t c = gm_scan_chunk_size(&f.p);
    EXPECT_GE(c, 1);
    EXPECT_LE(c, f.p.seqlen);
    f.p.chunk_size = 7;
    EXPECT_EQ(gm_scan_chunk_size(&f.p), 7);
    EXPECT_EQ(gm_scan_chunk_states(&f.p), 2 * 32 * ((40 + 6) / 7) * 16);
    f.p.chunk_size = 1000;  // larger than L: one chunk
    EXPECT_EQ(gm_scan_chunk_size(&f.p), 40);
    EXPECT_EQ(gm_scan_chunk_states(&f.p), 2 * 32 * 16);
    f.p.dstate = 300;
    EXPECT_EQ(gm_scan_chunk_states(&f.p), -1);
    EXPECT_NE(std::string(gm_last_error()).find("dstate"), std::string::npos);
}

TEST(Abi, A_valid_call_leaves_no_error) {
    Fixture f;
    EXPECT_EQ(gm_selective_scan_fwd(nullptr), GM_ERR_INVALID_ARGUMENT);
    EXPECT_STRNE(gm_last_error(), "");
    EXPECT_EQ(gm_selective_scan_fwd(&f.p), GM_OK);
    EXPECT_STREQ(gm_last_error(), "");
    EXPECT_EQ(gm_selective_scan_bwd(&f.p), GM_OK);
}

TEST(Abi, Last_error_is_per_thread) {
    EXPECT_EQ(gm_selective_scan_bwd(nullptr), GM_ERR_INVALID_ARGUMENT);
    std::string other = "unset";
    std::thread([&] { other = gm_last_error(); }).join();
    EXPECT_EQ(other, "");
    EXPECT_STRNE(gm_last_error(), "");
}

TEST(Validation, Device_dtype_and_flags_are_checked) {
    Fixture f;
    f.p.device = 7;
    expect_error(gm_selective_scan_fwd(&f.p), GM_ERR_INVALID_ARGUMENT, "device = 7");
    f.p.device = GM_DEVICE_CPU;
    f.p.input_dtype = GM_DTYPE_BF16;
    expect_error(gm_selective_scan_fwd(&f.p), GM_ERR_UNSUPPORTED, "CUDA only");
    f.p.input_dtype = 5;
    expect_error(gm_selective_scan_bwd(&f.p), GM_ERR_INVALID_ARGUMENT, "input_dtype = 5");
    f.p.input_dtype = GM_DTYPE_F32;
    f.p.flags = 2;
    expect_error(gm_selective_scan_fwd(&f.p), GM_ERR_INVALID_ARGUMENT, "GM_FLAG_DETERMINISTIC");
    f.p.flags = GM_FLAG_DETERMINISTIC;  // meaningful on CUDA only; accepted (and moot) on the CPU
    EXPECT_EQ(gm_selective_scan_fwd(&f.p), GM_OK);
}

TEST(Validation, Cuda_call_without_cuda_says_how_to_get_it) {
    if (gm_features() & 256) GTEST_SKIP() << "this build has CUDA";
    Fixture f;
    f.p.device = GM_DEVICE_CUDA;
    expect_error(gm_selective_scan_fwd(&f.p), GM_ERR_UNSUPPORTED, "built without CUDA");
    expect_error(gm_selective_scan_bwd(&f.p), GM_ERR_UNSUPPORTED, "GM_CUDA=ON");
    EXPECT_EQ(gm_scan_chunk_states(&f.p), -1);
}

TEST(Validation, Cuda_call_without_a_device_is_a_clear_error) {
    if (!(gm_features() & 256) || gm_cuda_device_count() > 0) GTEST_SKIP() << "needs a CUDA build on a machine without a GPU";
    Fixture f;
    f.p.device = GM_DEVICE_CUDA;
    expect_error(gm_selective_scan_fwd(&f.p), GM_ERR_UNSUPPORTED, "no CUDA device");
    expect_error(gm_selective_scan_bwd(&f.p), GM_ERR_UNSUPPORTED, "no CUDA device");
    f.p.chunk_size = GM_CUDA_MAX_CHUNK + 1;
    expect_error(gm_selective_scan_fwd(&f.p), GM_ERR_UNSUPPORTED, "chunk_size");
}

TEST(Validation, Null_params_is_rejected) {
    expect_error(gm_selective_scan_fwd(nullptr), GM_ERR_INVALID_ARGUMENT, "gm_selective_scan_fwd: params is NULL");
    expect_error(gm_selective_scan_step(nullptr), GM_ERR_INVALID_ARGUMENT, "params is NULL");
}

TEST(Validation, Struct_size_mismatch_is_rejected) {
    Fixture f;
    f.p.struct_size = sizeof(gm_scan_params) - 8;
    expect_error(gm_selective_scan_fwd(&f.p), GM_ERR_INVALID_ARGUMENT, "struct_size");
    expect_error(gm_selective_scan_bwd(&f.p), GM_ERR_INVALID_ARGUMENT, "struct_size");
}

TEST(Validation, Negative_and_zero_sizes_are_rejected) {
    for (auto field : {&gm_scan_params::batch, &gm_scan_params::dim, &gm_scan_params::seqlen,
                       &gm_scan_params::dstate, &gm_scan_params::n_groups}) {
        Fixture f;
        f.p.*field = -3;
        EXPECT_EQ(gm_selective_scan_fwd(&f.p), GM_ERR_INVALID_ARGUMENT);
        EXPECT_NE(std::string(gm_last_error()).find("-3"), std::string::npos) << gm_last_error();
    }
    Fixture f;
    f.p.seqlen = 0;
    expect_error(gm_selective_scan_fwd(&f.p), GM_ERR_INVALID_ARGUMENT, "seqlen (L) = 0");
    f = Fixture();
    f.p.chunk_size = -1;
    expect_error(gm_selective_scan_fwd(&f.p), GM_ERR_INVALID_ARGUMENT, "chunk_size");
}

TEST(Validation, State_size_over_256_is_unsupported) {
    Fixture f;
    f.p.dstate = 257;
    expect_error(gm_selective_scan_fwd(&f.p), GM_ERR_UNSUPPORTED, "1..256");
    EXPECT_NE(std::string(gm_last_error()).find("dstate (N) = 257"), std::string::npos);
}

TEST(Validation, Groups_must_divide_the_channels) {
    Fixture f;
    f.p.n_groups = 3;
    expect_error(gm_selective_scan_fwd(&f.p), GM_ERR_INVALID_ARGUMENT, "dim (D) = 32 is not a multiple of n_groups (G) = 3");
}

TEST(Validation, Missing_required_pointers_are_named) {
    struct Missing {
        const float* gm_scan_params::*in;
        float* gm_scan_params::*out;
        const char* name;
        bool backward;
    };
    const Missing cases[] = {
        {&gm_scan_params::u, nullptr, "u is NULL", false},
        {&gm_scan_params::delta, nullptr, "delta is NULL", false},
        {&gm_scan_params::A, nullptr, "A is NULL", false},
        {&gm_scan_params::Bmat, nullptr, "Bmat is NULL", false},
        {&gm_scan_params::Cmat, nullptr, "Cmat is NULL", false},
        {nullptr, &gm_scan_params::out, "out is NULL", false},
        {nullptr, &gm_scan_params::chunk_states, "chunk_states is NULL", false},
        {&gm_scan_params::dout, nullptr, "dout is NULL", true},
        {nullptr, &gm_scan_params::du, "du is NULL", true},
        {nullptr, &gm_scan_params::ddelta, "ddelta is NULL", true},
        {nullptr, &gm_scan_params::dA, "dA is NULL", true},
        {nullptr, &gm_scan_params::dB, "dB is NULL", true},
        {nullptr, &gm_scan_params::dC, "dC is NULL", true},
        {nullptr, &gm_scan_params::dD, "dD is NULL; it is required when D_skip is given", true},
        {nullptr, &gm_scan_params::ddelta_bias, "ddelta_bias is NULL; it is required when delta_bias is given", true},
        {nullptr, &gm_scan_params::dz, "dz is NULL; it is required when z is given", true},
    };
    for (const Missing& m : cases) {
        Fixture f;
        if (m.in) f.p.*m.in = nullptr;
        if (m.out) f.p.*m.out = nullptr;
        gm_status s = m.backward ? gm_selective_scan_bwd(&f.p) : gm_selective_scan_fwd(&f.p);
        expect_error(s, GM_ERR_INVALID_ARGUMENT, m.name);
    }
}

TEST(Validation, Negative_and_overlapping_strides_are_rejected) {
    Fixture f;
    f.p.u_dim_stride = -40;
    expect_error(gm_selective_scan_fwd(&f.p), GM_ERR_INVALID_ARGUMENT, "u_dim_stride = -40 is negative");
    f = Fixture();
    f.p.out_dim_stride = 10;
    expect_error(gm_selective_scan_fwd(&f.p), GM_ERR_INVALID_ARGUMENT, "out_dim_stride = 10 is too small");
    f = Fixture();
    f.p.dB_state_stride = 39;
    expect_error(gm_selective_scan_bwd(&f.p), GM_ERR_INVALID_ARGUMENT, "dB_state_stride = 39");
}

TEST(Validation, Size_one_dimensions_accept_any_stride) {
    // PyTorch reports arbitrary strides for size-1 dimensions.
    Config cfg;
    cfg.B = 1, cfg.D = 16, cfg.L = 33, cfg.N = 4;
    Case c(cfg);
    Result r;
    gm_scan_params p = harness::params_for(c, r);
    p.u_batch_stride = -7;
    p.out_batch_stride = 1;
    EXPECT_EQ(gm_selective_scan_fwd(&p), GM_OK) << gm_last_error();
}

TEST(Validation, Step_rejects_bad_sizes_with_named_fields) {
    gm_step_params s;
    std::memset(&s, 0, sizeof s);
    s.struct_size = sizeof s;
    s.batch = 1, s.dim = 4, s.dstate = 512, s.n_groups = 1;
    expect_error(gm_selective_scan_step(&s), GM_ERR_UNSUPPORTED, "dstate (N) = 512");
    s.dstate = 4;
    expect_error(gm_selective_scan_step(&s), GM_ERR_INVALID_ARGUMENT, "u is NULL");
    s.struct_size = 8;
    expect_error(gm_selective_scan_step(&s), GM_ERR_INVALID_ARGUMENT, "struct_size = 8");
}

}  // namespace
