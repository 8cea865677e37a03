// kernels_scalar.cpp — the scan kernels for scalar: the portable fallback: no flags beyond the x86-64 baseline; expf/logf from libm.
// Everything compiled here lives in namespace gm::scalar, and the table below is constant-initialized, so no
// code from this object runs unless the dispatcher chose it.
#include <math.h>

#include <cstdint>
#include <cstring>


#include "scan.h"

namespace gm {
namespace scalar {
#include "simd/scalar.h"
#include "kernels.inl"
}  // namespace scalar

extern const KernelTable kKernelsScalar = {"scalar", 0, scalar::scratch_floats, scalar::fwd_item, scalar::bwd_item_chunk, scalar::step_range,
                                          scalar::exp_array, scalar::exp2_array, scalar::reduce_lanes};
}  // namespace gm
