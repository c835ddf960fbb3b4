#!/usr/bin/env bash
# The seed's end-to-end suite, ported (SPEC §14): auto-exec, fallback, decision scheduler,
# audit export, in that order; stops at the first failure.
set -euo pipefail
DIR=$(cd "$(dirname "$0")" && pwd)
start=$SECONDS
for t in test-autoexec.sh test-fallback.sh test-decision-scheduler.sh test-audit-export.sh; do
  echo "== $t"
  bash "$DIR/$t" || { echo "e2e: $t FAILED" >&2; exit 1; }
done
echo "e2e: all 4 passed in $((SECONDS - start)) s"
