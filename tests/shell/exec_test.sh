#!/usr/bin/env bash
# Execution end to end against real processes (SPEC §6): the seed's auto-exec path through the
# API; the http connector against the test connector server (signing, Idempotency-Key, error
# classes); then 500 approved intents split between the internal and the http connector with
# the server SIGKILLed in the middle and restarted: every intent ends with exactly one outcome,
# internal tasks equal succeeded internal intents, no idempotency key made two remote objects,
# and the ledger verifies.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

# --- the test connector server -------------------------------------------------------------
SECRET=test-connector-secret-0123456789
python3 "$ROOT/tests/connector_server/connector_server.py" --port 0 \
  --port-file "$TEST_DIR/cport" --secret "$SECRET" 2>"$TEST_DIR/connector.log" &
CONNECTOR_PID=$!
trap 'kill $CONNECTOR_PID 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 1 100); do [ -s "$TEST_DIR/cport" ] && break; sleep 0.05; done
CBASE="http://127.0.0.1:$(cat "$TEST_DIR/cport")"
control() { curl -sf -X POST "$CBASE/control" -H 'Content-Type: application/json' -d "$1" >/dev/null; }
stats() { curl -sf "$CBASE/stats"; }

start_server --workers 4
ADMIN=$(token --tenant ex-t --role admin --sub ex-admin)
AGENT=$(token --tenant ex-t --role agent --sub ex-agent)
APPROVER=$(token --tenant ex-t --role approver --sub ex-approver)

req PUT /v1/autonomy/allowlist "$ADMIN" '{"action_types":["CREATE_INTERNAL_TASK"]}'
req PUT /v1/autonomy/config "$ADMIN" '{"action_type":"CREATE_INTERNAL_TASK","mode":"AUTO_EXECUTE"}'
req PUT /v1/autonomy/budget "$ADMIN" '{"account_id":"acct-1","max_autonomous_per_day":1000}'
req PUT /v1/connectors/default "$ADMIN" "{\"url\":\"$CBASE/tools\",\"timeout_ms\":2000,\"secret\":\"$SECRET\"}"
expect_status 200 "configure the http connector"
expect_json .secret_set true "secret stored, not shown"

# wait_outcome ID: polls GET /v1/executions/ID every 0.2 s (up to 20 s) until it has an outcome.
wait_outcome() {
  for _ in $(seq 1 100); do
    req GET "/v1/executions/$1" "$ADMIN"
    if [ "$STATUS" = 200 ] && [ "$(echo "$BODY" | jq -r '.outcome.status // empty')" != "" ]; then return 0; fi
    sleep 0.2
  done
  return 1
}

# --- the seed's auto-exec path ---------------------------------------------------------------
req POST /v1/intents "$AGENT" '{"action_intent_id":"auto-1","account_id":"acct-1","action_type":"CREATE_INTERNAL_TASK","parameters":{"title":"Call back Acme"},"confidence_score":0.92}'
expect_status 201 "create with gate"
expect_json .gate.result AUTO_EXECUTED "gate auto-executes"
wait_outcome auto-1 || fail "auto-1 got no outcome"
expect_json .attempt.status SUCCEEDED "attempt succeeded"
expect_json .outcome.status SUCCEEDED "outcome succeeded"
expect_json .outcome.approval_source POLICY "approval source"
expect_json .outcome.auto_executed true "auto executed"
req GET "/v1/internal/tasks?account_id=acct-1" "$ADMIN"
expect_json '.items[0].title' "Call back Acme" "the task exists"
req GET "/v1/executions?auto_executed=true" "$ADMIN"
expect_json '.items | length' 1 "timeline of autopilot"

# --- fallback: no attempt exists for an intent awaiting approval -----------------------------
req POST /v1/intents "$AGENT" '{"action_intent_id":"wait-1","account_id":"acct-2","action_type":"CREATE_INTERNAL_TASK","parameters":{"title":"x"},"confidence_score":0.92}'
expect_json .gate.result REQUIRE_APPROVAL "no budget: approval required"
req GET /v1/executions/wait-1 "$ADMIN"
expect_status 404 "no attempt before approval"

# --- the human path over HTTP -----------------------------------------------------------------
req POST /v1/intents/wait-1/approve "$AGENT" '{"account_id":"acct-2"}'
expect_status 403 "an agent cannot approve"
req POST /v1/intents/wait-1/approve "$APPROVER" '{"account_id":"acct-2","parameters":{"title":"edited"},"comment":"ok"}'
expect_status 200 "approve with an edit"
wait_outcome wait-1 || fail "wait-1 got no outcome"
expect_json .outcome.taxonomy IDEA_EDITED "edited taxonomy"
req POST /v1/intents/wait-1/approve "$APPROVER" '{"account_id":"acct-2"}'
expect_status 409 "approving twice"
req POST /v1/intents/nope/approve "$APPROVER" '{"account_id":"acct-2"}'
expect_status 404 "approve unknown"
req POST /v1/intents/wait-1/approve "$APPROVER" '{"account_id":"acct-2","surprise":1}'
expect_status 400 "unknown field"
req POST /v1/autonomy/replay "$APPROVER" '{"action_intent_id":"wait-1","account_id":"acct-2","replay_reason":"x"}'
expect_status 403 "replay needs operator"
req POST /v1/autonomy/replay "$ADMIN" '{"action_intent_id":"wait-1","account_id":"acct-2","replay_reason":"lost downstream"}'
expect_status 202 "replay accepted"
for _ in $(seq 1 50); do
  req GET /v1/executions/wait-1 "$ADMIN"
  [ "$(echo "$BODY" | jq -r '.replays[0].outcome.status // empty')" = SUCCEEDED ] && break
  sleep 0.2
done
expect_json '.replays[0].outcome.status' SUCCEEDED "replay executed"
expect_json '.outcome.taxonomy' IDEA_EDITED "first outcome unchanged"

# --- the http connector against the test server ----------------------------------------------
http_intent() {  # http_intent ID: creates and approves a CREATE_OPPORTUNITY intent
  req POST /v1/intents "$AGENT" "{\"action_intent_id\":\"$1\",\"account_id\":\"acct-3\",\"action_type\":\"CREATE_OPPORTUNITY\",\"parameters\":{\"name\":\"$1\"},\"gate\":\"none\"${2:-}}"
  req POST "/v1/intents/$1/approve" "$APPROVER" '{"account_id":"acct-3"}'
  expect_status 200 "approve $1"
}
http_intent h-ok
wait_outcome h-ok || fail "h-ok got no outcome"
expect_json .outcome.status SUCCEEDED "http call succeeded"
expect_json '.outcome.external_object_refs[0].system' test-crm "remote object ref"
KEY=$(echo "$BODY" | jq -r .attempt.idempotency_key)
S=$(stats)
if [ "$(echo "$S" | jq -r ".calls_per_key[\"$KEY\"]")" = 1 ]; then ok; else fail "connector saw the idempotency key once: $S"; fi

control '{"mode":"401"}'
http_intent h-auth
wait_outcome h-auth || fail "h-auth got no outcome"
expect_json .outcome.error_class AUTH "401 is AUTH"
expect_json .attempt.attempt_count 1 "AUTH is not retried"
control '{"mode":"400"}'
http_intent h-val
wait_outcome h-val || fail "h-val got no outcome"
expect_json .outcome.error_class VALIDATION "400 is VALIDATION"
control '{"mode":"500","times":1}'
http_intent h-retry
wait_outcome h-retry || fail "h-retry got no outcome"
expect_json .outcome.status SUCCEEDED "500 then success"
expect_json .attempt.attempt_count 2 "one retry"
control '{"mode":"ok"}'
curl -sf -X POST "$CBASE/reset" >/dev/null

# --- 500 approved intents, a SIGKILL in the middle --------------------------------------------
N=500
seq 1 $N | xargs -P 8 -I{} sh -c '
  i={}; if [ $((i % 2)) = 0 ]; then t=CREATE_INTERNAL_TASK; p="{\"title\":\"t$i\"}"; else t=CREATE_OPPORTUNITY; p="{\"name\":\"o$i\"}"; fi
  curl -sf -o /dev/null -X POST "$0/v1/intents" -H "Authorization: Bearer $1" -H "Content-Type: application/json" \
    -d "{\"action_intent_id\":\"bulk-$i\",\"account_id\":\"acct-b\",\"action_type\":\"$t\",\"parameters\":$p,\"gate\":\"none\"}" || echo "create $i failed" >&2
' "$BASE" "$AGENT"
approve_all() {  # approves every bulk intent; 409 (already approved before a crash) is fine
  seq 1 $N | xargs -P 8 -I{} sh -c '
    code=$(curl -s -o /dev/null -w "%{http_code}" -X POST "$0/v1/intents/bulk-{}/approve" -H "Authorization: Bearer $1" \
      -H "Content-Type: application/json" -d "{\"account_id\":\"acct-b\"}")
    [ "$code" = 200 ] || [ "$code" = 409 ] || echo "approve {} -> $code" >>"$2/approve-errors"
  ' "$BASE" "$APPROVER" "$TEST_DIR"
}
approve_all &
APPROVER_PID=$!
sleep 1.5
kill9_server
wait "$APPROVER_PID" || true
KEEP_PORT=$PORT start_server --workers 4
rm -f "$TEST_DIR/approve-errors"
approve_all  # the approvals lost with the crash (connection refused) are sent again
if [ -s "$TEST_DIR/approve-errors" ]; then fail "approvals after restart: $(head -3 "$TEST_DIR/approve-errors")"; else ok; fi

# Wait until every bulk intent has an outcome (at most 120 s).
for _ in $(seq 1 600); do
  req GET "/v1/executions?account_id=acct-b&limit=500" "$ADMIN"
  [ "$(echo "$BODY" | jq '.items | length')" -ge $N ] && break
  sleep 0.2
done
expect_json '.items | length' $N "every bulk intent has an outcome"
OUTCOMES=$BODY
DUP=$(echo "$OUTCOMES" | jq '[.items[].action_intent_id] | group_by(.) | map(select(length > 1)) | length')
if [ "$DUP" = 0 ]; then ok; else fail "$DUP intents have two outcomes"; fi
SUCC=$(echo "$OUTCOMES" | jq '[.items[] | select(.status == "SUCCEEDED")] | length')
if [ "$SUCC" = $N ]; then ok; else fail "only $SUCC of $N succeeded: $(echo "$OUTCOMES" | jq -c '[.items[] | select(.status != "SUCCEEDED")][0]')"; fi
INTERNAL_OK=$(echo "$OUTCOMES" | jq '[.items[] | select(.status == "SUCCEEDED" and .action_type == "CREATE_INTERNAL_TASK")] | length')
req GET "/v1/internal/tasks?account_id=acct-b&limit=500" "$ADMIN"
expect_json '.items | length' "$INTERNAL_OK" "internal tasks equal succeeded internal intents"
S=$(stats)
if [ "$(echo "$S" | jq '[.objects_per_key[] | select(. > 1)] | length')" = 0 ] && \
   [ "$(echo "$S" | jq .objects)" = "$(echo "$OUTCOMES" | jq '[.items[] | select(.action_type == "CREATE_OPPORTUNITY")] | length')" ]; then
  ok
else
  fail "remote objects per key: $(echo "$S" | jq -c '{objects, calls}')"
fi
req GET /v1/ledger/verify "$ADMIN"
expect_json .ok true "ledger verifies after the crash"

stop_server
kill $CONNECTOR_PID 2>/dev/null || true
finish
