#!/bin/sh
# check_cuda_lib.sh LIB — CI's check of a CUDA build of libgenomamba.so (no GPU needed): it exports the whole
# ABI of genomamba.h and nothing else, says it has CUDA (gm_features() bit 8), holds device code for every
# architecture asked for (cuobjdump) and loads on a machine without a GPU driver.
set -eu
lib=$1
fail() { echo "check_cuda_lib: $*" >&2; exit 1; }
[ -f "$lib" ] || fail "$lib does not exist"
cmake -DLIB="$lib" -P "$(dirname "$0")/../tests/check_exports.cmake"
nm -D --defined-only "$lib" | grep -q ' T gm_cuda_device_count$' || fail "gm_cuda_device_count is not exported"
if command -v cuobjdump >/dev/null 2>&1; then
    cuobjdump --list-elf "$lib" 2>&1 | grep 'sm_' || fail "no device code (cubin) in $lib"
    cuobjdump --list-ptx "$lib" 2>&1 | grep 'ptx' || echo "check_cuda_lib: note: no PTX in $lib (no JIT for newer GPUs)"
fi
# Load it (no GPU driver needed until a CUDA call) and ask: a C probe, since CI machines need not have Python.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/probe.c" <<'C'
#include <dlfcn.h>
#include <stdio.h>
int main(int argc, char** argv) {
    void* h = dlopen(argv[1], RTLD_NOW);
    if (!h) { fprintf(stderr, "check_cuda_lib: cannot load: %s\n", dlerror()); return 2; }
    int (*features)(void) = (int (*)(void))dlsym(h, "gm_features");
    int (*devices)(void) = (int (*)(void))dlsym(h, "gm_cuda_device_count");
    int (*abi)(void) = (int (*)(void))dlsym(h, "gm_abi_version");
    if (!features || !devices || !abi) { fprintf(stderr, "check_cuda_lib: a gm_ function is missing\n"); return 2; }
    int f = features();
    printf("gm_features() = %d, gm_cuda_device_count() = %d, ABI %d\n", f, devices(), abi());
    if (!(f & 256)) { fprintf(stderr, "check_cuda_lib: gm_features() bit 8 (CUDA) is clear\n"); return 1; }
    return 0;
}
C
${CC:-cc} "$tmp/probe.c" -o "$tmp/probe" -ldl || fail "could not compile the probe"
"$tmp/probe" "$lib" || fail "$lib is not a CUDA build"
echo "check_cuda_lib: $lib is a CUDA build of the genomamba ABI"
