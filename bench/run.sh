#!/usr/bin/env bash
# Runs every benchmark and prints markdown tables (copy the figures into docs/BENCHMARKS.md).
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
echo "## Gate, in-process ($(nproc) cores, $(date -u +%F))"
"$BUILD/bench/gate_bench" --intents 40000 --threads 64
for script in bench/*/run.sh; do
  [ -f "$script" ] || continue
  echo; echo "## $(basename "$(dirname "$script")")"
  bash "$script" "$BUILD"
done
