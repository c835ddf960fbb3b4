#!/usr/bin/env bash
# Stops a cluster started by tests/pg/start.sh and removes its directory.
# Usage: tests/pg/stop.sh STATE_FILE|CLUSTER_DIR
# pg_ctl stop (fast) first; if the server is still there after 30 s, SIGKILL by its PID.
set -uo pipefail

arg=${1:?usage: tests/pg/stop.sh STATE_FILE|CLUSTER_DIR}
if [ -d "$arg" ]; then arg="$arg/state"; fi
[ -f "$arg" ] || { echo "tests/pg/stop.sh: no state file $arg" >&2; exit 1; }
PG_DIR=""
# shellcheck disable=SC1090
. "$arg"
[ -n "$PG_DIR" ] || exit 0  # start.sh failed before writing the state: nothing runs
case "$PG_DIR" in
  */steward-pg.*) ;;
  *) echo "tests/pg/stop.sh: refusing to touch '$PG_DIR' (not a steward-pg directory)" >&2; exit 1 ;;
esac

if [ "$(id -u)" = 0 ]; then AS=(runuser -u postgres --); else AS=(); fi
if [ -f "$PG_DIR/data/postmaster.pid" ]; then
  "${AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
fi
if kill -0 "$PG_PID" 2>/dev/null && [ "$(cat /proc/"$PG_PID"/comm 2>/dev/null)" = postgres ]; then
  kill -KILL "$PG_PID" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.1; done
fi
rm -rf "$PG_DIR"
exit 0
