#!/usr/bin/env bash
# Many nodes on one PostgreSQL database (SPEC §2, issue 7), against real processes: two
# `steward serve` nodes share a throwaway cluster (tests/pg/with_pg.sh; no PostgreSQL is a loud
# failure, never a skip) and one data directory (secrets, export files).
#   1. 8 concurrent clients per node, a budget of 50 → exactly 50 AUTO_EXECUTED in total.
#   2. One idempotency key raced from both nodes → one evaluation.
#   3. 1,000 approved intents → each executed exactly once, by the workers of both nodes.
#   4. A node SIGKILLed while it holds leased executions → the other node finishes them after
#      the leases expire; no intent lost or doubled, no remote object made twice.
#   5. A ritual schedule fires once per slot with both nodes running.
#   6. Every tenant's ledger verifies with no gap.
if [ -z "${STEWARD_TEST_PG_URL:-}" ]; then
  exec "$(cd "$(dirname "$0")/../pg" && pwd)/with_pg.sh" bash "$0" "$@"
fi
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

DB=steward_mn_$$
psql "$STEWARD_TEST_PG_URL" -qAtc "CREATE DATABASE $DB" >/dev/null
DB_URL="${STEWARD_TEST_PG_URL%/*}/$DB"
DATA=$TEST_DIR/data
PIDS=()
stop_nodes() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}

# --- a test connector (for the kill phase) ----------------------------------------------------
SECRET=test-connector-secret-0123456789
python3 "$ROOT/tests/connector_server/connector_server.py" --port 0 \
  --port-file "$TEST_DIR/cport" --secret "$SECRET" 2>"$TEST_DIR/connector.log" &
CONNECTOR_PID=$!
trap 'stop_nodes; kill $CONNECTOR_PID 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 1 100); do [ -s "$TEST_DIR/cport" ] && break; sleep 0.05; done
CBASE="http://127.0.0.1:$(cat "$TEST_DIR/cport")"

# start_node NAME: starts a node on a free port; sets <NAME>_PID, <NAME>_PORT, <NAME>_URL.
start_node() {
  local name=$1 port pid url
  port=$(free_port)
  url="http://127.0.0.1:$port"
  "$STEWARD_BIN" serve --listen "127.0.0.1:$port" --data-dir "$DATA" --db "$DB_URL" --workers 4 --db-pool-size 6 \
    >>"$TEST_DIR/$name.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  for _ in $(seq 1 300); do
    curl -sf "$url/readyz" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! curl -sf "$url/readyz" >/dev/null 2>&1; then
    echo "node $name did not become ready; log:" >&2
    tail -n 30 "$TEST_DIR/$name.log" >&2
    exit 1
  fi
  printf -v "${name}_PID" '%s' "$pid"
  printf -v "${name}_PORT" '%s' "$port"
  printf -v "${name}_URL" '%s' "$url"
}
start_node A  # the first node creates the secrets and migrates
start_node B
tok() { "$STEWARD_BIN" token --data-dir "$DATA" --db "$DB_URL" "$@"; }
ADMIN=$(tok --tenant mn-t --role admin --sub mn-admin)
AGENT=$(tok --tenant mn-t --role agent --sub mn-agent)
APPROVER=$(tok --tenant mn-t --role approver --sub mn-approver)
BASE=$A_URL
sql() { psql "$DB_URL" -qAtc "$1"; }
# handled NODE_URL: EXECUTE_INTENT jobs that node's workers ran.
# all_items PATH: every item of a paginated list (limit 500, following next_cursor), as one
# {"items": [...]} document in BODY.
all_items() {
  local cursor="" sep="?"
  case "$1" in *\?*) sep="&" ;; esac
  : >"$TEST_DIR/pages"
  while true; do
    req GET "$1${sep}limit=500${cursor:+&cursor=$cursor}" "$ADMIN"
    [ "$STATUS" = 200 ] || { BODY="{\"items\":null,\"error\":$BODY}"; return; }
    jq -c '.items[]' "$TEST_DIR/resp" >>"$TEST_DIR/pages"
    cursor=$(jq -r '.next_cursor // empty' "$TEST_DIR/resp")
    [ -n "$cursor" ] || break
  done
  BODY=$(jq -cs '{items: .}' "$TEST_DIR/pages")
}
handled() {
  curl -sf "$1/metrics" | sed -n 's/^steward_worker_jobs_handled_total{type="EXECUTE_INTENT"} //p' | grep . || echo 0
}

# --- 5 (set up first, checked last): a ritual every minute ------------------------------------
req PUT /v1/autonomy/opt-in "$ADMIN" '{"account_id":"acct-r","opted_in":true}'
expect_status 200 "opt-in"
req PUT /v1/autonomy/digest/settings "$ADMIN" '{"enabled":true,"hour":7,"timezone":"Europe/Berlin"}'
expect_status 200 "digest settings"
req PUT /v1/autonomy/triggers "$ADMIN" '{"trigger_type":"TIME_RITUAL_RENEWAL_RUNWAY","cooldown_seconds":0,"max_per_hour":60}'
expect_status 200 "trigger override"
req PUT /v1/autonomy/schedules "$ADMIN" '{"account_id":"acct-r","trigger_type":"TIME_RITUAL_RENEWAL_RUNWAY","cron":"* * * * *","timezone":"Europe/Berlin","enabled":true}'
expect_status 200 "schedule enabled"
SCHEDULED_AT=$SECONDS

# --- 1. budget of 50, 8 clients per node --------------------------------------------------------
req PUT /v1/autonomy/allowlist "$ADMIN" '{"action_types":["CREATE_INTERNAL_TASK"]}'
req PUT /v1/autonomy/config "$ADMIN" '{"action_type":"CREATE_INTERNAL_TASK","mode":"AUTO_EXECUTE"}'
req PUT /v1/autonomy/budget "$ADMIN" '{"account_id":"acct-budget","max_autonomous_per_day":50}'
expect_status 200 "budget 50"
# gate_load NODE_URL FROM TO: creates intents FROM..TO with the gate, 8 at a time; prints results.
gate_load() {
  seq "$2" "$3" | xargs -P 8 -I{} sh -c '
    curl -s -X POST "$0/v1/intents" -H "Authorization: Bearer $1" -H "Content-Type: application/json" \
      -d "{\"action_intent_id\":\"g-{}\",\"account_id\":\"acct-budget\",\"action_type\":\"CREATE_INTERNAL_TASK\",\"parameters\":{\"title\":\"g{}\"},\"confidence_score\":0.95}" \
      | jq -r ".gate.result // .error.code"; echo' "$1" "$AGENT" | grep .
}
gate_load "$A_URL" 1 100 >"$TEST_DIR/gate-a" &
GA=$!
gate_load "$B_URL" 101 200 >"$TEST_DIR/gate-b"
wait $GA
AUTO=$(cat "$TEST_DIR/gate-a" "$TEST_DIR/gate-b" | grep -c '^AUTO_EXECUTED$' || true)
REQ=$(cat "$TEST_DIR/gate-a" "$TEST_DIR/gate-b" | grep -c '^REQUIRE_APPROVAL$' || true)
[ "$AUTO" = 50 ] && ok || fail "budget 50 across two nodes: $AUTO AUTO_EXECUTED"
[ "$REQ" = 150 ] && ok || fail "the other 150 require approval: $REQ ($(sort "$TEST_DIR/gate-a" "$TEST_DIR/gate-b" | uniq -c | tr '\n' ' '))"
[ "$(grep -c . "$TEST_DIR/gate-a")" = 100 ] && [ "$(grep -c . "$TEST_DIR/gate-b")" = 100 ] && ok || fail "every gate call answered"
req GET "/v1/autonomy/budget/state?account_id=acct-budget" "$ADMIN"
expect_json '.total' 50 "budget state: 50 used"

# --- 2. one idempotency key raced from both nodes ----------------------------------------------
KEY="mn-race-$$"
race() {
  seq 1 8 | xargs -P 8 -I{} sh -c '
    curl -s -X POST "$0/v1/decisions/triggers" -H "Authorization: Bearer $1" -H "Content-Type: application/json" \
      -d "{\"account_id\":\"acct-d\",\"trigger_type\":\"SIGNAL_ARRIVED\",\"idempotency_key\":\"$2\"}" \
      | jq -r "[.result, (.reason // \"-\")] | join(\" \")"' "$1" "$AGENT" "$KEY"
}
race "$A_URL" >"$TEST_DIR/race-a" &
RA=$!
race "$B_URL" >"$TEST_DIR/race-b"
wait $RA
FIRSTS=$(cat "$TEST_DIR/race-a" "$TEST_DIR/race-b" | grep -vc '^SKIP DUPLICATE$' || true)
DUPS=$(cat "$TEST_DIR/race-a" "$TEST_DIR/race-b" | grep -c '^SKIP DUPLICATE$' || true)
[ "$FIRSTS" = 1 ] && [ "$DUPS" = 15 ] && ok || fail "one evaluation for a raced key: $(sort "$TEST_DIR/race-a" "$TEST_DIR/race-b" | uniq -c | tr '\n' ' ')"
req GET "/v1/decisions/runs?account_id=acct-d" "$ADMIN"
expect_json '[.items[] | select(.idempotency_key == "'"$KEY"'")] | length' 1 "one run recorded for the key"

# --- 3. 1,000 approved intents split between both nodes' workers --------------------------------
N=1000
BEFORE_A=$(handled "$A_URL")
BEFORE_B=$(handled "$B_URL")
# bulk NODE_URL FROM TO: creates (gate none) and approves intents FROM..TO through that node.
bulk() {
  seq "$2" "$3" | xargs -P 8 -I{} sh -c '
    curl -sf -o /dev/null -X POST "$0/v1/intents" -H "Authorization: Bearer $1" -H "Content-Type: application/json" \
      -d "{\"action_intent_id\":\"m-{}\",\"account_id\":\"acct-m\",\"action_type\":\"CREATE_INTERNAL_TASK\",\"parameters\":{\"title\":\"m{}\"},\"gate\":\"none\"}" \
      || echo "create {} failed"
    code=$(curl -s -o /dev/null -w "%{http_code}" -X POST "$0/v1/intents/m-{}/approve" -H "Authorization: Bearer $2" \
      -H "Content-Type: application/json" -d "{\"account_id\":\"acct-m\"}")
    [ "$code" = 200 ] || echo "approve {} -> $code"' "$1" "$AGENT" "$APPROVER"
}
bulk "$A_URL" 1 500 >"$TEST_DIR/bulk-a" &
BA=$!
bulk "$B_URL" 501 1000 >"$TEST_DIR/bulk-b"
wait $BA
if [ -s "$TEST_DIR/bulk-a" ] || [ -s "$TEST_DIR/bulk-b" ]; then
  fail "bulk create/approve: $(cat "$TEST_DIR/bulk-a" "$TEST_DIR/bulk-b" | head -3)"
else ok; fi
for _ in $(seq 1 600); do
  all_items "/v1/executions?account_id=acct-m"
  [ "$(echo "$BODY" | jq '.items | length')" -ge $N ] && break
  sleep 0.2
done
expect_json '.items | length' $N "every approved intent has an outcome"
expect_json '[.items[] | select(.status == "SUCCEEDED")] | length' $N "all succeeded"
expect_json '[.items[].action_intent_id] | unique | length' $N "one outcome per intent"
all_items "/v1/internal/tasks?account_id=acct-m"
expect_json '.items | length' $N "one task per intent (none made twice)"
DA=$(( $(handled "$A_URL") - BEFORE_A ))
DB_=$(( $(handled "$B_URL") - BEFORE_B ))
echo "executions run by node A: $DA, node B: $DB_"
[ "$DA" -gt 0 ] && [ "$DB_" -gt 0 ] && ok || fail "executions split between both nodes: A $DA, B $DB_"
[ $((DA + DB_)) -eq $N ] && ok || fail "each execution ran once: A $DA + B $DB_ != $N"
# Each node's pool stays within --db-pool-size (plus its one LISTEN/NOTIFY connection).
CONNS=$(sql "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '$DB' AND application_name = 'steward'")
SIGNALS=$(sql "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '$DB' AND application_name = 'steward-signals'")
echo "pooled connections of both nodes: $CONNS (limit 2 x 6), signal connections: $SIGNALS"
[ "$CONNS" -ge 2 ] && [ "$CONNS" -le 12 ] && ok || fail "pool size: $CONNS connections for two nodes of 6"
[ "$SIGNALS" = 2 ] && ok || fail "one LISTEN/NOTIFY connection per node: $SIGNALS"

# --- 4. SIGKILL a node holding leased executions -------------------------------------------------
req PUT /v1/connectors/default "$ADMIN" "{\"url\":\"$CBASE/tools\",\"timeout_ms\":120000,\"secret\":\"$SECRET\"}"
expect_status 200 "configure the http connector"
curl -sf -X POST "$CBASE/control" -H 'Content-Type: application/json' -d '{"mode":"hang","hang_seconds":120}' >/dev/null
K=24
for i in $(seq 1 $K); do
  node=$A_URL; [ $((i % 2)) = 0 ] && node=$B_URL
  curl -sf -o /dev/null -X POST "$node/v1/intents" -H "Authorization: Bearer $AGENT" -H "Content-Type: application/json" \
    -d "{\"action_intent_id\":\"k-$i\",\"account_id\":\"acct-k\",\"action_type\":\"CREATE_OPPORTUNITY\",\"parameters\":{\"name\":\"k$i\"},\"gate\":\"none\"}" || fail "create k-$i"
  curl -sf -o /dev/null -X POST "$node/v1/intents/k-$i/approve" -H "Authorization: Bearer $APPROVER" \
    -H "Content-Type: application/json" -d '{"account_id":"acct-k"}' || fail "approve k-$i"
done
# Both nodes' workers are now inside hanging connector calls, each holding a lease.
HELD_B=0
for _ in $(seq 1 100); do
  HELD_B=$(sql "SELECT COUNT(*) FROM jobs WHERE type = 'EXECUTE_INTENT' AND status = 'RUNNING' AND lease_owner LIKE '%:$B_PORT:%'")
  HELD_A=$(sql "SELECT COUNT(*) FROM jobs WHERE type = 'EXECUTE_INTENT' AND status = 'RUNNING' AND lease_owner LIKE '%:$A_PORT:%'")
  [ "$HELD_B" -ge 1 ] && [ "$HELD_A" -ge 1 ] && break
  sleep 0.1
done
echo "leased executions before the kill: node A $HELD_A, node B $HELD_B"
[ "$HELD_B" -ge 1 ] && ok || fail "node B holds no leased execution to lose"
kill -KILL "$B_PID"
wait "$B_PID" 2>/dev/null || true
KILLED_AT=$SECONDS
curl -sf -X POST "$CBASE/reset" >/dev/null  # back to "ok"; node A's hanging calls end (504, retried)
for _ in $(seq 1 600); do
  req GET "/v1/executions?account_id=acct-k&limit=100" "$ADMIN"
  [ "$(echo "$BODY" | jq '[.items[] | select(.status == "SUCCEEDED")] | length')" -ge $K ] && break
  sleep 0.2
done
echo "the dead node's executions finished $((SECONDS - KILLED_AT)) s after the kill"
expect_json '[.items[] | select(.status == "SUCCEEDED")] | length' $K "every intent of the killed node finished"
expect_json '[.items[].action_intent_id] | unique | length' $K "one outcome per intent after the kill"
expect_json '.items | length' $K "no second outcome"
S=$(curl -sf "$CBASE/stats")
if [ "$(echo "$S" | jq '[.objects_per_key[] | select(. > 1)] | length')" = 0 ] && [ "$(echo "$S" | jq .objects)" = $K ]; then
  ok
else
  fail "one remote object per intent: $(echo "$S" | jq -c '{objects, calls}')"
fi
[ "$(sql "SELECT COUNT(*) FROM jobs WHERE type = 'EXECUTE_INTENT'")" = 0 ] && ok || fail "execution jobs left behind"

# --- 5. the ritual fired once per slot with both nodes running -----------------------------------
for _ in $(seq 1 400); do
  req GET "/v1/decisions/runs?account_id=acct-r" "$ADMIN"
  [ "$(echo "$BODY" | jq '.items | length')" -ge 1 ] && break
  sleep 0.2
done
sleep 2
req GET "/v1/decisions/runs?account_id=acct-r" "$ADMIN"
RUNS=$(echo "$BODY" | jq '.items | length')
KEYS=$(echo "$BODY" | jq '[.items[].idempotency_key] | unique | length')
echo "ritual: $RUNS runs over $((SECONDS - SCHEDULED_AT)) s"
[ "$RUNS" -ge 1 ] && [ "$RUNS" = "$KEYS" ] && ok || fail "each slot once with two nodes: $RUNS runs, $KEYS keys"

# --- 6. ledgers verify with no gap --------------------------------------------------------------
req GET /v1/ledger/verify "$ADMIN"
expect_status 200 "ledger verify"
expect_json .ok true "the tenant's ledger verifies after two nodes and a SIGKILL"
GAPS=$(sql "SELECT COUNT(*) FROM (SELECT tenant_id, MAX(seq) - MIN(seq) + 1 - COUNT(*) AS gap FROM ledger GROUP BY tenant_id) g WHERE gap <> 0")
[ "$GAPS" = 0 ] && ok || fail "$GAPS tenants have a gap in their ledger seq"

stop_nodes
finish
