#!/usr/bin/env bash
# Runs a command with every library that picks CPU kernels at run time held to one level, so that an AVX-512
# machine computes what an AVX2-only or an old x86-64 CPU computes (README, CPUs):
#   ATEN_CPU_CAPABILITY      libtorch's own ATen kernels (elementwise, reductions, randn)
#   ONEDNN_MAX_CPU_ISA       oneDNN inside libtorch (bf16 matmuls and convolutions)
#   MKL_ENABLE_INSTRUCTIONS  MKL inside libtorch (fp32 gemm, FFT)
#   GENOMAMBA_ISA            libgenomamba (the selective scan)
# Each variable only narrows the choice; none widens it past the CPU. Forcing ATen alone is not enough: on an
# AVX2-only CPU it is oneDNN that drops its bf16 matmul kernels.
# Usage: tools/cpu-kernels.sh avx2|scalar COMMAND [ARGS...]
set -euo pipefail
level="${1:-}"
case "$level" in
  avx2)
    export ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2 GENOMAMBA_ISA=avx2 ;;
  scalar)
    export ATEN_CPU_CAPABILITY=default ONEDNN_MAX_CPU_ISA=SSE41 MKL_ENABLE_INSTRUCTIONS=SSE4_2 GENOMAMBA_ISA=scalar ;;
  *)
    echo "usage: tools/cpu-kernels.sh avx2|scalar COMMAND [ARGS...]" >&2
    exit 2 ;;
esac
shift
[ $# -gt 0 ] || { echo "tools/cpu-kernels.sh: give the command to run after '$level'" >&2; exit 2; }
exec "$@"
