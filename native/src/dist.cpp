// dist.cpp — MPI collectives loaded at run time.
//
// Why dlopen instead of linking: a libgenomamba linked against libmpi would fail to load on every machine without an
// MPI runtime, and single-process training (the common case) must never need one. So MPI is opened on the first
// gm_dist_init only, from OpenMPI's soname (Debian's openmpi-bin / libopenmpi3; GENOMAMBA_MPI_LIBRARY names another
// file), and the handful of functions and predefined handles used here are looked up by name. OpenMPI's handles are
// the addresses of exported globals (ompi_mpi_comm_world, ompi_mpi_float, ompi_mpi_op_sum, …), which is what its
// mpi.h macros expand to; MPICH's are integer constants and are not supported yet (said in one line).
//
// Determinism: MPI_Allreduce may add the ranks' contributions in any order the implementation picks (it depends on the
// world size, the message size and the algorithm), so the sum can differ in the last bits from run to run setups. The
// deterministic mode gathers every rank's buffer on rank 0, adds them in rank order (0 + 1 + 2 + …), and broadcasts
// the result: the same bits for a given world size on any MPI, at the cost of a gather and a broadcast.
#include "dist.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <vector>

namespace gm::dist {
namespace {

using Handle = void*;   // OpenMPI: MPI_Comm, MPI_Datatype and MPI_Op are pointers to predefined objects

struct Mpi {
    void* lib = nullptr;
    int (*Init_thread)(int*, char***, int, int*) = nullptr;
    int (*Initialized)(int*) = nullptr;
    int (*Finalized)(int*) = nullptr;
    int (*Comm_rank)(Handle, int*) = nullptr;
    int (*Comm_size)(Handle, int*) = nullptr;
    int (*Allreduce)(const void*, void*, int, Handle, Handle, Handle) = nullptr;
    int (*Gather)(const void*, int, Handle, void*, int, Handle, int, Handle) = nullptr;
    int (*Bcast)(void*, int, Handle, int, Handle) = nullptr;
    int (*Barrier)(Handle) = nullptr;
    int (*Finalize)() = nullptr;
    int (*Abort)(Handle, int) = nullptr;
    Handle comm_world = nullptr, type_float = nullptr, type_double = nullptr, type_byte = nullptr, op_sum = nullptr;
    int rank = 0, size = 1;
    bool initialized = false, finalized = false;
};

Mpi g_mpi;
std::mutex g_lock;

constexpr int kThreadSerialized = 2;            // MPI_THREAD_SERIALIZED (the same value in every MPI)
void* const kInPlace = reinterpret_cast<void*>(1);   // OpenMPI's MPI_IN_PLACE
constexpr int64_t kChunk = int64_t(1) << 24;    // elements per call: below INT_MAX, and bounds the gather buffer

[[noreturn]] void fail(gm_status status, const std::string& message) { throw Error{status, message}; }

template <class F>
void bind(F& f, const char* name) {
    f = reinterpret_cast<F>(dlsym(g_mpi.lib, name));
    if (f == nullptr) fail(GM_ERR_UNSUPPORTED, std::string("gm_dist_init: the MPI library lacks ") + name + " (OpenMPI 3 or later is needed)");
}

Handle global(const char* name) {
    void* p = dlsym(g_mpi.lib, name);
    if (p == nullptr) {
        fail(GM_ERR_UNSUPPORTED, std::string("gm_dist_init: the MPI library has no ") + name +
                                     ": only OpenMPI is supported (MPICH and derivatives are not yet); install openmpi-bin");
    }
    return p;
}

void load() {
    const char* path = std::getenv("GENOMAMBA_MPI_LIBRARY");
    const char* name = (path != nullptr && *path != '\0') ? path : "libmpi.so.40";
    g_mpi.lib = dlopen(name, RTLD_NOW | RTLD_GLOBAL);   // GLOBAL: OpenMPI's own plugins resolve against it
    if (g_mpi.lib == nullptr) {
        const char* why = dlerror();
        fail(GM_ERR_UNSUPPORTED, std::string("gm_dist_init: cannot load MPI (") + name + ": " + (why ? why : "not found") +
                                     "); more than one process needs OpenMPI: apt-get install openmpi-bin, or set GENOMAMBA_MPI_LIBRARY");
    }
    bind(g_mpi.Init_thread, "MPI_Init_thread");
    bind(g_mpi.Initialized, "MPI_Initialized");
    bind(g_mpi.Finalized, "MPI_Finalized");
    bind(g_mpi.Comm_rank, "MPI_Comm_rank");
    bind(g_mpi.Comm_size, "MPI_Comm_size");
    bind(g_mpi.Allreduce, "MPI_Allreduce");
    bind(g_mpi.Gather, "MPI_Gather");
    bind(g_mpi.Bcast, "MPI_Bcast");
    bind(g_mpi.Barrier, "MPI_Barrier");
    bind(g_mpi.Finalize, "MPI_Finalize");
    bind(g_mpi.Abort, "MPI_Abort");
    g_mpi.comm_world = global("ompi_mpi_comm_world");
    g_mpi.type_float = global("ompi_mpi_float");
    g_mpi.type_double = global("ompi_mpi_double");
    g_mpi.type_byte = global("ompi_mpi_byte");
    g_mpi.op_sum = global("ompi_mpi_op_sum");
}

void check(int code, const char* what) {
    if (code != 0) fail(GM_ERR_INTERNAL, std::string(what) + " failed with MPI error code " + std::to_string(code));
}

void require_init(const char* fn) {
    if (!g_mpi.initialized || g_mpi.finalized) fail(GM_ERR_INVALID_ARGUMENT, std::string(fn) + ": call gm_dist_init first (and not after gm_dist_finalize)");
}

}  // namespace

void init(int32_t* rank, int32_t* world_size) {
    std::lock_guard<std::mutex> guard(g_lock);
    if (rank == nullptr || world_size == nullptr) fail(GM_ERR_INVALID_ARGUMENT, "gm_dist_init: rank and world_size must not be null");
    if (g_mpi.finalized) fail(GM_ERR_INVALID_ARGUMENT, "gm_dist_init: MPI was finalized in this process and cannot start again");
    if (!g_mpi.initialized) {
        if (g_mpi.lib == nullptr) load();
        int already = 0;
        check(g_mpi.Initialized(&already), "gm_dist_init: MPI_Initialized");
        if (!already) {
            // OpenMPI installs handlers for SIGSEGV, SIGBUS, SIGFPE and SIGABRT that print a backtrace; in a .NET process
            // they would replace the runtime's own (a NullReferenceException is a SIGSEGV the runtime turns into an
            // exception). An empty list keeps them out, unless the user set it.
            setenv("OMPI_MCA_opal_signal", "", 0);
            int provided = 0;
            check(g_mpi.Init_thread(nullptr, nullptr, kThreadSerialized, &provided), "gm_dist_init: MPI_Init_thread");
        }
        check(g_mpi.Comm_rank(g_mpi.comm_world, &g_mpi.rank), "gm_dist_init: MPI_Comm_rank");
        check(g_mpi.Comm_size(g_mpi.comm_world, &g_mpi.size), "gm_dist_init: MPI_Comm_size");
        g_mpi.initialized = true;
    }
    *rank = g_mpi.rank;
    *world_size = g_mpi.size;
}

namespace {

template <class T>
void allreduce_sum(const char* fn, T* data, int64_t count, bool deterministic, Handle type) {
    require_init(fn);
    if (count < 0 || (count > 0 && data == nullptr)) fail(GM_ERR_INVALID_ARGUMENT, std::string(fn) + ": count must be ≥ 0 and data non-null");
    if (g_mpi.size == 1 || count == 0) return;
    std::vector<T> gathered;
    for (int64_t start = 0; start < count; start += kChunk) {
        int n = static_cast<int>(std::min(kChunk, count - start));
        T* part = data + start;
        if (!deterministic) {
            check(g_mpi.Allreduce(kInPlace, part, n, type, g_mpi.op_sum, g_mpi.comm_world), (std::string(fn) + ": MPI_Allreduce").c_str());
            continue;
        }
        if (g_mpi.rank == 0) gathered.resize(static_cast<size_t>(n) * g_mpi.size);
        check(g_mpi.Gather(part, n, type, g_mpi.rank == 0 ? gathered.data() : nullptr, n, type, 0, g_mpi.comm_world),
              (std::string(fn) + ": MPI_Gather").c_str());
        if (g_mpi.rank == 0) {
            // Rank order, one addition at a time: ((x0 + x1) + x2) + … whatever the world's timing.
            std::memcpy(part, gathered.data(), sizeof(T) * static_cast<size_t>(n));
            for (int r = 1; r < g_mpi.size; r++) {
                const T* x = gathered.data() + static_cast<size_t>(r) * n;
                for (int i = 0; i < n; i++) part[i] += x[i];
            }
        }
        check(g_mpi.Bcast(part, n, type, 0, g_mpi.comm_world), (std::string(fn) + ": MPI_Bcast").c_str());
    }
}

}  // namespace

void allreduce_sum_f32(float* data, int64_t count, bool deterministic) {
    allreduce_sum("gm_dist_allreduce_sum_f32", data, count, deterministic, g_mpi.type_float);
}

void allreduce_sum_f64(double* data, int64_t count, bool deterministic) {
    allreduce_sum("gm_dist_allreduce_sum_f64", data, count, deterministic, g_mpi.type_double);
}

void broadcast(void* data, int64_t bytes, int32_t root) {
    require_init("gm_dist_broadcast");
    if (bytes < 0 || (bytes > 0 && data == nullptr)) fail(GM_ERR_INVALID_ARGUMENT, "gm_dist_broadcast: bytes must be ≥ 0 and data non-null");
    if (root < 0 || root >= g_mpi.size) fail(GM_ERR_INVALID_ARGUMENT, "gm_dist_broadcast: root " + std::to_string(root) + " is not a rank of " + std::to_string(g_mpi.size));
    if (g_mpi.size == 1) return;
    auto* p = static_cast<char*>(data);
    for (int64_t start = 0; start < bytes; start += kChunk) {
        int n = static_cast<int>(std::min(kChunk, bytes - start));
        check(g_mpi.Bcast(p + start, n, g_mpi.type_byte, root, g_mpi.comm_world), "gm_dist_broadcast: MPI_Bcast");
    }
}

void barrier() {
    require_init("gm_dist_barrier");
    if (g_mpi.size > 1) check(g_mpi.Barrier(g_mpi.comm_world), "gm_dist_barrier: MPI_Barrier");
}

void finalize() {
    std::lock_guard<std::mutex> guard(g_lock);
    if (!g_mpi.initialized || g_mpi.finalized) return;
    int done = 0;
    check(g_mpi.Finalized(&done), "gm_dist_finalize: MPI_Finalized");
    if (!done) check(g_mpi.Finalize(), "gm_dist_finalize: MPI_Finalize");
    g_mpi.finalized = true;
}

void abort_all(int32_t code) {
    if (g_mpi.initialized && !g_mpi.finalized) g_mpi.Abort(g_mpi.comm_world, code);
    std::_Exit(code);
}

}  // namespace gm::dist
