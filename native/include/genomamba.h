/*
 * genomamba.h — the whole C ABI of libgenomamba. Genomics.Mamba/Scan/NativeMethods.cs mirrors it.
 *
 * The selective scan (Mamba, Gu & Dao 2023, Alg. 2), fp32, fused: never materializes (B, D, L, N).
 *   delta_t = softplus(delta_t + delta_bias)            (when delta_softplus; bias optional)
 *   h_t     = exp(delta_t * A) * h_{t-1} + delta_t * B_t * u_t      h_{-1} = h0 (or 0)
 *   y_t     = C_t . h_t + D * u_t
 *   out_t   = y_t * silu(z_t)                            (when z is given; else out = y)
 * Shapes (element strides given per tensor; the last, L dimension must be contiguous):
 *   u, delta, z, out, du, ddelta, dz, dout : (B, D, L)
 *   A, dA                                  : (D, N)          N contiguous
 *   Bmat, Cmat, dB, dC                      : (B, G, N, L)    G groups, D % G == 0; channel d uses group d / (D/G)
 *   D_skip, delta_bias, dD, ddelta_bias     : (D)             contiguous, optional
 *   h0, final_state, dh0, dfinal_state      : (B, D, N)       N contiguous, optional
 *   chunk_states                            : (B, D, n_chunks, N) contiguous workspace: forward writes the state
 *                                             entering each chunk, backward reads it (see gm_scan_chunk_states).
 * Forward saves only chunk-boundary states; backward recomputes states inside each chunk walking chunks in
 * reverse. Results are bit-identical for any n_threads. No C++ exception crosses this boundary: every call
 * returns a gm_status and, on failure, gm_last_error() (thread-local) says what was wrong.
 *
 * Devices (ABI 2): gm_scan_params.device says where every pointer lives. GM_DEVICE_CPU (0, the zero default)
 * runs the CPU kernels; GM_DEVICE_CUDA runs the CUDA scan on device_index, enqueued on `stream` and waited
 * for before the call returns (so errors come back as a status). A build without CUDA (gm_features() bit 8
 * clear) answers GM_ERR_UNSUPPORTED to a CUDA call. On CUDA, input_dtype GM_DTYPE_BF16 means u, delta, z,
 * Bmat, Cmat, dout, out, du, ddelta and dz hold bfloat16 (the float* fields are reinterpreted); A, D_skip,
 * delta_bias, h0, the states and dA, dB, dC, dD, ddelta_bias, dh0 stay fp32, and so does all arithmetic.
 * CUDA's dB/dC (sums over the channels of a group) use float atomics unless flags has GM_FLAG_DETERMINISTIC.
 * The CUDA chunk is at most GM_CUDA_MAX_CHUNK positions (default min(L, 256)); ask gm_scan_chunk_states with
 * the device field set.
 */
#ifndef GENOMAMBA_H
#define GENOMAMBA_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define GM_API __declspec(dllexport)
#else
#define GM_API __attribute__((visibility("default")))
#endif

#define GM_ABI_VERSION 3

#define GM_DEVICE_CPU 0
#define GM_DEVICE_CUDA 1
#define GM_DTYPE_F32 0
#define GM_DTYPE_BF16 1
#define GM_FLAG_DETERMINISTIC 1 /* CUDA: fixed-order sums for dB/dC, bit-identical run to run (slower) */
#define GM_CUDA_MAX_CHUNK 256

typedef enum gm_status {
    GM_OK = 0,
    GM_ERR_INVALID_ARGUMENT = 1, /* a size, stride or pointer is wrong: see gm_last_error() */
    GM_ERR_UNSUPPORTED = 2,      /* valid but not supported by this build (e.g. N > 256) */
    GM_ERR_OUT_OF_MEMORY = 3,
    GM_ERR_INTERNAL = 4
} gm_status;

/* Everything a scan call needs. Zero-initialise, set struct_size = sizeof(gm_scan_params), fill in. */
typedef struct gm_scan_params {
    int64_t struct_size;
    int64_t batch;      /* B */
    int64_t dim;        /* D (channels) */
    int64_t seqlen;     /* L, >= 1 */
    int64_t dstate;     /* N, 1..256 */
    int64_t n_groups;   /* G, >= 1, divides D */
    int64_t chunk_size; /* positions per saved state; 0 = library default */
    int32_t n_threads;  /* <= 0 means 1 */
    int32_t delta_softplus;

    /* forward inputs */
    const float* u;          int64_t u_batch_stride, u_dim_stride;
    const float* delta;      int64_t delta_batch_stride, delta_dim_stride;
    const float* A;          int64_t A_dim_stride;
    const float* Bmat;       int64_t B_batch_stride, B_group_stride, B_state_stride;
    const float* Cmat;       int64_t C_batch_stride, C_group_stride, C_state_stride;
    const float* D_skip;     /* optional */
    const float* delta_bias; /* optional */
    const float* z;          int64_t z_batch_stride, z_dim_stride;   /* optional */
    const float* h0;         int64_t h0_batch_stride, h0_dim_stride; /* optional */

    /* forward outputs */
    float* out;              int64_t out_batch_stride, out_dim_stride;
    float* final_state;      int64_t final_state_batch_stride, final_state_dim_stride; /* optional */
    float* chunk_states;     /* required: written by forward, read by backward */

    /* backward inputs */
    const float* dout;          int64_t dout_batch_stride, dout_dim_stride;
    const float* dfinal_state;  int64_t dfinal_state_batch_stride, dfinal_state_dim_stride; /* optional */

    /* backward outputs (overwritten, not accumulated); each optional except du, ddelta, dA, dB, dC */
    float* du;           int64_t du_batch_stride, du_dim_stride;
    float* ddelta;       int64_t ddelta_batch_stride, ddelta_dim_stride;
    float* dA;           int64_t dA_dim_stride;
    float* dB;           int64_t dB_batch_stride, dB_group_stride, dB_state_stride;
    float* dC;           int64_t dC_batch_stride, dC_group_stride, dC_state_stride;
    float* dD;           /* required when D_skip is given */
    float* ddelta_bias;  /* required when delta_bias is given */
    float* dz;           int64_t dz_batch_stride, dz_dim_stride; /* required when z is given */
    float* dh0;          int64_t dh0_batch_stride, dh0_dim_stride; /* optional */

    /* where and how (ABI 2; all zero = CPU, fp32) */
    int32_t device;       /* GM_DEVICE_CPU or GM_DEVICE_CUDA */
    int32_t device_index; /* CUDA device ordinal */
    int32_t input_dtype;  /* GM_DTYPE_F32, or GM_DTYPE_BF16 (CUDA only) */
    int32_t flags;        /* GM_FLAG_DETERMINISTIC */
    void* stream;         /* cudaStream_t; NULL = the legacy default stream */
} gm_scan_params;

/* One token of the recurrence for recurrent inference: state (B, D, N) is updated in place. */
typedef struct gm_step_params {
    int64_t struct_size;
    int64_t batch, dim, dstate, n_groups;
    int32_t n_threads;
    int32_t delta_softplus;
    const float* u;          int64_t u_batch_stride;     /* (B, D) */
    const float* delta;      int64_t delta_batch_stride; /* (B, D) */
    const float* A;          int64_t A_dim_stride;       /* (D, N) */
    const float* Bmat;       int64_t B_batch_stride, B_group_stride; /* (B, G, N) */
    const float* Cmat;       int64_t C_batch_stride, C_group_stride; /* (B, G, N) */
    const float* D_skip;     /* optional (D) */
    const float* delta_bias; /* optional (D) */
    const float* z;          int64_t z_batch_stride;     /* optional (B, D) */
    float* state;            int64_t state_batch_stride, state_dim_stride; /* (B, D, N), in/out */
    float* out;              int64_t out_batch_stride;   /* (B, D) */
} gm_step_params;

GM_API int32_t gm_abi_version(void);
GM_API const char* gm_version_string(void);
GM_API int64_t gm_scan_params_size(void);
GM_API int64_t gm_step_params_size(void);
/* Bit 0: AVX2+FMA used; bit 1: AVX-512F used; bit 8: CUDA scan compiled in. */
GM_API int32_t gm_features(void);
/* CUDA devices the CUDA scan can use: 0 when none is visible or the build has no CUDA. */
GM_API int32_t gm_cuda_device_count(void);
/* Thread-local message of the last failed call on this thread ("" when none). */
GM_API const char* gm_last_error(void);
/* The effective chunk size and the number of floats chunk_states must hold: B * D * n_chunks * N. */
GM_API int64_t gm_scan_chunk_size(const gm_scan_params* p);
GM_API int64_t gm_scan_chunk_states(const gm_scan_params* p);

GM_API gm_status gm_selective_scan_fwd(const gm_scan_params* p);
GM_API gm_status gm_selective_scan_bwd(const gm_scan_params* p);
GM_API gm_status gm_selective_scan_step(const gm_step_params* p);

/* ---- Collectives across processes, for data-parallel training (ABI 3). MPI (OpenMPI's libmpi.so.40, or the file
   GENOMAMBA_MPI_LIBRARY names) is loaded on the first gm_dist_init, so the library builds and loads without MPI; without
   it gm_dist_init returns GM_ERR_UNSUPPORTED with the fix in gm_last_error(). Call from one thread at a time. */
/* Starts MPI once (later calls return the same values): this process's rank and the number of processes. */
GM_API gm_status gm_dist_init(int32_t* rank, int32_t* world_size);
/* In place, every rank: data = the sum of every rank's data. deterministic != 0: added in rank order on rank 0 and
   broadcast (the same bits for a given world size on any MPI); 0: MPI_Allreduce, whose order is the MPI's choice. */
GM_API gm_status gm_dist_allreduce_sum_f32(float* data, int64_t count, int32_t deterministic);
/* The same for doubles (losses and other statistics that must not lose bits on the way). */
GM_API gm_status gm_dist_allreduce_sum_f64(double* data, int64_t count, int32_t deterministic);
/* In place: every rank's data = root's. */
GM_API gm_status gm_dist_broadcast(void* data, int64_t bytes, int32_t root);
GM_API gm_status gm_dist_barrier(void);
/* Ends MPI in this process (before exit; MPI cannot start again after it). A no-op when gm_dist_init never ran. */
GM_API gm_status gm_dist_finalize(void);
/* Ends every process of the job with this exit code (MPI_Abort), or this one when MPI never started. Never returns. */
GM_API void gm_dist_abort(int32_t code);

#ifdef __cplusplus
}
#endif

#endif /* GENOMAMBA_H */
