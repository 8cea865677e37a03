// kernels_avx512.cpp — the scan kernels for avx512: compiled with -mavx512f -mavx2 -mfma; used only when the CPU reports AVX-512F.
// Everything compiled here lives in namespace gm::avx512, and the table below is constant-initialized, so no
// code from this object runs unless the dispatcher chose it.
#include <math.h>

#include <cstdint>
#include <cstring>
#include <immintrin.h>

#include "scan.h"

namespace gm {
namespace avx512 {
#include "simd/avx512.h"
#include "kernels.inl"
}  // namespace avx512

extern const KernelTable kKernelsAvx512 = {"avx512", 2, avx512::scratch_floats, avx512::fwd_item, avx512::bwd_item_chunk, avx512::step_range,
                                          avx512::exp_array, avx512::exp2_array, avx512::reduce_lanes};
}  // namespace gm
