# Shared helpers of the load and chaos runs (tests/load/*.sh). Source it after setting ROOT.
# Nodes listen on free loopback ports; everything started here is stopped by PID on exit.
set -euo pipefail
STEWARD_BIN=${STEWARD_BIN:-$ROOT/build/steward}
[ -x "$STEWARD_BIN" ] || { echo "no steward binary at $STEWARD_BIN (make build, or set STEWARD_BIN)" >&2; exit 2; }
# LOAD_WORK: use this (new or empty) directory for the run's files instead of a fresh one.
if [ -n "${LOAD_WORK:-}" ]; then WORK=$LOAD_WORK; mkdir -p "$WORK"; else WORK=$(mktemp -d /tmp/steward-load.XXXXXX); fi
KEEP_WORK=${KEEP_WORK:-0}  # 1: keep $WORK (logs, samples, the data directory) after the run
PG_STATE=""
declare -A NODE_PID NODE_PORT NODE_ARGS
BG_PIDS=()

load_cleanup() {
  local p
  for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${NODE_PID[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${NODE_PID[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "$PG_STATE" ]; then "$ROOT/tests/pg/stop.sh" "$PG_STATE" || true; fi
  if [ "$KEEP_WORK" = 1 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap load_cleanup EXIT

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
now() { date +%s.%N; }

# start_pg: a throwaway PostgreSQL cluster (tests/pg/start.sh) and a fresh database in it;
# sets PG_STATE, PG_ADMIN_URL, DB_URL (and PG_DIR, PG_BIN, PG_PORT from the state file).
start_pg() {
  PG_STATE=$WORK/pg.state
  PG_ADMIN_URL=$("$ROOT/tests/pg/start.sh" "$PG_STATE")
  # shellcheck disable=SC1090
  . "$PG_STATE"
  psql "$PG_ADMIN_URL" -qAtc "CREATE DATABASE steward_load" >/dev/null
  DB_URL="${PG_ADMIN_URL%/*}/steward_load"
}

# pg_ctl_as ARGS...: pg_ctl on the throwaway cluster (as the postgres user when root).
pg_ctl_as() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" "$@"
  else "$PG_BIN/pg_ctl" -D "$PG_DIR/data" "$@"; fi
}

# start_node NAME [serve args...]: starts (or, with NODE_PORT[NAME] set, restarts on the same
# port, so the node keeps its lease owner id) a node; waits for /readyz.
start_node() {
  local name=$1
  shift
  if [ "$#" -gt 0 ]; then NODE_ARGS[$name]="$*"; fi
  local port=${NODE_PORT[$name]:-$(free_port)}
  NODE_PORT[$name]=$port
  # shellcheck disable=SC2086
  "$STEWARD_BIN" serve --listen "127.0.0.1:$port" --log-level warn ${NODE_ARGS[$name]} \
    >>"$WORK/$name.log" 2>&1 &
  NODE_PID[$name]=$!
  local i
  for i in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    kill -0 "${NODE_PID[$name]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "node $name did not become ready; log:" >&2
  tail -n 30 "$WORK/$name.log" >&2
  return 1
}
node_url() { echo "http://127.0.0.1:${NODE_PORT[$1]}"; }
kill9_node() {
  kill -KILL "${NODE_PID[$1]}" 2>/dev/null || true
  wait "${NODE_PID[$1]}" 2>/dev/null || true
}

# api TOKEN METHOD PATH [BODY]: one call against $BASE; fails loudly on a non-2xx answer.
api() {
  local tok=$1 method=$2 path=$3 body=${4-} out code
  out=$(mktemp "$WORK/api.XXXXXX")
  code=$(curl -s -o "$out" -w '%{http_code}' -X "$method" "$BASE$path" \
    -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' ${body:+--data-binary "$body"})
  if [ "${code:0:1}" != 2 ]; then
    echo "setup call $method $path -> $code: $(cat "$out")" >&2
    rm -f "$out"
    return 1
  fi
  cat "$out"
  rm -f "$out"
}

# setup_tenant ADMIN_TOKEN: CREATE_INTERNAL_TASK auto-executes; budget accounts acct-b0..b3 have
# small budgets (spent during the run, so the limit is hit under load), acct-b4..b7 large ones;
# acct-h* have no budget (every intent there waits for approval).
setup_tenant() {
  local tok=$1 a max
  api "$tok" PUT /v1/autonomy/allowlist '{"action_types":["CREATE_INTERNAL_TASK"]}' >/dev/null
  api "$tok" PUT /v1/autonomy/config '{"action_type":"CREATE_INTERNAL_TASK","mode":"AUTO_EXECUTE"}' >/dev/null
  for a in 0 1 2 3 4 5 6 7; do
    max=${SMALL_BUDGET:-150}
    [ "$a" -ge 4 ] && max=1000000
    api "$tok" PUT /v1/autonomy/budget "{\"account_id\":\"acct-b$a\",\"max_autonomous_per_day\":$max,\"max_per_action_type\":{\"CREATE_INTERNAL_TASK\":$max}}" >/dev/null
  done
}

# rss_sampler PID OUT: appends "elapsed_s rss_kb" every second while PID lives (background).
rss_sampler() {
  local pid=$1 out=$2 t0 rss
  t0=$(now)
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/{print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [ -n "$rss" ] && awk -v a="$(now)" -v b="$t0" -v r="$rss" 'BEGIN{printf "%.1f %s\n", a-b, r}' >>"$out"
    sleep 1
  done
}
