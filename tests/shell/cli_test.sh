#!/usr/bin/env bash
# The steward CLI against a real server: token, migrate, every client command of SPEC §12 that
# exists so far, --json output, and the exit codes (0 ok, 1 server-reported failure, 2 usage).
source "$(dirname "$0")/lib.sh"

"$STEWARD_BIN" migrate --data-dir "$TEST_DIR/data" >"$TEST_DIR/migrate.out"
if grep -q "schema version" "$TEST_DIR/migrate.out"; then ok; else fail "migrate prints the schema version"; fi
start_server
export STEWARD_URL=$BASE
export STEWARD_TOKEN=$(token --tenant cli-t --role admin --sub cli-admin)
S=$STEWARD_BIN

# run WANT_RC cmd...: runs the CLI, keeps stdout in OUT, checks the exit code.
run() {
  local want=$1; shift
  set +e
  OUT=$("$S" "$@" 2>"$TEST_DIR/stderr")
  RC=$?
  set -e
  ERR=$(cat "$TEST_DIR/stderr")
  if [ "$RC" = "$want" ]; then ok; else fail "steward $*: exit $RC, want $want (stderr: $ERR)"; fi
}
out_json() {  # out_json JQ WANT what
  local got
  got=$(echo "$OUT" | jq -r "$1" 2>/dev/null || echo "<unparseable>")
  if [ "$got" = "$2" ]; then ok; else fail "$3: $1 = $got, want $2 (out: $OUT)"; fi
}
contains() {  # contains TEXT HAYSTACK what
  if [[ "$2" == *"$1"* ]]; then ok; else fail "$3: '$1' not in: $2"; fi
}

# --- configuration commands ------------------------------------------------------------------
run 0 allowlist set CREATE_INTERNAL_TASK --json
out_json '.action_types[0]' CREATE_INTERNAL_TASK "allowlist set"
run 0 allowlist get --json
out_json '.action_types | length' 1 "allowlist get"
run 0 config set --mode AUTO_EXECUTE --account acct-1 --json
out_json '.mode' AUTO_EXECUTE "config set"
run 0 --json config get --account acct-1
contains AUTO_EXECUTE "$OUT" "config get (options before the subcommand)"
run 0 budget set --account acct-1 --max-per-day 1 --per-type CREATE_INTERNAL_TASK=1 --json
out_json '.max_autonomous_per_day' 1 "budget set"
out_json '.max_per_action_type.CREATE_INTERNAL_TASK' 1 "budget set per type"

# --- intents and the gate --------------------------------------------------------------------
run 0 intents create --account acct-1 --type CREATE_INTERNAL_TASK --param title=hello \
  --param priority=2 --confidence 0.9 --json
out_json '.gate.result' AUTO_EXECUTED "first intent auto-executes"
out_json '.intent.parameters.priority' 2 "--param VALUE parsed as JSON"
out_json '.intent.parameters.title' hello "--param VALUE kept as a string"
FIRST=$(echo "$OUT" | jq -r .intent.action_intent_id)
run 0 intents create --account acct-1 --type CREATE_INTERNAL_TASK --param title=again --confidence 0.9
contains "BUDGET_EXCEEDED" "$OUT" "human output names the gate reason"
run 0 intents create --account acct-1 --type CREATE_INTERNAL_TASK --gate none --id cli-none --confidence 0.9 --json
out_json '.intent.status' PROPOSED "gate none leaves the intent proposed"
run 0 gate cli-none --account acct-1 --json
out_json '.result' REQUIRE_APPROVAL "gate on an existing intent"
out_json '.reason' BUDGET_EXCEEDED "gate reason"
run 0 intents get "$FIRST" --json
out_json '.action_intent_id' "$FIRST" "intents get"
run 0 intents list --account acct-1 --json
out_json '.items | length' 3 "intents list"
run 0 intents list --account acct-1 --limit 1 --json
out_json '.items | length' 1 "intents list --limit"
run 0 intents inbox --json
out_json '.items | length' 2 "inbox has the two awaiting approval"
run 0 budget get --account acct-1 --json
out_json '.used_today' 1 "budget used"
run 0 budget state --account acct-1 --json
out_json ".total" 1 "budget state"
run 0 budget reset --account acct-1 --json
run 0 budget get --account acct-1 --json
out_json '.remaining_today' 1 "budget reset frees the day"
run 0 intents cancel cli-none --reason "not needed" --json
out_json '.status' CANCELLED "intents cancel"

# --- kill switches and policy ----------------------------------------------------------------
run 0 kill-switch set --autonomy off --json
out_json '.autonomy_enabled' false "kill switch off"
run 0 intents create --account acct-1 --type CREATE_INTERNAL_TASK --confidence 0.9 --json
out_json '.gate.reason' KILL_SWITCH "gate refuses under the kill switch"
run 0 kill-switch set --autonomy on
run 0 kill-switch get --json
out_json '.autonomy_enabled' true "kill switch on again"
run 0 policy set --confidence-threshold 0.8 --json
out_json '.confidence_threshold' 0.8 "policy set"
run 0 policy get --json
out_json '.confidence_threshold' 0.8 "policy get"
run 0 ledger list --limit 2 --json
out_json '.items | length' 2 "ledger list"
run 0 ledger verify-remote
contains "chain OK" "$OUT" "ledger verify-remote"
run 0 api GET "/v1/intents/$FIRST" --json
out_json ".action_intent_id" "$FIRST" "api passthrough"

# --- the human path, executions and replay ----------------------------------------------------
APPROVER=$(token --tenant cli-t --role approver --sub cli-approver)
run 0 intents create --account acct-1 --type CREATE_INTERNAL_TASK --param title=review --gate none --id cli-h1 --json
run 0 intents approve cli-h1 --account acct-1 --param title=reviewed --comment "ok" --token "$APPROVER" --json
out_json '.status' APPROVED "intents approve"
for _ in $(seq 1 50); do
  run 0 executions get cli-h1 --json 2>/dev/null || true
  [ "$(echo "$OUT" | jq -r '.outcome.status // empty')" = SUCCEEDED ] && break
  sleep 0.2
done
out_json '.outcome.taxonomy' IDEA_EDITED "executions get after edit-and-approve"
run 0 executions get cli-h1
contains "SUCCEEDED" "$OUT" "human summary of an execution"
run 0 executions list --account acct-1 --json
out_json '[.items[] | select(.action_intent_id == "cli-h1")] | length' 1 "executions list"
run 0 explain cli-h1 --json
out_json '.why.path' HUMAN_EDITED "explain an edited approval"
run 0 explain "$FIRST"
contains "path: POLICY_AUTO_EXECUTED" "$OUT" "explain an auto-execution"
run 0 digest --account acct-1 --json
out_json '.account_id' acct-1 "digest"
run 0 insights --json
run 1 explain no-such-intent
run 1 intents approve cli-h1 --account acct-1 --token "$APPROVER"
contains "CONFLICT" "$ERR" "approving twice"
run 0 replay cli-h1 --account acct-1 --reason "downstream lost it" --json
out_json '.execution_no' 2 "replay"
run 0 intents create --account acct-1 --type CREATE_INTERNAL_TASK --param title=no --gate none --id cli-h2
run 0 intents reject cli-h2 --account acct-1 --reason "off-brand" --token "$APPROVER" --json
out_json '.status' REJECTED "intents reject"
run 2 intents reject cli-h2 --account acct-1
run 0 connector set default --endpoint http://127.0.0.1:9/tools --timeout-ms 500 --json
out_json '.timeout_ms' 500 "connector set"
run 0 connector get default --json
out_json '.circuit_breaker.state' CLOSED "connector get"

# --- exit codes ------------------------------------------------------------------------------
run 1 intents get does-not-exist
contains "404 NOT_FOUND" "$ERR" "server error printed"
run 1 intents create --account acct-1 --type NOPE
contains "INVALID_ARGUMENT" "$ERR" "400 printed"
run 1 intents get does-not-exist --json
out_json '.error.code' NOT_FOUND "--json prints the error body"
run 2 intents create --account acct-1
run 2 intents create --account acct-1 --type X --param novalue
run 2 intents create --account acct-1 --type X --params '[1]'
run 2 kill-switch set
run 2 kill-switch set --autonomy maybe
run 2 kill-switch emergency-stop
run 2 nosuchcommand
run 2 budget get --account acct-1 --url ftp://x
run 1 budget get --account acct-1 --url http://127.0.0.1:1
contains "cannot reach" "$ERR" "unreachable server"
VIEWER=$(token --tenant cli-t --role viewer)
run 1 allowlist set CREATE_INTERNAL_TASK --token "$VIEWER"
contains "PERMISSION_DENIED" "$ERR" "viewer cannot change the allowlist"
run 1 intents list --token not-a-jwt
contains "UNAUTHENTICATED" "$ERR" "bad token"
run 2 token --data-dir "$TEST_DIR/data" --tenant x --role admin --ttl 5x
run 2 token --data-dir "$TEST_DIR/data" --tenant x --role wizard

# Refused emergency stop for a tenant admin, allowed for platform_admin.
run 1 kill-switch emergency-stop --engage
PA=$(token --tenant cli-t --role platform_admin)
run 0 kill-switch emergency-stop --engage --token "$PA" --json
out_json ".emergency_stop" true "emergency stop engaged"
run 0 intents create --account acct-1 --type CREATE_INTERNAL_TASK --confidence 0.9 --json
out_json '.gate.reason' KILL_SWITCH "emergency stop refuses the gate"
run 0 kill-switch emergency-stop --release --token "$PA"

finish
