#!/usr/bin/env bash
# The shortened load/chaos suite of `make test` (docs/RELIABILITY.md; `make load` and `make chaos`
# run the full ones):
#   1. the load test's counting (tests/load/mixed.lua) catches 5xx and slow requests, against a
#      stand-in that produces both;
#   2. one SQLite node SIGKILLed 3 times during load: no acknowledged request lost, invariants;
#   3. the invariant checker catches a tampered ledger, an overspent budget, usage that differs
#      from the auto-approved intents, a second outcome, and lost acknowledged requests (on a
#      copy of the data of 2);
#   4. a full data disk: 503 while nothing can commit, 2xx again once space is freed (root);
#   5. two PostgreSQL nodes, one SIGKILLed 3 times (alternately) during load;
#   6. a PostgreSQL restart during load: 503 while it is down, then 2xx with no node restarted.
# No PostgreSQL, or not root for the tmpfs, is a loud failure, never a skip.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export STEWARD_BIN

# run_phase NAME CMD...: runs a phase, keeps its output in $TEST_DIR/NAME.out, counts it.
run_phase() {
  local name=$1
  shift
  echo "-- $name"
  if "$@" >"$TEST_DIR/$name.out" 2>&1; then
    ok
    grep -E '^(CHAOS_SUMMARY|LOAD_SUMMARY)' "$TEST_DIR/$name.out" || true
  else
    fail "$name: $(grep -E '^FAIL' "$TEST_DIR/$name.out" | head -5 | tr '\n' ' ')"
    tail -n 40 "$TEST_DIR/$name.out" >&2
  fi
}

# --- 1. the counting catches 5xx and slow requests ------------------------------------------------
python3 "$ROOT/tests/load/fake_api.py" "$TEST_DIR/fake.port" 2>/dev/null &
FAKE_PID=$!
trap 'kill $FAKE_PID 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 1 50); do [ -s "$TEST_DIR/fake.port" ] && break; sleep 0.1; done
LINE=$(AGENT_TOKENS=a,b APPROVER_TOKENS=a,b ADMIN_TOKENS=a,b RUN_ID=x wrk -t2 -c8 -d4s --timeout 10s \
  -s "$ROOT/tests/load/mixed.lua" "http://127.0.0.1:$(cat "$TEST_DIR/fake.port")" | grep '^MIXED ' || true)
kill $FAKE_PID 2>/dev/null || true
get() { echo "$LINE" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
[ "${LINE:+x}" = x ] && [ "$(get status_5xx)" -gt 0 ] && [ "$(get c_503)" -gt 0 ] && ok \
  || fail "5xx counted per kind: $LINE"
awk -v m="$(get max_ms)" 'BEGIN{exit !(m > 1000)}' && ok || fail "a 1.2 s answer shows in max_ms: $LINE"
[ "$(get a_200)" -gt 0 ] && [ "$(get gate_REQUIRE_APPROVAL)" -gt 0 ] && ok \
  || fail "approvals of the intents answered REQUIRE_APPROVAL: $LINE"

# --- 2. SIGKILL during load, SQLite ----------------------------------------------------------------
run_phase kill-sqlite env LOAD_WORK="$TEST_DIR/ks" KEEP_WORK=1 KILLS=3 MIN_GAP=1 MAX_GAP=3 \
  bash "$ROOT/tests/load/run_chaos.sh" kill-sqlite

# --- 3. the checker catches what it checks ------------------------------------------------------------
T=$TEST_DIR/tampered
if [ -f "$TEST_DIR/ks/data/steward.db" ]; then
  cp -r "$TEST_DIR/ks/data" "$T"
  DB=$T/steward.db
  q() { sqlite3 "$DB" "$1"; }
  FIRST_INTENT=$(grep -m1 '"kind": "intent"' "$TEST_DIR/ks/acked.jsonl" | jq -r .id)
  FIRST_TRIGGER=$(grep -m1 '"kind": "trigger"' "$TEST_DIR/ks/acked.jsonl" | jq -r .id)
  { grep -m1 -F "\"$FIRST_INTENT\"" "$TEST_DIR/ks/acked.jsonl"
    grep -m1 -F "\"$FIRST_TRIGGER\"" "$TEST_DIR/ks/acked.jsonl"; } >"$T.acked"
  q "UPDATE ledger SET data = '{\"tampered\":true}' WHERE tenant_id = 'chaos-t' AND seq = 3"
  q "UPDATE budget_configs SET max_autonomous_per_day = 1 WHERE tenant_id = 'chaos-t' AND account_id = 'acct-b0'"
  q "UPDATE budget_usage SET used = used + 1 WHERE tenant_id = 'chaos-t' AND account_id = 'acct-b5' AND action_type = '*'"
  q "INSERT INTO action_outcomes SELECT tenant_id, action_intent_id, 2, account_id, action_type, status, external_object_refs, error_code, error_class, error_message, attempt_count, tool_name, tool_schema_version, registry_version, approval_source, auto_executed, taxonomy, trace_id, started_at, completed_at FROM action_outcomes WHERE tenant_id = 'chaos-t' LIMIT 1"
  q "DELETE FROM intents WHERE tenant_id = 'chaos-t' AND action_intent_id = '$FIRST_INTENT'"
  q "DELETE FROM decision_reservations WHERE tenant_id = 'chaos-t' AND idempotency_key = '$FIRST_TRIGGER'"
  PORT=$(free_port)
  BASE="http://127.0.0.1:$PORT"
  "$STEWARD_BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$T" --workers 0 >>"$TEST_DIR/tampered.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 150); do curl -sf "$BASE/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  TADMIN=$("$STEWARD_BIN" token --data-dir "$T" --tenant chaos-t --role admin)
  python3 "$ROOT/tests/load/invariants.py" --base "$BASE" --tenant "chaos-t=$TADMIN" --sqlite "$DB" \
    --acked "$T.acked" --drain-timeout 1 >"$TEST_DIR/tampered.out" 2>&1 && RC=0 || RC=$?
  stop_server
  [ "$RC" = 1 ] && ok || fail "the checker passed a tampered store (exit $RC)"
  for want in "ledger verifies" "no budget overspent" "budget used equals auto-approved intents" \
              "no intent has two outcomes" "every acknowledged request exists"; do
    if grep -q "^FAIL: .*$want" "$TEST_DIR/tampered.out"; then ok; else
      fail "the checker missed: $want"; grep -E '^(ok|FAIL)' "$TEST_DIR/tampered.out" >&2 || true
    fi
  done
  grep -q "lost: .*'intent', '$FIRST_INTENT'" "$TEST_DIR/tampered.out" && \
    grep -q "lost: .*'trigger', '$FIRST_TRIGGER'" "$TEST_DIR/tampered.out" && ok \
    || fail "the lost intent and trigger are named: $(grep acknowledged "$TEST_DIR/tampered.out")"
else
  fail "no data from the kill-sqlite phase to tamper with"
fi

# --- 4. a full data disk ----------------------------------------------------------------------------
run_phase disk-full bash "$ROOT/tests/load/run_chaos.sh" disk-full

# --- 5, 6. PostgreSQL: node kills, then a server restart -------------------------------------------------
run_phase kill-pg env KILLS=3 MIN_GAP=1 MAX_GAP=3 bash "$ROOT/tests/load/run_chaos.sh" kill-pg
run_phase pg-restart env PG_DOWN=3 bash "$ROOT/tests/load/run_chaos.sh" pg-restart

finish
