// dist.h — collectives across processes for data-parallel training (gm_dist_* in genomamba.h). MPI is reached at run
// time (dlopen), so the library neither needs MPI to build nor to load; see dist.cpp.
#pragma once
#include <cstdint>
#include <string>

#include "genomamba.h"

namespace gm::dist {

// A failed collective: the status to return and the message for gm_last_error().
struct Error {
    gm_status status;
    std::string message;
};

void init(int32_t* rank, int32_t* world_size);
void allreduce_sum_f32(float* data, int64_t count, bool deterministic);
void allreduce_sum_f64(double* data, int64_t count, bool deterministic);
void broadcast(void* data, int64_t bytes, int32_t root);
void barrier();
void finalize();
[[noreturn]] void abort_all(int32_t code);

}  // namespace gm::dist
