#!/usr/bin/env bash
# Auto-exec (seed flow 1): the gate auto-executes the seeded intent; the execution attempt ends
# SUCCEEDED within 90 s; the outcome is SUCCEEDED with approval_source POLICY and
# auto_executed true. Cleans up the configuration it wrote.
source "$(dirname "$0")/lib.sh"
need_api
ID=${ACTION_INTENT_ID:-}
if [ -z "$ID" ]; then
  ID=$("$E2E_DIR/seed-autoexec.sh" | sed -n 's/^ACTION_INTENT_ID=//p')
  [ -n "$ID" ] || die "seeding printed no ACTION_INTENT_ID"
fi
cleanup() {
  call DELETE /autonomy/allowlist >/dev/null 2>&1 || true
  call DELETE "/autonomy/config?action_type=CREATE_INTERNAL_TASK" >/dev/null 2>&1 || true
  call DELETE "/autonomy/budget?account_id=$ACCOUNT_ID" >/dev/null 2>&1 || true
  call DELETE "/autonomy/budget/state?account_id=$ACCOUNT_ID" >/dev/null 2>&1 || true
}
trap 'cleanup; rm -rf "$TMP_DIR"' EXIT

say "gate for $ID"
call POST /gate/auto-approval "{\"action_intent_id\":\"$ID\",\"tenant_id\":\"$TENANT_ID\",\"account_id\":\"$ACCOUNT_ID\"}"
expect_status 200 "auto-approval gate"
expect_field .result AUTO_EXECUTED "gate result"

say "waiting for the execution attempt (max 90 s)"
deadline=$((SECONDS + 90))
ATTEMPT=""
while [ $SECONDS -lt $deadline ]; do
  call GET "/executions/$ID"
  if [ "$STATUS" = 200 ]; then
    ATTEMPT=$(field .attempt.status)
    [ "$ATTEMPT" != RUNNING ] && break
  elif [ "$STATUS" != 404 ]; then
    die "reading the execution: HTTP $STATUS: $BODY"
  fi
  sleep "$POLL_INTERVAL"
done
[ -n "$ATTEMPT" ] || die "no execution attempt for $ID within 90 s"
[ "$ATTEMPT" = SUCCEEDED ] || die "execution attempt: expected status SUCCEEDED, got $ATTEMPT ($BODY)"
expect_field .outcome.status SUCCEEDED "outcome status"
expect_field .outcome.approval_source POLICY "outcome approval_source"
expect_field .outcome.auto_executed true "outcome auto_executed"
say "PASS: AUTO_EXECUTED → attempt SUCCEEDED → outcome SUCCEEDED, POLICY, auto_executed"
