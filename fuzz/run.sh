#!/usr/bin/env bash
# fuzz/run.sh BUILD_DIR SECONDS [TARGET...]: runs each libFuzzer target of BUILD_DIR/fuzz/ for
# SECONDS, starting from its committed seeds (fuzz/corpus/<target>/) and past findings
# (fuzz/regressions/<target>/), which are never written to. New interesting inputs go to
# BUILD_DIR/fuzz/new/<target>/, a crashing input to BUILD_DIR/fuzz/crashes/, the log to
# BUILD_DIR/fuzz/logs/<target>.log. Prints one line per target (runs, exec/s, coverage) and
# stops at the first target that finds a crash, printing its report. Targets: all by default.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}
seconds=${2:?usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(http_request_fuzz http_wire_fuzz jwt_fuzz ledger_verify_fuzz cron_tz_fuzz
           canonical_json_fuzz)
fi
mkdir -p "$build/fuzz/crashes" "$build/fuzz/logs"
# Symbolized reports; UBSan findings abort (the libraries are also built with
# -fno-sanitize-recover=all). Leak checks stay on (libFuzzer's default).
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:symbolize=1}
for t in "${targets[@]}"; do
  bin="$build/fuzz/$t"
  [ -x "$bin" ] || { echo "fuzz/run.sh: $bin is not built" >&2; exit 2; }
  new="$build/fuzz/new/$t"
  mkdir -p "$new"
  dirs=("$new" "fuzz/corpus/$t")
  [ -d "fuzz/regressions/$t" ] && dirs+=("fuzz/regressions/$t")
  log="$build/fuzz/logs/$t.log"
  # -timeout: one input taking this long is a finding (a hang), as is going over -rss_limit_mb.
  if ! "$bin" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$build/fuzz/crashes/$t-" "${dirs[@]}" >"$log" 2>&1; then
    echo "== $t: FAILED (log: $log)" >&2
    grep -v '^#' "$log" | tail -n 60 >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
  echo "== $t: ${seconds}s, $runs runs, $rate exec/s, $cov"
done
