#!/usr/bin/env bash
# Black-box tests of the HTTP API against a real `steward serve`: the seed's auto-exec and
# fallback gate paths, tenancy, roles, bad input on every endpoint (4xx and no state change),
# and a SIGKILL restart that keeps state and ledger intact.
source "$(dirname "$0")/lib.sh"
start_server

ADMIN=$(token --tenant ta --role admin --sub alice)
AGENT=$(token --tenant ta --role agent --sub agent-7)
VIEWER=$(token --tenant ta --role viewer --sub vic)
OTHER=$(token --tenant tb --role admin --sub bob)

# --- configuration and the two seed gate paths --------------------------------------------
req PUT /v1/autonomy/allowlist "$ADMIN" '{"action_types":["CREATE_INTERNAL_TASK"]}'
expect_status 200 "put allowlist"
req PUT /v1/autonomy/config "$ADMIN" '{"action_type":"CREATE_INTERNAL_TASK","mode":"AUTO_EXECUTE"}'
expect_status 200 "put mode"
req PUT /v1/autonomy/budget "$ADMIN" '{"account_id":"acct-1","max_autonomous_per_day":1}'
expect_status 200 "put budget"
req POST /v1/intents "$AGENT" '{"action_intent_id":"seed-1","account_id":"acct-1","action_type":"CREATE_INTERNAL_TASK","parameters":{"title":"t"},"confidence_score":0.9,"gate":"none"}'
expect_status 201 "create intent without gate"
expect_json .intent.status PROPOSED "new intent status"
req POST /v1/gate/auto-approval "$AGENT" '{"action_intent_id":"seed-1","account_id":"acct-1","tenant_id":"ta"}'
expect_status 200 "gate"
expect_json .result AUTO_EXECUTED "gate result"
expect_json .budget.remaining 0 "budget remaining after auto-exec"
req POST /v1/gate/auto-approval "$AGENT" '{"action_intent_id":"seed-1","account_id":"acct-1"}'
expect_json .already_published true "gate is idempotent"
req POST /v1/intents "$AGENT" '{"action_intent_id":"seed-2","account_id":"acct-1","action_type":"CREATE_INTERNAL_TASK","parameters":{"title":"t"},"confidence_score":0.9}'
expect_status 201 "create intent with gate"
expect_json .gate.result REQUIRE_APPROVAL "fallback result"
expect_json .gate.reason BUDGET_EXCEEDED "fallback reason"
req GET /v1/inbox "$VIEWER"
expect_json '.items | map(.action_intent_id) | index("seed-2") != null' true "inbox lists the fallback"
req GET "/v1/autonomy/budget?account_id=acct-1" "$ADMIN"
expect_json .used_today 1 "budget used_today"

# --- tenancy and roles ----------------------------------------------------------------------
req GET /v1/intents/seed-1 "$OTHER"
expect_status 404 "another tenant's intent is 404"
req POST /v1/gate/auto-approval "$AGENT" '{"action_intent_id":"seed-1","account_id":"acct-1","tenant_id":"tb"}'
expect_status 403 "mismatching tenant_id in the body"
req GET "/v1/intents?tenant_id=tb" "$AGENT"
expect_status 403 "mismatching tenant_id in the query"
req PUT /v1/autonomy/allowlist "$AGENT" '{"action_types":[]}'
expect_status 403 "agent cannot change configuration"
req POST /v1/intents "$VIEWER" '{"account_id":"acct-1","action_type":"CREATE_INTERNAL_TASK"}'
expect_status 403 "viewer cannot create intents"
req PUT /v1/platform/emergency-stop "$ADMIN" '{"engaged":true}'
expect_status 403 "admin is not platform_admin"
req GET /v1/intents "" 
expect_status 401 "no token"
req GET /v1/intents "not.a.jwt"
expect_status 401 "garbage token"
expect_json .error.code UNAUTHENTICATED "error shape"

# --- bad input changes nothing ---------------------------------------------------------------
req GET "/v1/ledger?limit=1" "$ADMIN"
HEAD_BEFORE=$(echo "$BODY" | jq -r '.items[0].hash')
python3 -c 'print("{\"account_id\":\"a\",\"action_type\":\"CREATE_INTERNAL_TASK\",\"parameters\":{\"x\":\"" + "y"*1100000 + "\"}}")' >"$TEST_DIR/big.json"
BIG="@$TEST_DIR/big.json"
LONGID=$(python3 -c 'print("x"*129)')
bad() {  # bad WANT METHOD PATH BODY [CTYPE]
  req "$2" "$3" "$ADMIN" "$4" "${5:-application/json}"
  expect_status "$1" "$2 $3 with ${4:0:60}"
}
bad 400 POST /v1/intents '{"account_id":'
bad 400 POST /v1/intents '[1,2]'
bad 400 POST /v1/intents '{"account_id":"a","action_type":"CREATE_INTERNAL_TASK","confidence_score":"high"}'
bad 400 POST /v1/intents '{"account_id":"a","action_type":"CREATE_INTERNAL_TASK","confidence_score":1.5}'
bad 400 POST /v1/intents '{"account_id":"a","action_type":"CREATE_INTERNAL_TASK","confidence_score":-0.1}'
bad 400 POST /v1/intents '{"account_id":"a","action_type":"CREATE_INTERNAL_TASK","risk_level":"CRITICAL"}'
bad 400 POST /v1/intents '{"account_id":"a","action_type":"NO_SUCH_TYPE"}'
bad 400 POST /v1/intents "{\"account_id\":\"$LONGID\",\"action_type\":\"CREATE_INTERNAL_TASK\"}"
bad 400 POST /v1/intents '{"account_id":"a b","action_type":"CREATE_INTERNAL_TASK"}'
bad 400 POST /v1/intents '{"account_id":"a","action_type":"CREATE_INTERNAL_TASK","surprise":1}'
bad 413 POST /v1/intents "$BIG"
bad 415 POST /v1/intents '{"account_id":"a"}' text/plain
bad 400 POST /v1/gate/auto-approval '{"action_intent_id":"x"}'
bad 400 POST /v1/gate/auto-approval '{"action_intent_id":5,"account_id":"a"}'
bad 400 PUT /v1/autonomy/config '{"mode":"YOLO"}'
bad 400 PUT /v1/autonomy/config '{"mode":"AUTO_EXECUTE","action_type":"NOPE"}'
bad 400 PUT /v1/autonomy/allowlist '{"action_types":"CREATE_INTERNAL_TASK"}'
bad 400 PUT /v1/autonomy/allowlist '{"action_types":["NOPE"]}'
bad 400 PUT /v1/autonomy/budget '{"account_id":"a","max_autonomous_per_day":-1}'
bad 400 PUT /v1/autonomy/budget '{"account_id":"a","max_autonomous_per_day":1.5}'
bad 400 PUT /v1/autonomy/budget '{"account_id":"a","max_autonomous_per_day":1,"timezone":"Mars/Base"}'
bad 400 PUT /v1/autonomy/budget '{"account_id":"a","max_autonomous_per_day":1,"max_per_action_type":{"CREATE_INTERNAL_TASK":-2}}'
bad 400 PUT /v1/autonomy/kill-switches '{"autonomy_enabled":"no"}'
bad 400 PUT /v1/autonomy/kill-switches '{}'
bad 400 PUT /v1/autonomy/policy '{"confidence_threshold":2}'
bad 400 PUT /v1/registry/action-types/MY_TYPE '{"tool_name":"x","risk_class":"EXTREME"}'
bad 409 PUT /v1/registry/action-types/SEND_EMAIL '{"tool_name":"x","risk_class":"LOW"}'
bad 400 GET "/v1/intents?limit=0" ""
bad 400 GET "/v1/intents?status=WHATEVER" ""
bad 400 GET "/v1/ledger?cursor=%%%" ""
bad 400 GET "/v1/ledger?event_type=NOPE" ""
bad 404 GET /v1/nope ""
bad 405 DELETE /v1/intents ""
req GET "/v1/ledger?limit=1" "$ADMIN"
expect_json '.items[0].hash' "$HEAD_BEFORE" "ledger head unchanged by bad input"
req GET /v1/ledger/verify "$ADMIN"
expect_json .ok true "ledger verifies"

# --- ops ----------------------------------------------------------------------------------------
req GET /healthz ""
expect_status 200 healthz
req GET /metrics ""
expect_status 200 metrics
if echo "$BODY" | grep -q 'steward_gate_results_total{result="AUTO_EXECUTED",reason="AUTO_EXECUTE_ALLOWED"}'; then ok; else fail "metrics count gate results"; fi
if echo "$BODY" | grep -Eq '^steward_store_batch_reruns_total [0-9]+$'; then ok; else fail "metrics show the store's batch re-runs"; fi
if echo "$BODY" | grep -Eq '^steward_store_checkpoints_total [0-9]+$'; then ok; else fail "metrics show the store's checkpoints"; fi
if echo "$BODY" | grep -Eq '^steward_store_wal_restarts_total [0-9]+$'; then ok; else fail "metrics show the WAL's restarts"; fi

# --- a SIGKILL keeps every acknowledged change ----------------------------------------------
for i in $(seq 1 20); do
  req POST /v1/intents "$AGENT" "{\"action_intent_id\":\"k-$i\",\"account_id\":\"acct-2\",\"action_type\":\"CREATE_INTERNAL_TASK\",\"parameters\":{\"title\":\"t$i\"}}"
  [ "$STATUS" = 201 ] || fail "create k-$i: $STATUS"
done
req GET "/v1/ledger?limit=1" "$ADMIN"
HEAD=$(echo "$BODY" | jq -r '.items[0].hash'); SEQ=$(echo "$BODY" | jq -r '.items[0].seq')
kill9_server
start_server
for i in 1 10 20; do
  req GET "/v1/intents/k-$i" "$AGENT"
  expect_status 200 "intent k-$i survives SIGKILL"
done
req GET "/v1/ledger?limit=1" "$ADMIN"
expect_json '.items[0].hash' "$HEAD" "ledger head survives SIGKILL"
expect_json '.items[0].seq' "$SEQ" "ledger seq survives SIGKILL"
req GET /v1/ledger/verify "$ADMIN"
expect_json .ok true "ledger verifies after restart"
finish
