// dispatch.cpp — picks the kernel table once: the widest instruction set the CPU supports, unless the
// environment variable GENOMAMBA_ISA (scalar | avx2 | avx512) asks for a narrower one (for comparisons
// and for ruling the SIMD paths out when debugging). Compiled for the x86-64 baseline.
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include "scan.h"

namespace gm {
namespace {

bool cpu_has(Isa isa) {
#if defined(__x86_64__) || defined(__i386__)
    switch (isa) {
    case Isa::Scalar: return true;
    case Isa::Avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::Avx512:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return false;
#else
    return isa == Isa::Scalar;
#endif
}

const KernelTable* table_of(Isa isa) {
    switch (isa) {
    case Isa::Scalar: return &kKernelsScalar;
#if GM_HAVE_AVX2
    case Isa::Avx2: return &kKernelsAvx2;
#endif
#if GM_HAVE_AVX512
    case Isa::Avx512: return &kKernelsAvx512;
#endif
    default: return nullptr;
    }
}

Isa best_isa() {
    Isa best = Isa::Scalar;
    for (Isa isa : {Isa::Avx2, Isa::Avx512})
        if (cpu_has(isa) && table_of(isa)) best = isa;
    if (const char* env = std::getenv("GENOMAMBA_ISA")) {
        Isa want = best;
        if (std::strcmp(env, "scalar") == 0) want = Isa::Scalar;
        else if (std::strcmp(env, "avx2") == 0) want = Isa::Avx2;
        else if (std::strcmp(env, "avx512") == 0) want = Isa::Avx512;
        if ((int)want < (int)best && table_of(want)) best = want;  // only ever narrower than the CPU allows
    }
    return best;
}

std::atomic<const KernelTable*> g_active{nullptr};

}  // namespace

const KernelTable* kernels_for(Isa isa) { return cpu_has(isa) ? table_of(isa) : nullptr; }

const KernelTable& active_kernels() {
    const KernelTable* k = g_active.load(std::memory_order_acquire);
    if (!k) {
        k = table_of(best_isa());
        g_active.store(k, std::memory_order_release);
    }
    return *k;
}

bool force_isa(Isa isa) {
    const KernelTable* k = kernels_for(isa);
    if (!k) return false;
    g_active.store(k, std::memory_order_release);
    return true;
}

}  // namespace gm
