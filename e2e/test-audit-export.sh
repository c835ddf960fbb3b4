#!/usr/bin/env bash
# Audit export (seed flow 4): POST an export of the last 7 days as CSV (200/202 with an
# export_id), poll until COMPLETED (max 120 s), download the presigned URL (HTTP 200, no
# Authorization header) and check the CSV's first line is the exact header. SKIPPED when the
# API URL or the auth header is unset, as in the seed.
source "$(dirname "$0")/lib.sh"
if [ -z "$API" ] || [ -z "$AUTH" ]; then
  echo "SKIPPED: AUTONOMY_ADMIN_API_URL or CONTROL_CENTER_AUTH_HEADER is not set"
  exit 0
fi
HEADER='timestamp,event_type,entry_id,tenant_id,account_id,trace_id,action_intent_id,actor,data,seq,prev_hash,hash'
FROM=$(date -u -d '7 days ago' +%F)
TO=$(date -u +%F)
call POST /autonomy/audit/exports "{\"from\":\"$FROM\",\"to\":\"$TO\",\"format\":\"csv\"}"
[ "$STATUS" = 200 ] || [ "$STATUS" = 202 ] || die "POST export: expected HTTP 200 or 202, got $STATUS: $BODY"
EXPORT_ID=$(field .export_id)
[ -n "$EXPORT_ID" ] && [ "$EXPORT_ID" != null ] || die "no export_id in $BODY"
say "export $EXPORT_ID; waiting for COMPLETED (max 120 s)"
deadline=$((SECONDS + 120))
while [ $SECONDS -lt $deadline ]; do
  call GET "/autonomy/audit/exports/$EXPORT_ID"
  expect_status 200 "export status"
  S=$(field .status)
  [ "$S" = FAILED ] && die "export FAILED: $(field .error_message)"
  [ "$S" = COMPLETED ] && break
  sleep "$POLL_INTERVAL"
done
[ "$(field .status)" = COMPLETED ] || die "export not COMPLETED within 120 s (status $(field .status))"
URL=$(field .presigned_url)
OUT="$TMP_DIR/p5-audit-export.csv"
CODE=$(curl -sS -o "$OUT" -w '%{http_code}' "$URL") || die "download failed"
[ "$CODE" = 200 ] || die "presigned download: expected HTTP 200, got $CODE"
[ -s "$OUT" ] || die "the downloaded file is empty"
FIRST_LINE=$(head -n1 "$OUT" | tr -d '\r')
[ "$FIRST_LINE" = "$HEADER" ] || die "CSV header: expected '$HEADER', got '$FIRST_LINE'"
say "PASS: export COMPLETED, presigned download 200, CSV header exact ($(($(wc -l <"$OUT") - 1)) rows)"
