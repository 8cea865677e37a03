// test_dist.cpp — gm_dist_*. Under ctest each test is its own process and MPI starts as a singleton (world size 1):
// every collective is the identity. Under `mpirun -np N genomamba_tests --gtest_filter='Dist.*'` (Genomics.Mamba.Tests'
// DistributedNativeTests runs it with N = 2) the sums are checked against the rank-order sum computed locally: bit for
// bit in the deterministic mode, within the fp32 bound of a reordered sum otherwise.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "genomamba.h"

namespace {

struct DistEnvironment : ::testing::Environment {
    void TearDown() override { gm_dist_finalize(); }   // MPI wants every started process to finalize before it exits
};
const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new DistEnvironment);

// Rank r's i-th value: magnitudes spread over 2^±11 and mixed signs, so that fp32 sums depend on their order.
float Value(int rank, int i) {
    return std::ldexp(1.0f + 0.37f * static_cast<float>(i % 101), (rank * 7 + i) % 23 - 11) * (i % 3 == 0 ? -1.0f : 1.0f);
}

// Starts MPI; false (the test skipped, saying why) where this machine has no MPI runtime.
bool Start(int32_t& rank, int32_t& size) {
    gm_status s = gm_dist_init(&rank, &size);
    if (s == GM_ERR_UNSUPPORTED) {
        std::string why = gm_last_error();
        if (why.find("cannot load MPI") != std::string::npos) return false;
    }
    EXPECT_EQ(s, GM_OK) << gm_last_error();
    return s == GM_OK;
}

}  // namespace

// First in the file: under mpirun every Dist test shares one process, and this one must run before MPI starts.
TEST(Dist, MissingMpiIsOneLineSayingWhatToInstall) {
    setenv("GENOMAMBA_MPI_LIBRARY", "/nonexistent/libmpi.so.40", 1);
    int32_t rank = -1, size = -1;
    gm_status s = gm_dist_init(&rank, &size);
    unsetenv("GENOMAMBA_MPI_LIBRARY");
    ASSERT_EQ(s, GM_ERR_UNSUPPORTED);
    std::string message = gm_last_error();
    EXPECT_NE(message.find("gm_dist_init: cannot load MPI (/nonexistent/libmpi.so.40"), std::string::npos) << message;
    EXPECT_NE(message.find("apt-get install openmpi-bin"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(Dist, CollectivesBeforeInitAreRefused) {
    // Only meaningful while MPI has not started in this process (ctest: always).
    if (std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr) GTEST_SKIP() << "under mpirun the process may have started MPI already";
    float x = 1;
    EXPECT_EQ(gm_dist_allreduce_sum_f32(&x, 1, 1), GM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(gm_last_error()).find("call gm_dist_init first"), std::string::npos) << gm_last_error();
}

TEST(Dist, AllreduceSumsEveryRanksBufferInRankOrder) {
    int32_t rank = 0, size = 0;
    if (!Start(rank, size)) GTEST_SKIP() << gm_last_error();
    ASSERT_GE(size, 1);
    ASSERT_LT(rank, size);
    const int n = 4099;
    std::vector<float> expected(n), bound(n);
    for (int i = 0; i < n; i++) {
        expected[i] = Value(0, i);
        float abs_sum = std::fabs(Value(0, i));
        for (int r = 1; r < size; r++) {
            expected[i] += Value(r, i);
            abs_sum += std::fabs(Value(r, i));
        }
        bound[i] = static_cast<float>(size) * 6e-8f * abs_sum;   // a reordered sum of `size` fp32 terms
    }
    std::vector<float> mine(n);
    for (int i = 0; i < n; i++) mine[i] = Value(rank, i);

    std::vector<float> deterministic = mine;
    ASSERT_EQ(gm_dist_allreduce_sum_f32(deterministic.data(), n, 1), GM_OK) << gm_last_error();
    EXPECT_EQ(std::memcmp(deterministic.data(), expected.data(), sizeof(float) * n), 0)
        << "the deterministic sum is not the rank-order sum, bit for bit (world size " << size << ")";

    std::vector<float> fast = mine;
    ASSERT_EQ(gm_dist_allreduce_sum_f32(fast.data(), n, 0), GM_OK) << gm_last_error();
    for (int i = 0; i < n; i++) ASSERT_LE(std::fabs(fast[i] - expected[i]), bound[i]) << "element " << i;

    ASSERT_EQ(gm_dist_barrier(), GM_OK) << gm_last_error();
}

TEST(Dist, BroadcastGivesEveryRankTheRootsBytes) {
    int32_t rank = 0, size = 0;
    if (!Start(rank, size)) GTEST_SKIP() << gm_last_error();
    const int32_t root = size - 1;
    std::vector<unsigned char> data(10007);
    for (size_t i = 0; i < data.size(); i++) data[i] = static_cast<unsigned char>((i * 31 + static_cast<size_t>(rank) * 17) & 0xFF);
    ASSERT_EQ(gm_dist_broadcast(data.data(), static_cast<int64_t>(data.size()), root), GM_OK) << gm_last_error();
    for (size_t i = 0; i < data.size(); i++) {
        ASSERT_EQ(data[i], static_cast<unsigned char>((i * 31 + static_cast<size_t>(root) * 17) & 0xFF)) << "byte " << i;
    }
}

TEST(Dist, BadArgumentsNameTheirField) {
    int32_t rank = 0, size = 0;
    if (!Start(rank, size)) GTEST_SKIP() << gm_last_error();
    float x = 0;
    EXPECT_EQ(gm_dist_allreduce_sum_f32(&x, -1, 0), GM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(gm_last_error()).find("count"), std::string::npos) << gm_last_error();
    EXPECT_EQ(gm_dist_broadcast(&x, 4, size), GM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(gm_last_error()).find("root"), std::string::npos) << gm_last_error();
    EXPECT_EQ(gm_dist_init(nullptr, &size), GM_ERR_INVALID_ARGUMENT);
}
