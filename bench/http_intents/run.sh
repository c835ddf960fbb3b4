#!/usr/bin/env bash
# HTTP end to end: POST /v1/intents with the gate running (each request creates a distinct intent
# that auto-executes), `wrk -t2 -c$C -d$DURATION` for each C of $CONNECTIONS, each against a fresh
# server, against nginx serving a static JSON file on the
# same machine in the same run (the ceiling for any HTTP server here).
# Usage: bench/http_intents/run.sh [BUILD_DIR]   Env: DURATION=20s, DURABILITY=full, CONNECTIONS="32 64"
set -euo pipefail
BUILD=${1:-build}
DURATION=${DURATION:-20s}
DURABILITY=${DURABILITY:-full}
CONNECTIONS=${CONNECTIONS:-32 64}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
STEWARD="$BUILD/steward"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
TMP=$(mktemp -d)
PIDS=()
FAILED=0
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- Steward: one fresh server per concurrency ----------------------------------------------
STEWARD_ROWS=()
for C in $CONNECTIONS; do
  PORT=$(free_port)
  rm -rf "$TMP/data"
  "$STEWARD" serve --listen "127.0.0.1:$PORT" --data-dir "$TMP/data" --durability "$DURABILITY" \
    --log-level warn >"$TMP/steward.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
  TOKEN=$("$STEWARD" token --data-dir "$TMP/data" --tenant bench --role admin --ttl 1h)
  api() { curl -sf -X "$1" "http://127.0.0.1:$PORT$2" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -d "$3" >/dev/null; }
  api PUT /v1/autonomy/allowlist '{"action_types":["CREATE_INTERNAL_TASK"]}'
  api PUT /v1/autonomy/config '{"action_type":"CREATE_INTERNAL_TASK","mode":"AUTO_EXECUTE"}'
  api PUT /v1/autonomy/policy '{"max_pending_jobs":100000000}'
  for a in $(seq 0 15); do
    api PUT /v1/autonomy/budget "{\"account_id\":\"acct-$a\",\"max_autonomous_per_day\":1000000}"
done
OUT=$(STEWARD_TOKEN=$TOKEN wrk -t2 -c"$C" -d"$DURATION" --latency -s bench/http_intents/intents.lua \
  "http://127.0.0.1:$PORT" 2>"$TMP/wrk.err")
RESULT=$(echo "$OUT" | grep '^RESULT')
STEWARD_ROWS+=("$C|$RESULT")
REPLAYS=$(echo "$RESULT" | tr ' ' '\n' | grep '^replays=' | cut -d= -f2)
AUTO=$(curl -sf "http://127.0.0.1:$PORT/v1/intents?status=APPROVED&limit=1" -H "Authorization: Bearer $TOKEN" | jq '.items | length')
VERIFY=$(curl -sf "http://127.0.0.1:$PORT/v1/ledger/verify" -H "Authorization: Bearer $TOKEN" | jq -r '.ok')
echo "c$C: ledger verifies after the run: $VERIFY; an intent was auto-executed: $([ "$AUTO" = 1 ] && echo yes || echo no); replayed ids (must be 0): $REPLAYS" >>"$TMP/checks"
[ "$REPLAYS" = 0 ] || FAILED=1
kill "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null || true; PIDS=()
done

# --- nginx, static JSON -------------------------------------------------------------------
NPORT=$(free_port)
mkdir -p "$TMP/nginx/html"; chmod 755 "$TMP"
echo '{"ok":true}' >"$TMP/nginx/html/x.json"
cat >"$TMP/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $TMP/nginx/body;
  server { listen 127.0.0.1:$NPORT; root $TMP/nginx/html; location / { default_type application/json; } }
}
CONF
"$NGINX" -c "$TMP/nginx/nginx.conf" -g 'daemon off;' &
PIDS+=($!)
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$NPORT/x.json" >/dev/null && break; sleep 0.1; done
cat >"$TMP/nginx.lua" <<'LUA'
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f requests=%d non2xx=%d sockerr=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.requests, e.status,
    e.connect + e.read + e.write + e.timeout))
end
LUA
NGINX_LINE=$(wrk -t2 -c64 -d"$DURATION" -s "$TMP/nginx.lua" "http://127.0.0.1:$NPORT/x.json" | grep '^RESULT')

row() {  # name RESULT-line
  local l=$2 get
  get() { echo "$l" | tr ' ' '\n' | grep "^$1=" | cut -d= -f2; }
  echo "| $1 | $(get rps) | $(get p50_ms) | $(get p99_ms) | $(get max_ms) | $(get requests) | $(get non2xx) | $(get sockerr) |"
}
echo "| server (wrk -t2 -d$DURATION) | req/s | p50 ms | p99 ms | max ms | requests | non-2xx | socket errors |"
echo "|---|---|---|---|---|---|---|---|"
for r in "${STEWARD_ROWS[@]}"; do
  row "steward POST /v1/intents -c${r%%|*}, gate on, durability=$DURABILITY" "${r#*|}"
done
row "nginx static JSON -c64 (ceiling)" "$NGINX_LINE"
echo
cat "$TMP/checks"
[ -s "$TMP/wrk.err" ] && { echo "wrk stderr:"; head -5 "$TMP/wrk.err"; }
if [ "$FAILED" != 0 ]; then echo "some requests replayed an id: the figures above do not measure distinct intents" >&2; exit 1; fi
exit 0
