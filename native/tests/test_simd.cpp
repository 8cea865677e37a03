// test_simd.cpp — the vector building blocks of each instruction set: exp accuracy (including the ends of
// the range) and the 16-vector lane reduction used for dB/dC.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "scan.h"

namespace {

std::vector<const gm::KernelTable*> tables() {
    std::vector<const gm::KernelTable*> v;
    for (gm::Isa i : {gm::Isa::Scalar, gm::Isa::Avx2, gm::Isa::Avx512})
        if (const gm::KernelTable* k = gm::kernels_for(i)) v.push_back(k);
    return v;
}

TEST(Simd, Exp_is_accurate_to_about_1e7_relative) {
    std::vector<float> x;
    for (double v = -87.0; v <= 88.7; v += 0.00731) x.push_back((float)v);
    for (float v : {0.0f, -0.0f, 1e-8f, -1e-8f, 0.3465736f, -0.3465736f}) x.push_back(v);
    std::vector<float> y(x.size());
    for (const gm::KernelTable* k : tables()) {
        k->exp_array(x.data(), y.data(), (int64_t)x.size());
        double worst = 0, at = 0;
        for (size_t i = 0; i < x.size(); ++i) {
            const double want = std::exp((double)x[i]);
            const double rel = std::fabs(y[i] - want) / want;
            if (rel > worst) worst = rel, at = x[i];
        }
        std::printf("  %-7s exp max relative error %.3g at x = %.5g\n", k->name, worst, at);
        EXPECT_LT(worst, 2.5e-7) << k->name;
    }
}

TEST(Simd, Exp2_of_the_hot_loop_is_accurate_to_about_1e7_relative) {
    std::vector<float> x;
    for (double v = -126.0; v <= 127.9; v += 0.00917) x.push_back((float)v);
    std::vector<float> y(x.size());
    for (const gm::KernelTable* k : tables()) {
        k->exp2_array(x.data(), y.data(), (int64_t)x.size());
        double worst = 0, at = 0;
        for (size_t i = 0; i < x.size(); ++i) {
            const double want = std::exp2((double)x[i]);
            const double rel = std::fabs(y[i] - want) / want;
            if (rel > worst) worst = rel, at = x[i];
        }
        std::printf("  %-7s exp2 max relative error %.3g at x = %.5g\n", k->name, worst, at);
        EXPECT_LT(worst, 2.5e-7) << k->name;
        std::vector<float> ends = {-1e30f, -200.0f, -151.0f, 128.5f, 1e30f, std::numeric_limits<float>::quiet_NaN()};
        std::vector<float> e(ends.size());
        k->exp2_array(ends.data(), e.data(), (int64_t)ends.size());
        for (int i = 0; i < 3; ++i) EXPECT_EQ(e[i], 0.0f) << k->name << " 2^" << ends[i];
        for (int i = 3; i < 5; ++i) EXPECT_EQ(e[i], std::numeric_limits<float>::infinity()) << k->name << " 2^" << ends[i];
        EXPECT_TRUE(std::isnan(e[5])) << k->name;
    }
}

TEST(Simd, Exp_handles_the_ends_of_the_range) {
    const float inf = std::numeric_limits<float>::infinity();
    std::vector<float> x = {-1e30f, -1000.0f, -200.0f, -104.0f, 89.0f, 100.0f, 1e30f, inf, -inf,
                            std::numeric_limits<float>::quiet_NaN()};
    std::vector<float> y(x.size());
    for (const gm::KernelTable* k : tables()) {
        k->exp_array(x.data(), y.data(), (int64_t)x.size());
        for (int i = 0; i < 4; ++i) EXPECT_LE(y[i], 1e-37f) << k->name << " exp(" << x[i] << ")";
        for (int i = 0; i < 4; ++i) EXPECT_GE(y[i], 0.0f) << k->name << " exp(" << x[i] << ")";
        for (int i = 4; i < 8; ++i) EXPECT_EQ(y[i], inf) << k->name << " exp(" << x[i] << ")";
        EXPECT_LE(y[8], 1e-37f) << k->name << " exp(-inf)";
        EXPECT_TRUE(std::isnan(y[9])) << k->name << " exp(NaN)";
    }
}

TEST(Simd, Lane_reduction_sums_each_of_16_vectors) {
    std::vector<float> v(256);
    for (int i = 0; i < 256; ++i) v[i] = (float)((i * 37) % 101) - 50.0f + 0.25f * (i % 7);
    for (const gm::KernelTable* k : tables()) {
        float out[16];
        k->reduce_lanes(v.data(), out);
        for (int i = 0; i < 16; ++i) {
            double s = 0;
            for (int l = 0; l < 16; ++l) s += v[16 * i + l];
            EXPECT_FLOAT_EQ(out[i], (float)s) << k->name << " vector " << i;
        }
    }
}

}  // namespace
