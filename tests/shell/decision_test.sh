#!/usr/bin/env bash
# Decision scheduling against real processes (SPEC §7): the seed's decision-scheduler flow
# (the same RUN_DECISION twice → the second SKIP DUPLICATE, one reservation), the envelope,
# tenant scoping, bad input without reservation, the CLI, and a ritual fired exactly once per
# slot by two servers sharing one store.
source "$(dirname "$0")/lib.sh"

start_server
ADMIN=$(token --tenant dec-t --role admin --sub dec-admin)
AGENT=$(token --tenant dec-t --role agent --sub dec-agent)
OTHER=$(token --tenant dec-u --role agent --sub other-agent)
KEY="e2e-p5-idem-$$-$(date +%s)"

# --- the seed's flow ---------------------------------------------------------------------------
BODY_JSON="{\"detail\":{\"tenant_id\":\"dec-t\",\"account_id\":\"acct-1\",\"trigger_type\":\"SIGNAL_ARRIVED\",\"idempotency_key\":\"$KEY\"}}"
req POST /v1/decisions/triggers "$AGENT" "$BODY_JSON"
expect_status 200 "first RUN_DECISION"
expect_json .result ALLOW "first is evaluated"
FIRST=$BODY
req POST /v1/decisions/triggers "$AGENT" "$BODY_JSON"
expect_json .result SKIP "second is skipped"
expect_json .reason DUPLICATE "as duplicate"
if [ "$(echo "$BODY" | jq -c .original)" = "$(echo "$FIRST" | jq -c .)" ]; then ok; else fail "duplicate carries the original"; fi
req GET "/v1/decisions/idempotency/$KEY" "$ADMIN"
expect_status 200 "reservation exists"
expect_json .result.result ALLOW "reservation keeps the first result"
req GET "/v1/decisions/runs?account_id=acct-1" "$ADMIN"
expect_json '.items | length' 1 "exactly one evaluation"
req GET "/v1/events?type=DECISION_EVALUATION_REQUESTED" "$ADMIN"
if [ "$STATUS" = 200 ]; then expect_json '.items | length' 1 "one evaluation event"; fi
req DELETE "/v1/decisions/idempotency/$KEY" "$ADMIN"
expect_status 200 "cleanup"
req GET "/v1/decisions/idempotency/$KEY" "$ADMIN"
expect_status 404 "gone after cleanup"

# --- tenant scoping and bad input --------------------------------------------------------------
req POST /v1/decisions/triggers "$OTHER" "{\"account_id\":\"acct-1\",\"trigger_type\":\"SIGNAL_ARRIVED\",\"idempotency_key\":\"shared-key\"}"
expect_json .result ALLOW "tenant B's key"
req POST /v1/decisions/triggers "$AGENT" "{\"account_id\":\"acct-9\",\"trigger_type\":\"SIGNAL_ARRIVED\",\"idempotency_key\":\"shared-key\"}"
expect_json .result ALLOW "same key in tenant A is independent"
req POST /v1/decisions/triggers "$AGENT" "{\"detail\":{\"tenant_id\":\"dec-u\",\"account_id\":\"a\",\"trigger_type\":\"SIGNAL_ARRIVED\",\"idempotency_key\":\"x1\"}}"
expect_status 403 "envelope for another tenant"
for body in '{"trigger_type":"SIGNAL_ARRIVED","idempotency_key":"b1"}' \
            '{"account_id":"a","trigger_type":"SIGNAL_ARRIVED"}' \
            '{"account_id":"a","trigger_type":"signal arrived","idempotency_key":"b2"}' \
            '{"account_id":"a","trigger_type":"SIGNAL_ARRIVED","idempotency_key":"bad key"}' \
            '{"account_id":"a","trigger_type":"SIGNAL_ARRIVED","idempotency_key":"b3","x":1}' \
            '{"detail":[]}' '{"account_id":'; do
  req POST /v1/decisions/triggers "$AGENT" "$body"
  expect_status 400 "bad trigger $body"
done
for k in b1 b2 b3; do
  req GET "/v1/decisions/idempotency/$k" "$ADMIN"
  expect_status 404 "no reservation for bad input $k"
done
req POST /v1/decisions/triggers "$AGENT" '{"account_id":"a","trigger_type":"NOT_A_TRIGGER","idempotency_key":"u1"}'
expect_json .reason UNKNOWN_TRIGGER_TYPE "unknown trigger type"
req GET /v1/decisions/runs "$(token --tenant dec-t --role viewer)"
expect_status 200 "viewer reads runs"
req POST /v1/decisions/triggers "$(token --tenant dec-t --role viewer)" '{"account_id":"a","trigger_type":"SIGNAL_ARRIVED","idempotency_key":"v1"}'
expect_status 403 "viewer cannot trigger"

# --- cooldown over HTTP and the CLI ------------------------------------------------------------
export STEWARD_URL=$BASE STEWARD_TOKEN=$ADMIN
req PUT /v1/autonomy/triggers "$ADMIN" '{"trigger_type":"SIGNAL_ARRIVED","debounce_seconds":0}'
expect_json .debounce_seconds 0 "debounce override"
OUT=$("$STEWARD_BIN" trigger --account acct-c --type SIGNAL_ARRIVED --key c1 --json)
[ "$(echo "$OUT" | jq -r .result)" = ALLOW ] && ok || fail "cli trigger: $OUT"
OUT=$("$STEWARD_BIN" trigger --account acct-c --type SIGNAL_ARRIVED --key c2)
[[ "$OUT" == DEFER\ COOLDOWN* ]] && ok || fail "cli trigger deferral: $OUT"
OUT=$("$STEWARD_BIN" decisions runs --account acct-c --json)
[ "$(echo "$OUT" | jq '.items | length')" = 2 ] && ok || fail "cli decisions runs: $OUT"
OUT=$("$STEWARD_BIN" decisions reservation c2 --json)
[ "$(echo "$OUT" | jq -r .result.reason)" = COOLDOWN ] && ok || fail "cli reservation: $OUT"

# --- rituals: enabling needs opt-in and digest; two servers fire each slot once ----------------
req PUT /v1/autonomy/schedules "$ADMIN" '{"account_id":"acct-r","trigger_type":"TIME_RITUAL_RENEWAL_RUNWAY","cron":"* * * * *","timezone":"Europe/Berlin","enabled":true}'
expect_status 409 "schedule without opt-in"
if echo "$BODY" | grep -q "opt-in" && echo "$BODY" | grep -q "digest"; then ok; else fail "409 names what is missing: $BODY"; fi
"$STEWARD_BIN" opt-in --account acct-r --opted-in on >/dev/null
"$STEWARD_BIN" digest-settings --enabled on --hour 7 --timezone Europe/Berlin >/dev/null
req PUT /v1/autonomy/triggers "$ADMIN" '{"trigger_type":"TIME_RITUAL_RENEWAL_RUNWAY","cooldown_seconds":0,"max_per_hour":60}'
expect_status 200 "trigger override"
OUT=$("$STEWARD_BIN" schedules set --account acct-r --type TIME_RITUAL_RENEWAL_RUNWAY --cron "* * * * *" --timezone Europe/Berlin --enabled on --json)
[ "$(echo "$OUT" | jq -r .enabled)" = true ] && ok || fail "cli schedules set: $OUT"

# A second server on the same data directory (one store, two nodes).
FIRST_PID=$SERVER_PID FIRST_BASE=$BASE
PORT2=$(free_port)
"$STEWARD_BIN" serve --listen "127.0.0.1:$PORT2" --data-dir "$TEST_DIR/data" >>"$TEST_DIR/server2.log" 2>&1 &
SECOND_PID=$!
trap 'kill $SECOND_PID 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT2/readyz" >/dev/null && break; sleep 0.1; done
# Wait for the next slot (at most ~65 s) with both servers ticking, then count the ritual's
# evaluations per slot.
for _ in $(seq 1 330); do
  req GET "/v1/decisions/runs?account_id=acct-r" "$ADMIN"
  [ "$(echo "$BODY" | jq '.items | length')" -ge 1 ] && break
  sleep 0.2
done
sleep 3
req GET "/v1/decisions/runs?account_id=acct-r" "$ADMIN"
N=$(echo "$BODY" | jq '.items | length')
U=$(echo "$BODY" | jq '[.items[].idempotency_key] | unique | length')
if [ "$N" -ge 1 ] && [ "$N" = "$U" ]; then ok; else fail "each slot once with two servers: $N runs, $U keys"; fi
expect_json '[.items[] | select(.result == "ALLOW")] | length' "$N" "ritual runs allowed"
kill -TERM $SECOND_PID; wait $SECOND_PID 2>/dev/null || true
"$STEWARD_BIN" schedules get --account acct-r --json | jq -e '.items[0].next_fire_at != null' >/dev/null && ok || fail "next slot set"

finish
