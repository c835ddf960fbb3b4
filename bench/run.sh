#!/usr/bin/env bash
# Runs every benchmark and prints markdown tables (copy the figures into docs/BENCHMARKS.md).
# Usage: bench/run.sh [BUILD_DIR]
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
echo "## Gate, in-process ($(nproc) cores, $(date -u +%F))"
"$BUILD/bench/gate_bench" --intents 40000 --threads 64

echo
echo "## Execution: approved intents to SUCCEEDED outcomes"
echo "| pipeline | intents | drain rate | open-loop approvals | p50 approval→outcome | p99 |"
echo "|---|---|---|---|---|---|"
"$BUILD/bench/exec_bench" --connector internal 2>/dev/null
TMP=$(mktemp -d)
python3 tests/connector_server/connector_server.py --port 0 --port-file "$TMP/port" &
CONNECTOR_PID=$!
trap 'kill $CONNECTOR_PID 2>/dev/null || true; rm -rf "$TMP"' EXIT
for _ in $(seq 1 100); do [ -s "$TMP/port" ] && break; sleep 0.05; done
"$BUILD/bench/exec_bench" --connector http --url "http://127.0.0.1:$(cat "$TMP/port")/tools" 2>/dev/null
kill $CONNECTOR_PID 2>/dev/null || true

echo
echo "## Audit export, 1,000,000 rows to CSV"
echo "| system | rows | time | throughput | memory |"
echo "|---|---|---|---|---|"
"$BUILD/bench/export_bench" --rows 1000000 2>/dev/null

for script in bench/*/run.sh; do
  [ -f "$script" ] || continue
  echo; echo "## $(basename "$(dirname "$script")")"
  bash "$script" "$BUILD"
done
