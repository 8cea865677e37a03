#!/usr/bin/env bash
# Regenerates every file in notebooks/results/ from the embedded data (data/human, data/apes).
# Run from the repository root after `dotnet build Genomics.Cli -c Release`. Checkpoints go to $RUNS (not committed).
# Each run uses one torch thread (--threads 1) so two can share a 2-core machine; see README.md for the times measured.
set -euo pipefail
G="dotnet Genomics.Cli/bin/Release/net10.0/linux-x64/genomamba.dll"
RUNS=${RUNS:-/tmp/nb-runs}
OUT=notebooks/results
mkdir -p "$RUNS" "$OUT"

# 1. Pretrain a small Mamba (d64 × 4, 131,904 parameters) and a small HyenaDNA (d64 × 2, l_max 4,098, 128,512
#    parameters) with the quick recipe: 60 steps of 2^14 tokens (the schedule stops inside its first stage, L = 1,024).
$G pretrain --recipe quick --model mamba --len 4096 --threads 1 --out "$RUNS/pre-mamba" &
$G pretrain --recipe quick --model hyena --len 4096 --threads 1 --out "$RUNS/pre-hyena" &
wait

# 2. Perplexity vs context on the embedded test tiles: every position, and only the last 128 positions of each window.
#    HyenaDNA cannot go past its l_max (4,096 + 2); Mamba also runs at 16,384.
$G evaluate --checkpoint "$RUNS/pre-mamba/checkpoint.gmckpt" --lens 256,1024,4096,16384 --max-windows 64 --out "$OUT/perplexity-mamba"
$G evaluate --checkpoint "$RUNS/pre-hyena/checkpoint.gmckpt" --lens 256,1024,4096 --max-windows 64 --out "$OUT/perplexity-hyena"
$G evaluate --checkpoint "$RUNS/pre-mamba/checkpoint.gmckpt" --lens 256,1024,4096,16384 --tail 128 --max-windows 64 --out "$OUT/perplexity-mamba-tail128"
$G evaluate --checkpoint "$RUNS/pre-hyena/checkpoint.gmckpt" --lens 256,1024,4096 --tail 128 --max-windows 64 --out "$OUT/perplexity-hyena-tail128"

# 3. Species (embedded apes, 4 species) at three context lengths, from the pretrained Mamba, quick recipe
#    (2 epochs × 16 steps of 16 windows), then accuracy on the fixed test split at the same length.
for L in 1024 2048 4096; do
  $G finetune-species --from "$RUNS/pre-mamba/checkpoint.gmckpt" --len $L --threads 1 --out "$RUNS/species-mamba-L$L"
  $G evaluate --checkpoint "$RUNS/species-mamba-L$L/checkpoint.gmckpt" --len $L --out "$OUT/species-mamba-L$L"
done

# 4. The notebooks' two combined charts, as PNG from the CLI.
$G plot perplexity "$OUT/perplexity-mamba" "$OUT/perplexity-mamba-tail128" "$OUT/perplexity-hyena" "$OUT/perplexity-hyena-tail128" \
  --out "$OUT/perplexity-vs-context.png"
$G plot species "$OUT/species-mamba-L1024" "$OUT/species-mamba-L2048" "$OUT/species-mamba-L4096" --out "$OUT/species-vs-context.png"
