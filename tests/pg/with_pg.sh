#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster, then stops the cluster.
# Usage: tests/pg/with_pg.sh COMMAND [ARGS...]
# The command sees STEWARD_TEST_PG_URL (the cluster's admin URL) and STEWARD_TEST_PG_REQUIRED=1,
# so PostgreSQL tests fail rather than skip when something is wrong. Exits with the command's
# status, or non-zero (loudly) when the cluster cannot start.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ "$#" -ge 1 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }

state=$(mktemp "${TMPDIR:-/tmp}/steward-pg-state.XXXXXX") || {
  echo "!! tests/pg/with_pg.sh: cannot create a state file in ${TMPDIR:-/tmp}: PostgreSQL tests NOT run" >&2
  exit 1
}
stop() {
  "$here/stop.sh" "$state" || true
  rm -f "$state"
}
trap stop EXIT
url=$("$here/start.sh" "$state")
rc=0
STEWARD_TEST_PG_URL="$url" STEWARD_TEST_PG_REQUIRED=1 "$@" || rc=$?
exit "$rc"
