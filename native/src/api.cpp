// api.cpp — every exported gm_ function: validation, the thread-local last error, and the exception
// boundary. Messages name the function, the field, its value and what is supported, like a compiler error:
//   gm_selective_scan_fwd: dstate (N) = 300 is not supported; this build supports 1..256
#include <cstdarg>
#include <cstdio>
#include <exception>
#include <new>
#include <string>

#include "genomamba.h"
#include "dist.h"
#include "scan.h"
#if GM_HAVE_CUDA
#include "cuda/scan_cuda.h"
#endif

#ifndef GM_VERSION
#define GM_VERSION "0.0.0"
#endif

namespace gm {
namespace {

thread_local std::string t_last_error;

// A failed check: the status to return and the message for gm_last_error().
struct Failure {
    gm_status status;
    std::string message;
};

[[noreturn]] __attribute__((format(printf, 3, 4))) void fail(gm_status status, const char* fn, const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    throw Failure{status, std::string(fn) + ": " + buf};
}

// Runs body; turns every exception into a status and a message. Nothing crosses the C boundary.
template <class F>
gm_status guarded(const char* fn, F&& body) {
    t_last_error.clear();
    try {
        body();
        return GM_OK;
    } catch (const Failure& f) {
        t_last_error = f.message;
        return f.status;
    } catch (const dist::Error& e) {
        t_last_error = e.message;
        return e.status;
    } catch (const std::bad_alloc&) {
        t_last_error = std::string(fn) + ": out of memory for the scan's scratch buffers";
        return GM_ERR_OUT_OF_MEMORY;
    } catch (const std::exception& e) {
        t_last_error = std::string(fn) + ": internal error: " + e.what();
        return GM_ERR_INTERNAL;
    } catch (...) {
        t_last_error = std::string(fn) + ": internal error (unknown exception)";
        return GM_ERR_INTERNAL;
    }
}

#define GM_REQUIRE_PTR(fn, p, field, why)                                                                    \
    do {                                                                                                    \
        if (!(p)->field) fail(GM_ERR_INVALID_ARGUMENT, fn, "%s is NULL; it is required%s", #field, why);   \
    } while (0)

void check_stride(const char* fn, const char* name, int64_t stride, int64_t size) {
    if (size > 1 && stride < 0)
        fail(GM_ERR_INVALID_ARGUMENT, fn, "%s = %lld is negative; strides must be >= 0", name, (long long)stride);
}

// Output rows of length len along a dimension of the given size must not overlap.
void check_out_stride(const char* fn, const char* name, int64_t stride, int64_t size, int64_t len,
                      const char* len_name) {
    check_stride(fn, name, stride, size);
    if (size > 1 && stride < len)
        fail(GM_ERR_INVALID_ARGUMENT, fn,
             "%s = %lld is too small: output rows of %s = %lld would overlap (need >= %lld, or a size of 1)", name,
             (long long)stride, len_name, (long long)len, (long long)len);
}

// Where the call runs and in what precision: the CPU takes fp32 only; CUDA needs a build with CUDA.
void check_device(const char* fn, const gm_scan_params* p) {
    if (p->device != GM_DEVICE_CPU && p->device != GM_DEVICE_CUDA)
        fail(GM_ERR_INVALID_ARGUMENT, fn, "device = %d; use GM_DEVICE_CPU (0) or GM_DEVICE_CUDA (1)", p->device);
    if (p->input_dtype != GM_DTYPE_F32 && p->input_dtype != GM_DTYPE_BF16)
        fail(GM_ERR_INVALID_ARGUMENT, fn, "input_dtype = %d; use GM_DTYPE_F32 (0) or GM_DTYPE_BF16 (1)", p->input_dtype);
    if (p->flags & ~GM_FLAG_DETERMINISTIC)
        fail(GM_ERR_INVALID_ARGUMENT, fn, "flags = %d has unknown bits; the only flag is GM_FLAG_DETERMINISTIC (1)",
             p->flags);
    if (p->device == GM_DEVICE_CPU) {
        if (p->input_dtype != GM_DTYPE_F32)
            fail(GM_ERR_UNSUPPORTED, fn, "input_dtype = GM_DTYPE_BF16 is supported on CUDA only; the CPU scan takes fp32");
        return;
    }
#if !GM_HAVE_CUDA
    fail(GM_ERR_UNSUPPORTED, fn,
         "device = GM_DEVICE_CUDA but this libgenomamba was built without CUDA (gm_features() bit 8 is clear): "
         "rebuild native/ with nvcc installed (cmake -DGM_CUDA=ON, or dotnet build -p:GenomambaCuda=true)");
#else
    if (p->device_index < 0)
        fail(GM_ERR_INVALID_ARGUMENT, fn, "device_index = %d; it must be >= 0", p->device_index);
    if (p->chunk_size > GM_CUDA_MAX_CHUNK)
        fail(GM_ERR_UNSUPPORTED, fn, "chunk_size = %lld; the CUDA scan supports chunks of 1..%d (0 = default)",
             (long long)p->chunk_size, GM_CUDA_MAX_CHUNK);
#endif
}

void check_sizes(const char* fn, const gm_scan_params* p) {
    if (!p) fail(GM_ERR_INVALID_ARGUMENT, fn, "params is NULL");
    if (p->struct_size != (int64_t)sizeof(gm_scan_params))
        fail(GM_ERR_INVALID_ARGUMENT, fn,
             "struct_size = %lld but this library's gm_scan_params has %lld bytes (ABI version %d): the binding "
             "and genomamba.h disagree",
             (long long)p->struct_size, (long long)sizeof(gm_scan_params), GM_ABI_VERSION);
    if (p->batch < 1) fail(GM_ERR_INVALID_ARGUMENT, fn, "batch (B) = %lld; it must be >= 1", (long long)p->batch);
    if (p->dim < 1) fail(GM_ERR_INVALID_ARGUMENT, fn, "dim (D) = %lld; it must be >= 1", (long long)p->dim);
    if (p->seqlen < 1) fail(GM_ERR_INVALID_ARGUMENT, fn, "seqlen (L) = %lld; it must be >= 1", (long long)p->seqlen);
    if (p->dstate < 1) fail(GM_ERR_INVALID_ARGUMENT, fn, "dstate (N) = %lld; it must be in 1..%lld", (long long)p->dstate, (long long)kMaxState);
    if (p->dstate > kMaxState)
        fail(GM_ERR_UNSUPPORTED, fn, "dstate (N) = %lld is not supported; this build supports 1..%lld",
             (long long)p->dstate, (long long)kMaxState);
    if (p->n_groups < 1) fail(GM_ERR_INVALID_ARGUMENT, fn, "n_groups (G) = %lld; it must be >= 1", (long long)p->n_groups);
    if (p->dim % p->n_groups != 0)
        fail(GM_ERR_INVALID_ARGUMENT, fn, "dim (D) = %lld is not a multiple of n_groups (G) = %lld", (long long)p->dim,
             (long long)p->n_groups);
    if (p->chunk_size < 0)
        fail(GM_ERR_INVALID_ARGUMENT, fn, "chunk_size = %lld is negative; use 0 for the library default or a size >= 1",
             (long long)p->chunk_size);
    check_device(fn, p);
    int64_t bd, bdl, bdn;
    if (__builtin_mul_overflow(p->batch, p->dim, &bd) || __builtin_mul_overflow(bd, p->seqlen, &bdl) ||
        __builtin_mul_overflow(bd, p->dstate, &bdn) || __builtin_mul_overflow(bdl, p->dstate, &bdn))
        fail(GM_ERR_INVALID_ARGUMENT, fn, "batch x dim x seqlen x dstate = %lld x %lld x %lld x %lld overflows 64 bits",
             (long long)p->batch, (long long)p->dim, (long long)p->seqlen, (long long)p->dstate);
}

// Strides and pointers of the forward inputs, shared by forward and backward.
void check_inputs(const char* fn, const gm_scan_params* p) {
    const int64_t B = p->batch, D = p->dim, G = p->n_groups, N = p->dstate;
    GM_REQUIRE_PTR(fn, p, u, "");
    GM_REQUIRE_PTR(fn, p, delta, "");
    GM_REQUIRE_PTR(fn, p, A, "");
    GM_REQUIRE_PTR(fn, p, Bmat, "");
    GM_REQUIRE_PTR(fn, p, Cmat, "");
    GM_REQUIRE_PTR(fn, p, chunk_states, " (the forward writes the chunk states, the backward reads them)");
    check_stride(fn, "u_batch_stride", p->u_batch_stride, B);
    check_stride(fn, "u_dim_stride", p->u_dim_stride, D);
    check_stride(fn, "delta_batch_stride", p->delta_batch_stride, B);
    check_stride(fn, "delta_dim_stride", p->delta_dim_stride, D);
    check_stride(fn, "A_dim_stride", p->A_dim_stride, D);
    check_stride(fn, "B_batch_stride", p->B_batch_stride, B);
    check_stride(fn, "B_group_stride", p->B_group_stride, G);
    check_stride(fn, "B_state_stride", p->B_state_stride, N);
    check_stride(fn, "C_batch_stride", p->C_batch_stride, B);
    check_stride(fn, "C_group_stride", p->C_group_stride, G);
    check_stride(fn, "C_state_stride", p->C_state_stride, N);
    if (p->z) {
        check_stride(fn, "z_batch_stride", p->z_batch_stride, B);
        check_stride(fn, "z_dim_stride", p->z_dim_stride, D);
    }
}

void check_forward(const char* fn, const gm_scan_params* p) {
    check_sizes(fn, p);
    check_inputs(fn, p);
    const int64_t B = p->batch, D = p->dim, L = p->seqlen, N = p->dstate;
    GM_REQUIRE_PTR(fn, p, out, "");
    if (p->h0) {
        check_stride(fn, "h0_batch_stride", p->h0_batch_stride, B);
        check_stride(fn, "h0_dim_stride", p->h0_dim_stride, D);
    }
    check_out_stride(fn, "out_dim_stride", p->out_dim_stride, D, L, "seqlen (L)");
    check_out_stride(fn, "out_batch_stride", p->out_batch_stride, B, L, "seqlen (L)");
    if (p->final_state) {
        check_out_stride(fn, "final_state_dim_stride", p->final_state_dim_stride, D, N, "dstate (N)");
        check_out_stride(fn, "final_state_batch_stride", p->final_state_batch_stride, B, N, "dstate (N)");
    }
}

void check_backward(const char* fn, const gm_scan_params* p) {
    check_sizes(fn, p);
    check_inputs(fn, p);
    const int64_t B = p->batch, D = p->dim, L = p->seqlen, N = p->dstate, G = p->n_groups;
    GM_REQUIRE_PTR(fn, p, dout, "");
    GM_REQUIRE_PTR(fn, p, du, "");
    GM_REQUIRE_PTR(fn, p, ddelta, "");
    GM_REQUIRE_PTR(fn, p, dA, "");
    GM_REQUIRE_PTR(fn, p, dB, "");
    GM_REQUIRE_PTR(fn, p, dC, "");
    if (p->D_skip) GM_REQUIRE_PTR(fn, p, dD, " when D_skip is given");
    if (p->delta_bias) GM_REQUIRE_PTR(fn, p, ddelta_bias, " when delta_bias is given");
    if (p->z) GM_REQUIRE_PTR(fn, p, dz, " when z is given");
    check_stride(fn, "dout_batch_stride", p->dout_batch_stride, B);
    check_stride(fn, "dout_dim_stride", p->dout_dim_stride, D);
    if (p->dfinal_state) {
        check_stride(fn, "dfinal_state_batch_stride", p->dfinal_state_batch_stride, B);
        check_stride(fn, "dfinal_state_dim_stride", p->dfinal_state_dim_stride, D);
    }
    check_out_stride(fn, "du_dim_stride", p->du_dim_stride, D, L, "seqlen (L)");
    check_out_stride(fn, "du_batch_stride", p->du_batch_stride, B, L, "seqlen (L)");
    check_out_stride(fn, "ddelta_dim_stride", p->ddelta_dim_stride, D, L, "seqlen (L)");
    check_out_stride(fn, "ddelta_batch_stride", p->ddelta_batch_stride, B, L, "seqlen (L)");
    check_out_stride(fn, "dA_dim_stride", p->dA_dim_stride, D, N, "dstate (N)");
    check_out_stride(fn, "dB_state_stride", p->dB_state_stride, N, L, "seqlen (L)");
    check_out_stride(fn, "dB_group_stride", p->dB_group_stride, G, L, "seqlen (L)");
    check_out_stride(fn, "dB_batch_stride", p->dB_batch_stride, B, L, "seqlen (L)");
    check_out_stride(fn, "dC_state_stride", p->dC_state_stride, N, L, "seqlen (L)");
    check_out_stride(fn, "dC_group_stride", p->dC_group_stride, G, L, "seqlen (L)");
    check_out_stride(fn, "dC_batch_stride", p->dC_batch_stride, B, L, "seqlen (L)");
    if (p->z) {
        check_out_stride(fn, "dz_dim_stride", p->dz_dim_stride, D, L, "seqlen (L)");
        check_out_stride(fn, "dz_batch_stride", p->dz_batch_stride, B, L, "seqlen (L)");
    }
    if (p->dh0) {
        check_out_stride(fn, "dh0_dim_stride", p->dh0_dim_stride, D, N, "dstate (N)");
        check_out_stride(fn, "dh0_batch_stride", p->dh0_batch_stride, B, N, "dstate (N)");
    }
}

void check_step(const char* fn, const gm_step_params* p) {
    if (!p) fail(GM_ERR_INVALID_ARGUMENT, fn, "params is NULL");
    if (p->struct_size != (int64_t)sizeof(gm_step_params))
        fail(GM_ERR_INVALID_ARGUMENT, fn,
             "struct_size = %lld but this library's gm_step_params has %lld bytes (ABI version %d): the binding "
             "and genomamba.h disagree",
             (long long)p->struct_size, (long long)sizeof(gm_step_params), GM_ABI_VERSION);
    if (p->batch < 1) fail(GM_ERR_INVALID_ARGUMENT, fn, "batch (B) = %lld; it must be >= 1", (long long)p->batch);
    if (p->dim < 1) fail(GM_ERR_INVALID_ARGUMENT, fn, "dim (D) = %lld; it must be >= 1", (long long)p->dim);
    if (p->dstate < 1) fail(GM_ERR_INVALID_ARGUMENT, fn, "dstate (N) = %lld; it must be in 1..%lld", (long long)p->dstate, (long long)kMaxState);
    if (p->dstate > kMaxState)
        fail(GM_ERR_UNSUPPORTED, fn, "dstate (N) = %lld is not supported; this build supports 1..%lld",
             (long long)p->dstate, (long long)kMaxState);
    if (p->n_groups < 1) fail(GM_ERR_INVALID_ARGUMENT, fn, "n_groups (G) = %lld; it must be >= 1", (long long)p->n_groups);
    if (p->dim % p->n_groups != 0)
        fail(GM_ERR_INVALID_ARGUMENT, fn, "dim (D) = %lld is not a multiple of n_groups (G) = %lld", (long long)p->dim,
             (long long)p->n_groups);
    GM_REQUIRE_PTR(fn, p, u, "");
    GM_REQUIRE_PTR(fn, p, delta, "");
    GM_REQUIRE_PTR(fn, p, A, "");
    GM_REQUIRE_PTR(fn, p, Bmat, "");
    GM_REQUIRE_PTR(fn, p, Cmat, "");
    GM_REQUIRE_PTR(fn, p, state, "");
    GM_REQUIRE_PTR(fn, p, out, "");
    const int64_t B = p->batch, D = p->dim, N = p->dstate, G = p->n_groups;
    check_stride(fn, "u_batch_stride", p->u_batch_stride, B);
    check_stride(fn, "delta_batch_stride", p->delta_batch_stride, B);
    check_stride(fn, "A_dim_stride", p->A_dim_stride, D);
    check_stride(fn, "B_batch_stride", p->B_batch_stride, B);
    check_stride(fn, "B_group_stride", p->B_group_stride, G);
    check_stride(fn, "C_batch_stride", p->C_batch_stride, B);
    check_stride(fn, "C_group_stride", p->C_group_stride, G);
    if (p->z) check_stride(fn, "z_batch_stride", p->z_batch_stride, B);
    check_out_stride(fn, "state_dim_stride", p->state_dim_stride, D, N, "dstate (N)");
    check_out_stride(fn, "state_batch_stride", p->state_batch_stride, B, N, "dstate (N)");
    check_out_stride(fn, "out_batch_stride", p->out_batch_stride, B, D, "dim (D)");
}

}  // namespace
}  // namespace gm

using namespace gm;

extern "C" {

GM_API int32_t gm_abi_version(void) { return GM_ABI_VERSION; }

GM_API const char* gm_version_string(void) { return "genomamba " GM_VERSION; }

GM_API int64_t gm_scan_params_size(void) { return (int64_t)sizeof(gm_scan_params); }

GM_API int64_t gm_step_params_size(void) { return (int64_t)sizeof(gm_step_params); }

GM_API int32_t gm_features(void) {
#if GM_HAVE_CUDA
    return active_kernels().feature_bits | 256;
#else
    return active_kernels().feature_bits;
#endif
}

GM_API int32_t gm_cuda_device_count(void) {
#if GM_HAVE_CUDA
    return cuda::device_count();
#else
    return 0;
#endif
}

GM_API const char* gm_last_error(void) { return t_last_error.c_str(); }

GM_API int64_t gm_scan_chunk_size(const gm_scan_params* p) {
    int64_t r = -1;
    guarded("gm_scan_chunk_size", [&] {
        check_sizes("gm_scan_chunk_size", p);
        r = make_problem(p).chunk;
    });
    return r;
}

GM_API int64_t gm_scan_chunk_states(const gm_scan_params* p) {
    int64_t r = -1;
    guarded("gm_scan_chunk_states", [&] {
        check_sizes("gm_scan_chunk_states", p);
        const Problem P = make_problem(p);
        int64_t n;
        if (__builtin_mul_overflow(P.B * P.D, P.n_chunks * P.N, &n))
            fail(GM_ERR_INVALID_ARGUMENT, "gm_scan_chunk_states", "the chunk states would overflow 64 bits");
        r = n;
    });
    return r;
}

GM_API gm_status gm_selective_scan_fwd(const gm_scan_params* p) {
    return guarded("gm_selective_scan_fwd", [&] {
        check_forward("gm_selective_scan_fwd", p);
#if GM_HAVE_CUDA
        if (p->device == GM_DEVICE_CUDA) {
            std::string msg;
            if (gm_status s = cuda::forward(make_problem(p), msg)) fail(s, "gm_selective_scan_fwd", "%s", msg.c_str());
            return;
        }
#endif
        run_forward(make_problem(p), active_kernels());
    });
}

GM_API gm_status gm_selective_scan_bwd(const gm_scan_params* p) {
    return guarded("gm_selective_scan_bwd", [&] {
        check_backward("gm_selective_scan_bwd", p);
#if GM_HAVE_CUDA
        if (p->device == GM_DEVICE_CUDA) {
            std::string msg;
            if (gm_status s = cuda::backward(make_problem(p), msg)) fail(s, "gm_selective_scan_bwd", "%s", msg.c_str());
            return;
        }
#endif
        run_backward(make_problem(p), active_kernels());
    });
}

GM_API gm_status gm_selective_scan_step(const gm_step_params* p) {
    return guarded("gm_selective_scan_step", [&] {
        check_step("gm_selective_scan_step", p);
        run_step(p, active_kernels());
    });
}

GM_API gm_status gm_dist_init(int32_t* rank, int32_t* world_size) {
    return guarded("gm_dist_init", [&] { dist::init(rank, world_size); });
}

GM_API gm_status gm_dist_allreduce_sum_f32(float* data, int64_t count, int32_t deterministic) {
    return guarded("gm_dist_allreduce_sum_f32", [&] { dist::allreduce_sum_f32(data, count, deterministic != 0); });
}

GM_API gm_status gm_dist_allreduce_sum_f64(double* data, int64_t count, int32_t deterministic) {
    return guarded("gm_dist_allreduce_sum_f64", [&] { dist::allreduce_sum_f64(data, count, deterministic != 0); });
}

GM_API gm_status gm_dist_broadcast(void* data, int64_t bytes, int32_t root) {
    return guarded("gm_dist_broadcast", [&] { dist::broadcast(data, bytes, root); });
}

GM_API gm_status gm_dist_barrier(void) { return guarded("gm_dist_barrier", [] { dist::barrier(); }); }

GM_API gm_status gm_dist_finalize(void) { return guarded("gm_dist_finalize", [] { dist::finalize(); }); }

GM_API void gm_dist_abort(int32_t code) { dist::abort_all(code); }

}  // extern "C"
