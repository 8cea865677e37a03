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
python3 - "$lib" <<'PY'
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1])
f = lib.gm_features()
n = lib.gm_cuda_device_count()
print(f"gm_features() = {f}, gm_cuda_device_count() = {n}, ABI {lib.gm_abi_version()}")
if not f & 256:
    sys.exit("check_cuda_lib: gm_features() bit 8 (CUDA) is clear")
PY
echo "check_cuda_lib: $lib is a CUDA build of the genomamba ABI"
