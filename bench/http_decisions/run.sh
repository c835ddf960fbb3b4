#!/usr/bin/env bash
# RUN_DECISION throughput: Steward over HTTP (wrk -t2, distinct keys) and in process,
# against two peers measured in the same run: Redis `SET key val NX` (redis-benchmark, an
# in-memory ceiling) and PostgreSQL `INSERT … ON CONFLICT DO NOTHING` (pgbench, a durable peer,
# synchronous_commit on). Usage: bench/http_decisions/run.sh [BUILD_DIR]
# Env: DURATION=10s, CONNECTIONS="32 64" (one wrk run per number of connections, each against a
# fresh server: the throughput/latency curve).
set -euo pipefail
BUILD=${1:-build}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32 64}
SECS=${DURATION%s}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
TMP=$(mktemp -d)
chmod 755 "$TMP"
PIDS=()
PGDATA=""
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  if [ -n "$PGDATA" ]; then runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
echo "| system | requests/s | p50 | p99 | notes |"
echo "|---|---:|---:|---:|---|"

# --- Steward over HTTP: one fresh server per concurrency -----------------------------------
for C in $CONNECTIONS; do
  PORT=$(free_port)
  rm -rf "$TMP/data"
  "$BUILD/steward" serve --listen "127.0.0.1:$PORT" --data-dir "$TMP/data" --log-level warn >"$TMP/steward.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
  TOKEN=$("$BUILD/steward" token --data-dir "$TMP/data" --tenant bench --role admin --ttl 1h)
  LINE=$(STEWARD_TOKEN=$TOKEN wrk -t2 -c"$C" -d"$DURATION" --latency -s bench/http_decisions/triggers.lua \
    "http://127.0.0.1:$PORT" | grep '^RESULT')
  get() { echo "$LINE" | tr ' ' '\n' | grep "^$1=" | cut -d= -f2; }
  echo "| steward POST /v1/decisions/triggers (wrk -t2 -c$C) | $(get rps) | $(get p50_ms) ms | $(get p99_ms) ms | non-2xx $(get non2xx), duplicate keys $(get duplicates), synchronous=FULL |"
  if [ "$(get duplicates)" != 0 ]; then echo "some triggers repeated a key: the figures above do not measure distinct evaluations" >&2; exit 1; fi
  kill "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null || true; PIDS=()
done

# --- Steward in process ------------------------------------------------------------------------
"$BUILD/bench/decision_bench" --evaluations 40000 --threads 64 2>/dev/null | sed 's/$/ synchronous=FULL |/' | sed 's/| \([0-9]*\) | \([0-9]*\) | \(.*\) | \(.*\) | \(.*\)/| \2 | \3 | \4 | \5/'

# --- Redis SET NX (in-memory ceiling) ----------------------------------------------------------
if command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null; then
  RPORT=$(free_port)
  redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >/dev/null &
  PIDS+=($!)
  for _ in $(seq 1 50); do redis-cli -p "$RPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  N=$((SECS * 60000))
  OUT=$(redis-benchmark -p "$RPORT" -c 64 -n "$N" -r 100000000 -q SET "key:__rand_int__" v NX 2>/dev/null | tr '\r' '\n' | grep -E 'requests per second' | tail -1)
  RPS=$(echo "$OUT" | grep -oE '[0-9.]+ requests per second' | awk '{print int($1)}')
  P50=$(echo "$OUT" | grep -oE 'p50=[0-9.]+' | cut -d= -f2)
  echo "| redis SET key val NX (redis-benchmark -c 64) | $RPS | ${P50:-?} ms | — | in memory, no persistence |"
else
  echo "| redis SET NX | — | — | — | redis-server not installed |"
fi

# --- PostgreSQL INSERT … ON CONFLICT DO NOTHING (durable peer) ----------------------------------
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -n "$PGBIN" ] && id postgres >/dev/null 2>&1; then
  PGDATA="$TMP/pg"
  mkdir -p "$PGDATA" && chown postgres "$PGDATA"
  PGPORT=$(free_port)
  runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -A trust -U postgres >/dev/null
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/log" -o "-p $PGPORT -k $PGDATA -c listen_addresses=127.0.0.1 -c max_connections=100" -w start >/dev/null
  PSQL=(runuser -u postgres -- "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -q)
  "${PSQL[@]}" -c "CREATE TABLE reservations (tenant_id text, idempotency_key text, result text, reserved_at bigint, PRIMARY KEY (tenant_id, idempotency_key))"
  cat >"$TMP/insert.sql" <<'SQL'
\set k random(1, 1000000000)
INSERT INTO reservations VALUES ('bench', 'k' || :k, '{"result":"ALLOW"}', 0) ON CONFLICT DO NOTHING;
SQL
  chmod 644 "$TMP/insert.sql"
  OUT=$(runuser -u postgres -- "$PGBIN/pgbench" -h 127.0.0.1 -p "$PGPORT" -U postgres -n -c 64 -j 2 -T "$SECS" -f "$TMP/insert.sql" postgres 2>/dev/null)
  TPS=$(echo "$OUT" | grep -E '^tps' | grep -oE '[0-9.]+' | head -1 | awk '{print int($1)}')
  LAT=$(echo "$OUT" | grep -E 'latency average' | grep -oE '[0-9.]+ ms')
  echo "| postgresql INSERT … ON CONFLICT DO NOTHING (pgbench -c 64) | $TPS | avg $LAT | — | synchronous_commit=on |"
else
  echo "| postgresql | — | — | — | not installed |"
fi
