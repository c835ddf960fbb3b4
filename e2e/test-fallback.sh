#!/usr/bin/env bash
# Fallback (seed flow 2): with a budget of 0 the gate answers REQUIRE_APPROVAL; after 5 s no
# execution attempt exists (404) and the budget was not consumed. Cleans up its configuration.
source "$(dirname "$0")/lib.sh"
need_api
ID=${ACTION_INTENT_ID:-}
if [ -z "$ID" ]; then
  ID=$("$E2E_DIR/seed-fallback.sh" | sed -n 's/^ACTION_INTENT_ID=//p')
  [ -n "$ID" ] || die "seeding printed no ACTION_INTENT_ID"
fi
cleanup() {
  call DELETE /autonomy/allowlist >/dev/null 2>&1 || true
  call DELETE "/autonomy/config?action_type=CREATE_INTERNAL_TASK" >/dev/null 2>&1 || true
  call DELETE "/autonomy/budget?account_id=$ACCOUNT_ID" >/dev/null 2>&1 || true
}
trap 'cleanup; rm -rf "$TMP_DIR"' EXIT

say "gate for $ID"
call POST /gate/auto-approval "{\"action_intent_id\":\"$ID\",\"tenant_id\":\"$TENANT_ID\",\"account_id\":\"$ACCOUNT_ID\"}"
expect_status 200 "auto-approval gate"
expect_field .result REQUIRE_APPROVAL "gate result"
say "reason $(field .reason); waiting 5 s"
sleep 5
call GET "/executions/$ID"
expect_status 404 "no execution attempt may exist for an intent that needs approval"
call GET "/autonomy/budget?account_id=$ACCOUNT_ID"
expect_status 200 "read the budget"
expect_field .used_today 0 "the budget was not consumed"
say "PASS: REQUIRE_APPROVAL → no attempt after 5 s, budget untouched"
