// scan_cuda.h — what the ABI layer (api.cpp) calls on the CUDA side. Plain C++: api.cpp is not compiled by
// nvcc. Parameters arrive validated (sizes, strides, required pointers); these functions check what only
// CUDA can tell (the device, that the pointers are device memory) and report failures as a status plus a
// message instead of throwing, so nothing CUDA-specific crosses into the C++ side.
#ifndef GM_SCAN_CUDA_H
#define GM_SCAN_CUDA_H

#include <string>

#include "scan.h"

namespace gm {
namespace cuda {

int device_count();
gm_status forward(const Problem& P, std::string& message);
gm_status backward(const Problem& P, std::string& message);

// Test and benchmark hook: the deterministic path's bound on its dB/dC partials (floats).
extern int64_t g_part_budget_floats;

}  // namespace cuda
}  // namespace gm

#endif  // GM_SCAN_CUDA_H
