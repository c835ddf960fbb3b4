#!/usr/bin/env bash
# PostgreSQL and many nodes (issue 7): the gate on one node and on two nodes, against pgbench
# running the gate's own statements (gate.sql) at the same concurrency, for one tenant and for
# many; then approval on node A → execution start on node B with LISTEN/NOTIFY and without.
# Each measurement runs REPEAT times, each time in a fresh database, on one throwaway cluster
# started with durable settings (STEWARD_PG_DURABLE=1: fsync, synchronous_commit and
# full_page_writes on), under two planner settings: the server's defaults, and
# enable_seqscan=off for the database (ALTER DATABASE … SET), which keeps the tiny hot tables
# (ledger_heads, job_backlog, the settings tables) on index scans and so off relation-level
# SIREAD locks (see docs/BENCHMARKS.md). Prints markdown tables; the cluster is stopped by its
# PID at exit.
#
# Usage: bench/pg/run.sh [BUILD_DIR]
# Env: THREADS=16 INTENTS=10000 TENANTS="1 16" SECS=10 REPEAT=3 PLANNERS="default seqscan_off"
#      LATENCY="16:200 1:50" (tenants:approvals per second) POLL_MS=5000
set -euo pipefail
BUILD=${1:-build}
THREADS=${THREADS:-16}
INTENTS=${INTENTS:-10000}
TENANTS=${TENANTS:-"1 16"}
SECS=${SECS:-10}
REPEAT=${REPEAT:-3}
PLANNERS=${PLANNERS:-"default seqscan_off"}
LATENCY=${LATENCY:-"16:200 1:50"}
POLL_MS=${POLL_MS:-5000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
PG_BENCH="$BUILD/bench/pg_bench"
if [ ! -x "$PG_BENCH" ]; then
  echo "| pg_bench | — | not built (configure with -DSTEWARD_WITH_POSTGRES=ON) |"
  exit 0
fi
command -v pgbench >/dev/null || { echo "| pgbench | — | not installed (make deps) |"; exit 0; }

TMP=$(mktemp -d)
chmod 755 "$TMP"
STATE="$TMP/pg.state"
cleanup() {
  [ -f "$STATE" ] && tests/pg/stop.sh "$STATE" >/dev/null 2>&1
  rm -rf "$TMP"
}
trap cleanup EXIT
URL=$(STEWARD_PG_DURABLE=1 tests/pg/start.sh "$STATE" 2>"$TMP/start.log") || {
  cat "$TMP/start.log" >&2
  exit 1
}
# shellcheck disable=SC1090
. "$STATE"
BASE=${URL%/postgres}
if [ "$(id -u)" = 0 ]; then AS=(runuser -u postgres --); else AS=(); fi
psql_q() { psql "$BASE/${1}" -qAtX -v ON_ERROR_STOP=1 -c "$2"; }
SETTINGS=$(psql_q postgres "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'max_connections', 'wal_level')")
echo "PostgreSQL $(psql_q postgres 'SHOW server_version'), $(nproc) cores, $(date -u +%F): $SETTINGS"

# The server's CPU seconds (all its processes, exited ones included), per decision / transaction.
server_cpu() {
  local ticks=0 f stat
  for f in /proc/[0-9]*/stat; do
    stat=$(cat "$f" 2>/dev/null) || continue
    stat=${stat##*) }
    # shellcheck disable=SC2086
    set -- $stat
    if [ "$2" = "$PG_PID" ]; then ticks=$((ticks + ${12} + ${13})); fi
    # The postmaster's own time and that of its reaped children (pgbench's backends exit).
    if [ "${f//[^0-9]/}" = "$PG_PID" ]; then ticks=$((ticks + ${12} + ${13} + ${14} + ${15})); fi
  done
  echo "$ticks $(getconf CLK_TCK)" | awk '{printf "%.3f", $1 / $2}'
}

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# --- the statements of one gate decision, from the server's log --------------------------------
# A database with log_statement=all, one tenant configured and three decisions: the statements of
# the third (its BEGIN … COMMIT) are counted and compared with gate.sql, so a change of the gate
# that the peer script does not follow is seen here.
psql_q postgres "CREATE DATABASE trace" && psql_q postgres "ALTER DATABASE trace SET log_statement = 'all'"
LOG_FROM=$(wc -l <"$PG_DIR/server.log")
"$PG_BENCH" --url "$BASE/trace" --mode gate --threads 1 --intents 3 >/dev/null
GATE_STMTS=$(tail -n +"$LOG_FROM" "$PG_DIR/server.log" | grep -E 'LOG:  (execute|statement)' | grep -v pg_notify |
  awk '/BEGIN ISOLATION LEVEL SERIALIZABLE/ {n = 0; gate = 0; in_txn = 1; next}
       /statement: COMMIT/ && in_txn {if (gate) last = n; in_txn = 0; next}
       in_txn {n++; if ($0 ~ /emergency_stop/) gate = 1}
       END {print last}')
PEER_STMTS=$(grep -cE '^(SELECT|INSERT|UPDATE|DELETE)' bench/pg/gate.sql)
echo "statements per gate decision (log_statement=all): $GATE_STMTS; in bench/pg/gate.sql: $PEER_STMTS"
if [ "$GATE_STMTS" != "$PEER_STMTS" ]; then
  echo "WARNING: bench/pg/gate.sql no longer matches the gate's statements" >&2
fi
psql_q postgres "DROP DATABASE trace"

# A fresh database for one measurement, with the planner setting $1.
new_db() {
  psql_q postgres "CREATE DATABASE $2"
  if [ "$1" = seqscan_off ]; then psql_q postgres "ALTER DATABASE $2 SET enable_seqscan = off"; fi
}

# --- gate: 1 node, 2 nodes, pgbench ----------------------------------------------------------------
PGBENCH_D=(-D "n=$INTENTS" -D "day=$(date -u +%F)")
while IFS= read -r line; do
  case "$line" in '#'* | '') continue ;; esac
  PGBENCH_D+=(-D "$line")
done <bench/pg/gate.vars

echo
echo "| system | planner | tenants | concurrency | decisions | failed | decisions/s | p50 | p99 | re-runs/decision | client CPU/decision | server CPU/decision |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
: >"$TMP/summary"
for planner in $PLANNERS; do
  for tenants in $TENANTS; do
    for rep in $(seq 1 "$REPEAT"); do
      db="gate_${planner}_${tenants}_$rep"
      new_db "$planner" "$db"
      one=0 two=0
      if OUT=$("$PG_BENCH" --url "$BASE/$db" --mode gate --threads "$THREADS" --intents "$INTENTS" \
        --tenants "$tenants" --server-pid "$PG_PID" 2>"$TMP/pg_bench.err"); then
        echo "$OUT" | grep '^|' | sed "s/^| \([^|]*\) | /| \1 | $planner | /"
        RESULT=$(echo "$OUT" | grep '^RESULT')
        one=$(echo "$RESULT" | grep -oE 'one=[0-9]+' | cut -d= -f2)
        two=$(echo "$RESULT" | grep -oE 'two=[0-9]+' | cut -d= -f2)
      else
        echo "| gate (set-up or run failed) | $planner | $tenants | $THREADS | $INTENTS | | | | | | | $(grep pg_bench: "$TMP/pg_bench.err" | tail -1 | cut -c1-160) |"
      fi

      # The peer, in the same database: its own intents p0 … p(n-1), shaped like the gate's.
      psql_q "$db" "INSERT INTO intents (tenant_id, action_intent_id, account_id, action_type, parameters, target, confidence_score, execution_policy, registry_version, content_hash, status, created_at, created_by, updated_at) SELECT 'bench-t' || (i % $tenants), 'p' || i, 'acct-' || ((i / $tenants) % 16), 'CREATE_INTERNAL_TASK', '{\"title\":\"bench\"}', '{}', 0.9, '{\"max_attempts\":3,\"retry_count\":2,\"timeout_seconds\":30}', 1, md5(i::text), 'PROPOSED', 0, 'agent', 0 FROM generate_series(0, $INTENTS - 1) AS i"
      psql_q "$db" "VACUUM ANALYZE"
      peer_tps=()
      for iso in SERIALIZABLE "READ COMMITTED"; do
        sed "s/^BEGIN ISOLATION LEVEL SERIALIZABLE;/BEGIN ISOLATION LEVEL $iso;/" bench/pg/gate.sql >"$TMP/gate.sql"
        chmod 644 "$TMP/gate.sql"
        cpu0=$(server_cpu)
        POUT=$("${AS[@]}" pgbench -h 127.0.0.1 -p "$PG_PORT" -U postgres -n -M prepared \
          -c "$THREADS" -j 2 -T "$SECS" --max-tries=0 "${PGBENCH_D[@]}" -D "tenants=$tenants" \
          -f "$TMP/gate.sql" "$db" 2>"$TMP/pgbench.err") || { cat "$TMP/pgbench.err" >&2; exit 1; }
        cpu1=$(server_cpu)
        tps=$(echo "$POUT" | grep -E '^tps' | grep -oE '[0-9.]+' | head -1 | awk '{print int($1)}')
        txns=$(echo "$POUT" | grep -E 'number of transactions actually processed' | grep -oE '[0-9]+' | head -1)
        retries=$(echo "$POUT" | grep -E 'total number of retries' | grep -oE '[0-9]+' | head -1)
        lat=$(echo "$POUT" | grep -E 'latency average' | grep -oE '[0-9.]+ ms')
        srv=$(echo "$cpu0 $cpu1 $txns" | awk '{printf "%.0f", ($3 > 0 ? ($2 - $1) * 1e6 / $3 : 0)}')
        rr=$(echo "${retries:-0} $txns" | awk '{printf "%.2f", ($2 > 0 ? $1 / $2 : 0)}')
        echo "| pgbench gate.sql, $iso | $planner | $tenants | $THREADS | $txns | | $tps | avg $lat | | $rr | | $srv µs |"
        peer_tps+=("$tps")
      done
      echo "$planner $tenants $one $two ${peer_tps[0]} ${peer_tps[1]}" >>"$TMP/summary"
      psql_q postgres "DROP DATABASE $db"
    done
  done
done

echo
echo "| planner | tenants | gate, 1 node | gate, 2 nodes | 2 nodes / 1 node | pgbench SERIALIZABLE | gate / pgbench | pgbench READ COMMITTED | gate / pgbench RC |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for planner in $PLANNERS; do
  for tenants in $TENANTS; do
    col() { awk -v p="$planner" -v t="$tenants" -v c="$1" '$1 == p && $2 == t {print $c}' "$TMP/summary" | median; }
    echo "$planner $tenants $(col 3) $(col 4) $(col 5) $(col 6)" |
      awk '{printf "| %s | %d | %.0f | %.0f | %.2f | %.0f | %.2f | %.0f | %.2f |\n", $1, $2, $3, $4, ($3 > 0 ? $4 / $3 : 0), $5, ($5 > 0 ? $3 / $5 : 0), $6, ($6 > 0 ? $3 / $6 : 0)}'
  done
done
echo "(medians of $REPEAT runs, a failed run counting as 0; each ratio is of medians)"

# --- approval on node A → execution start on node B ----------------------------------------------
echo
echo "| path | planner | tenants | approvals | approved | started | p50 | p99 | max | Approve p99 | re-runs/approval | re-runs/write on B |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for planner in $PLANNERS; do
  for cfg in $LATENCY; do
    tenants=${cfg%%:*}
    rate=${cfg##*:}
    for rep in $(seq 1 "$REPEAT"); do
      db="latency_${planner}_${tenants}_$rep"
      new_db "$planner" "$db"
      notify_off=()
      if [ "$rep" = 1 ]; then notify_off=(--notify-off); fi
      if ! "$PG_BENCH" --url "$BASE/$db" --mode latency --tenants "$tenants" --rate "$rate" \
        --seconds "$SECS" --poll-ms "$POLL_MS" "${notify_off[@]}" 2>"$TMP/pg_bench.err" |
        sed "s/^| approval on A → execution start on B, \([^|]*\) | /| \1 | $planner | /"; then
        echo "| (failed) | $planner | $tenants | $rate/s | | | | | | | | $(grep pg_bench: "$TMP/pg_bench.err" | tail -1 | cut -c1-160) |"
      fi
      failures=$(grep -c 'pg_bench: approve' "$TMP/pg_bench.err" || true)
      if [ "$failures" != 0 ]; then echo "(failed approvals: $(grep 'pg_bench: approve' "$TMP/pg_bench.err" | head -1 | cut -c1-200))"; fi
      psql_q postgres "DROP DATABASE $db"
    done
  done
done
