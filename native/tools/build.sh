#!/bin/sh
# build.sh SOURCE_DIR BUILD_DIR [cpu|cuda] — what `dotnet build` of Genomics.Mamba runs (build/Native.targets):
# configure once (Release, library only), then `cmake --build` of libgenomamba.so, incremental (a no-op
# when nothing changed). A missing tool is reported in one line (exit 3); build errors print in full.
# cpu (default): the CPU scan only, even where nvcc is installed (-DGM_CUDA=OFF), so a .NET build never
# depends on the CUDA toolchain; cuda (-p:GenomambaCuda=true): the CUDA scan too (-DGM_CUDA=ON).
set -u
src=$1
out=$2
mode=${3:-cpu}

missing=""
command -v cmake >/dev/null 2>&1 || missing="CMake >= 3.25"
cxx=${CXX:-}
if [ -z "$cxx" ]; then
    for c in c++ g++ clang++; do
        if command -v "$c" >/dev/null 2>&1; then cxx=$c; break; fi
    done
fi
[ -n "$cxx" ] || missing="${missing:+$missing and }a C++17 compiler"
if [ -z "$missing" ]; then
    ver=$(cmake --version 2>/dev/null | sed -n '1s/[^0-9]*\([0-9][0-9]*\)\.\([0-9][0-9]*\).*/\1 \2/p')
    set -- $ver
    if [ $# -ne 2 ] || [ "$1" -lt 3 ] || { [ "$1" -eq 3 ] && [ "$2" -lt 25 ]; }; then
        missing="CMake >= 3.25 (found $(cmake --version 2>/dev/null | head -n 1))"
    fi
fi
if [ -n "$missing" ]; then
    echo "genomamba: building native/libgenomamba.so needs $missing; install with: apt-get install cmake g++ (or build with -p:GenomambaNative=false to go without the native scan)"
    exit 3
fi

mkdir -p "$out" || exit 1
# Two builds of the project at once (e.g. parallel test runs) must not run make in one tree together.
lock=""
command -v flock >/dev/null 2>&1 && lock="flock $out/.lock"
gm_cuda=OFF
cuda_flags=""
if [ "$mode" = cuda ]; then
    gm_cuda=ON
    if ! command -v nvcc >/dev/null 2>&1 && [ -z "${CUDACXX:-}" ]; then
        echo "genomamba: -p:GenomambaCuda=true needs nvcc (the CUDA toolkit) on PATH; see README, section GPU (CUDA)"
        exit 3
    fi
    # Debian's nvcc 11.8 finds no host compiler it supports in Debian 12 unless given one; GCC 12 works when
    # allowed (README, GPU (CUDA)). CUDAHOSTCXX / CUDAFLAGS in the environment take precedence.
    if [ -z "${CUDAHOSTCXX:-}" ] && [ -z "${CUDAFLAGS:-}" ] && nvcc --version 2>/dev/null | grep -q 'release 11\.'; then
        host=$(command -v g++-12 || command -v g++)
        cuda_flags="-DCMAKE_CUDA_HOST_COMPILER=$host -DCMAKE_CUDA_FLAGS=-allow-unsupported-compiler"
    fi
fi
# Configure on the first build and whenever the CPU/CUDA choice changed.
if [ ! -f "$out/CMakeCache.txt" ] || ! grep -q "^GM_CUDA:STRING=$gm_cuda\$" "$out/CMakeCache.txt"; then
    $lock cmake -S "$src" -B "$out" -DCMAKE_BUILD_TYPE=Release -DGM_BUILD_TESTS=OFF -DGM_BUILD_BENCH=OFF \
        -DCMAKE_CXX_COMPILER="$cxx" -DGM_CUDA=$gm_cuda $cuda_flags || exit 1
fi
exec $lock cmake --build "$out" --target genomamba -j2
