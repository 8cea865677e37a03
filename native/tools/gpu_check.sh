#!/bin/sh
# gpu_check.sh [ARGS...] — on a machine with an NVIDIA GPU, nvcc and CMake >= 3.25 (no .NET needed): builds
# native/ with the CUDA scan for this machine's GPU and runs genomamba_gpu_check (CUDA scan vs CPU scan on the
# same inputs, then GB/s). ARGS go to the check: --quick (small cases only, ~10 s), --no-big, --peak-gbs X.
# Environment: BUILD_DIR (default native/build/gpu-check), CUDA_ARCH (default: the GPU's own, "native";
# or e.g. 90), CXX. Without CMake >= 3.25 (or with GPU_CHECK_NO_CMAKE=1) it compiles with nvcc and g++ directly.
# CUDAHOSTCXX / CUDAFLAGS when nvcc needs another host compiler (nvcc 11.8 + GCC 12: CUDAHOSTCXX=clang++-14).
# Exit: the check's (0 pass, 1 mismatch, 2 error, 3 no GPU); 4 when the build fails.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
out=${BUILD_DIR:-$here/build/gpu-check}
arch=${CUDA_ARCH:-native}
command -v nvcc >/dev/null 2>&1 || [ -x /usr/local/cuda/bin/nvcc ] || { echo "gpu_check: nvcc not found (install the CUDA toolkit or put it on PATH)"; exit 4; }
command -v nvcc >/dev/null 2>&1 || PATH=/usr/local/cuda/bin:$PATH
# Debian 12's nvcc 11.8 accepts none of the system's compilers as host compiler unless told (README, GPU (CUDA)).
if [ -z "${CUDAHOSTCXX:-}" ] && nvcc --version | grep -q 'release 11\.'; then
    CUDAHOSTCXX=$(command -v g++-12 || command -v g++); export CUDAHOSTCXX
    CUDAFLAGS="${CUDAFLAGS:-} -allow-unsupported-compiler"; export CUDAFLAGS
fi
# "native" needs a GPU at configure time; without one build A100/H100 code (the check then exits 3: no GPU).
if [ "$arch" = native ] && ! nvidia-smi -L >/dev/null 2>&1; then
    echo "gpu_check: no GPU visible (nvidia-smi); building for sm_80 and sm_90"
    arch="80;90"
fi
jobs=$(nproc 2>/dev/null || echo 4)
start=$(date +%s)

cmake_ok() {
    command -v cmake >/dev/null 2>&1 || return 1
    set -- $(cmake --version | sed -n '1s/[^0-9]*\([0-9][0-9]*\)\.\([0-9][0-9]*\).*/\1 \2/p')
    [ $# -eq 2 ] && { [ "$1" -gt 3 ] || { [ "$1" -eq 3 ] && [ "$2" -ge 25 ]; }; }
}

if [ -z "${GPU_CHECK_NO_CMAKE:-}" ] && cmake_ok; then
    mkdir -p "$out"
    cmake -S "$here" -B "$out" -DCMAKE_BUILD_TYPE=Release -DGM_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES="$arch" \
        -DGM_BUILD_TESTS=OFF -DGM_BUILD_BENCH=OFF >"$out/configure.log" 2>&1 \
        || { cat "$out/configure.log"; echo "gpu_check: CMake configure failed"; exit 4; }
    cmake --build "$out" --target genomamba_gpu_check -j "$jobs" || { echo "gpu_check: build failed"; exit 4; }
else
    # No CMake >= 3.25: the same build by hand (x86-64; the CPU kernels per instruction set, as CMakeLists.txt does).
    [ "$(uname -m)" = x86_64 ] || { echo "gpu_check: without CMake >= 3.25 this script builds on x86-64 only"; exit 4; }
    echo "gpu_check: no CMake >= 3.25; building with nvcc and g++ directly"
    mkdir -p "$out/obj"
    cxx=${CXX:-g++}
    flags="-O3 -DNDEBUG -std=c++17 -fPIC -fno-math-errno -ffp-contract=off -pthread -I$here/include -I$here/src"
    defs="-DGM_HAVE_AVX2=1 -DGM_HAVE_AVX512=1 -DGM_HAVE_CUDA=1 -DGM_VERSION=\"gpu-check\""
    case $arch in native) nvarch=-arch=native ;; *) nvarch="-arch=sm_${arch%%[-;]*}" ;; esac
    nvarch="$nvarch ${CUDAHOSTCXX:+-ccbin $CUDAHOSTCXX} ${CUDAFLAGS:-}"
    set -e
    for f in api dispatch driver thread_pool kernels_scalar; do
        $cxx $flags $defs -c "$here/src/$f.cpp" -o "$out/obj/$f.o" &
    done
    $cxx $flags $defs -mavx2 -mfma -c "$here/src/kernels_avx2.cpp" -o "$out/obj/kernels_avx2.o" &
    $cxx $flags $defs -mavx512f -mavx2 -mfma -c "$here/src/kernels_avx512.cpp" -o "$out/obj/kernels_avx512.o" &
    nvcc -O3 -std=c++17 $nvarch -I"$here/include" -I"$here/src" -DGM_HAVE_CUDA=1 \
        -c "$here/src/cuda/scan_cuda.cu" -o "$out/obj/scan_cuda.o" &
    wait
    nvcc -O3 -std=c++17 $nvarch -I"$here/include" -I"$here/src" "$here/gpu_check/gpu_check.cu" "$out"/obj/*.o \
        -o "$out/genomamba_gpu_check" -Xcompiler -pthread
    set +e
fi
echo "gpu_check: built in $(( $(date +%s) - start )) s ($out)"
exec "$out/genomamba_gpu_check" "$@"
