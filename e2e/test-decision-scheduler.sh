#!/usr/bin/env bash
# Decision scheduler (seed flow 3): the same RUN_DECISION twice with one idempotency key — the
# second answers SKIP DUPLICATE, and exactly one reservation (one evaluation) exists. Cleans up
# the reservation.
source "$(dirname "$0")/lib.sh"
need_api
KEY="e2e-p5-idem-$$-$(date +%s)"
PAYLOAD="{\"detail\":{\"tenant_id\":\"$TENANT_ID\",\"account_id\":\"$ACCOUNT_ID\",\"trigger_type\":\"SIGNAL_ARRIVED\",\"idempotency_key\":\"$KEY\"}}"
trap 'call DELETE "/decisions/idempotency/$KEY" >/dev/null 2>&1 || true; rm -rf "$TMP_DIR"' EXIT

say "first RUN_DECISION ($KEY)"
call POST /decisions/triggers "$PAYLOAD"
expect_status 200 "first RUN_DECISION"
FIRST=$(field .result)
[ "$FIRST" != SKIP ] || [ "$(field .reason)" != DUPLICATE ] || die "the first invoke must not be a duplicate: $BODY"
say "second RUN_DECISION (same key)"
call POST /decisions/triggers "$PAYLOAD"
expect_status 200 "second RUN_DECISION"
expect_field .result SKIP "second invoke result"
expect_field .reason DUPLICATE "second invoke reason"
expect_field .original.result "$FIRST" "the duplicate carries the first result"
call GET "/decisions/idempotency/$KEY"
expect_status 200 "the reservation exists"
expect_field .idempotency_key "$KEY" "reservation key"
call GET "/decisions/runs?account_id=$ACCOUNT_ID&limit=500"
expect_status 200 "list evaluations"
N=$(echo "$BODY" | jq --arg k "$KEY" '[.items[] | select(.idempotency_key == $k)] | length')
[ "$N" = 1 ] || die "expected exactly 1 evaluation for $KEY, found $N"
say "PASS: second invoke SKIP DUPLICATE, one reservation"
