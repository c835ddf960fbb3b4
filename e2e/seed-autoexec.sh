#!/usr/bin/env bash
# Seed for the auto-exec flow: one CREATE_INTERNAL_TASK intent (gate not run yet), the tenant's
# allowlist with CREATE_INTERNAL_TASK, mode AUTO_EXECUTE for the type, today's budget state
# cleared, and a budget of 1 per day for the account. Prints ACTION_INTENT_ID=…
source "$(dirname "$0")/lib.sh"
need_api
call PUT /autonomy/allowlist '{"action_types":["CREATE_INTERNAL_TASK"]}'
expect_status 200 "seed allowlist"
call PUT /autonomy/config '{"action_type":"CREATE_INTERNAL_TASK","mode":"AUTO_EXECUTE"}'
expect_status 200 "seed autonomy mode"
call DELETE "/autonomy/budget/state?account_id=$ACCOUNT_ID"
expect_status 200 "clear today's budget state"
call PUT /autonomy/budget "{\"account_id\":\"$ACCOUNT_ID\",\"max_autonomous_per_day\":1}"
expect_status 200 "seed budget config"
ID="e2e-autoexec-$(date +%s)-$$"
call POST /intents "{\"action_intent_id\":\"$ID\",\"account_id\":\"$ACCOUNT_ID\",\"action_type\":\"CREATE_INTERNAL_TASK\",\"parameters\":{\"title\":\"E2E auto-exec task\"},\"confidence_score\":0.92,\"gate\":\"none\"}"
expect_status 201 "seed intent"
echo "ACTION_INTENT_ID=$ID"
