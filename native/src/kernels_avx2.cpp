// kernels_avx2.cpp — the scan kernels for avx2: compiled with -mavx2 -mfma (see CMakeLists.txt); used only when the CPU reports AVX2 and FMA.
// Everything compiled here lives in namespace gm::avx2, and the table below is constant-initialized, so no
// code from this object runs unless the dispatcher chose it.
#include <math.h>

#include <cstdint>
#include <cstring>
#include <immintrin.h>

#include "scan.h"

namespace gm {
namespace avx2 {
#include "simd/avx2.h"
#include "kernels.inl"
}  // namespace avx2

extern const KernelTable kKernelsAvx2 = {"avx2", 1, avx2::scratch_floats, avx2::fwd_item, avx2::bwd_item_chunk, avx2::step_range,
                                          avx2::exp_array, avx2::exp2_array, avx2::reduce_lanes};
}  // namespace gm
