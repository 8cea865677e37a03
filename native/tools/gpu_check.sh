#!/bin/sh
# gpu_check.sh [ARGS...] — on a machine with an NVIDIA GPU, nvcc and CMake >= 3.25 (no .NET needed): builds
# native/ with the CUDA scan for this machine's GPU and runs genomamba_gpu_check (CUDA scan vs CPU scan on the
# same inputs, then GB/s). ARGS go to the check: --quick (small cases only, ~10 s), --no-big, --peak-gbs X.
# Environment: BUILD_DIR (default build/gpu-check beside native/), CUDA_ARCH (default: the GPU's own, "native"),
# CUDAHOSTCXX / CUDAFLAGS when nvcc needs another host compiler (nvcc 11.8 + GCC 12: CUDAHOSTCXX=clang++-14).
# Exit: the check's (0 pass, 1 mismatch, 2 error, 3 no GPU); 4 when the build fails.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
out=${BUILD_DIR:-$here/../build/gpu-check}
arch=${CUDA_ARCH:-native}
command -v nvcc >/dev/null 2>&1 || [ -x /usr/local/cuda/bin/nvcc ] || { echo "gpu_check: nvcc not found (install the CUDA toolkit or put it on PATH)"; exit 4; }
command -v nvcc >/dev/null 2>&1 || PATH=/usr/local/cuda/bin:$PATH
jobs=$(nproc 2>/dev/null || echo 4)
start=$(date +%s)
cmake -S "$here" -B "$out" -DCMAKE_BUILD_TYPE=Release -DGM_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES="$arch" \
    -DGM_BUILD_TESTS=OFF -DGM_BUILD_BENCH=OFF >"$out.configure.log" 2>&1 \
    || { mkdir -p "$out"; cat "$out.configure.log"; echo "gpu_check: CMake configure failed"; exit 4; }
cmake --build "$out" --target genomamba_gpu_check -j "$jobs" || { echo "gpu_check: build failed"; exit 4; }
echo "gpu_check: built in $(( $(date +%s) - start )) s ($out)"
exec "$out/genomamba_gpu_check" "$@"
