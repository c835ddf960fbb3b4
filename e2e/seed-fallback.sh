#!/usr/bin/env bash
# Seed for the fallback flow: one intent, the allowlist, mode AUTO_EXECUTE, and a budget of 0
# per day (exhausted). Prints ACTION_INTENT_ID=…
source "$(dirname "$0")/lib.sh"
need_api
call PUT /autonomy/allowlist '{"action_types":["CREATE_INTERNAL_TASK"]}'
expect_status 200 "seed allowlist"
call PUT /autonomy/config '{"action_type":"CREATE_INTERNAL_TASK","mode":"AUTO_EXECUTE"}'
expect_status 200 "seed autonomy mode"
call DELETE "/autonomy/budget/state?account_id=$ACCOUNT_ID"
expect_status 200 "clear today's budget state"
call PUT /autonomy/budget "{\"account_id\":\"$ACCOUNT_ID\",\"max_autonomous_per_day\":0}"
expect_status 200 "seed exhausted budget"
ID="e2e-fallback-$(date +%s)-$$"
call POST /intents "{\"action_intent_id\":\"$ID\",\"account_id\":\"$ACCOUNT_ID\",\"action_type\":\"CREATE_INTERNAL_TASK\",\"parameters\":{\"title\":\"E2E fallback task\"},\"confidence_score\":0.92,\"gate\":\"none\"}"
expect_status 201 "seed intent"
echo "ACTION_INTENT_ID=$ID"
