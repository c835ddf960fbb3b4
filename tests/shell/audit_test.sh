#!/usr/bin/env bash
# Audit exports against a real server (SPEC §9): the seed's flow (POST, poll until COMPLETED,
# presigned download, a CSV with the exact header), signed-link negatives, tenancy, validation,
# the CLI (`export create --wait`, `ledger verify FILE`) and a SIGKILL while an export is queued.
source "$(dirname "$0")/lib.sh"

start_server
ADMIN=$(token --tenant au-t --role admin --sub au-admin)
OTHER=$(token --tenant au-u --role admin --sub other-admin)
AGENT=$(token --tenant au-t --role agent)
HEADER='timestamp,event_type,entry_id,tenant_id,account_id,trace_id,action_intent_id,actor,data,seq,prev_hash,hash'

# Some ledger rows with awkward text.
req PUT /v1/autonomy/allowlist "$ADMIN" '{"action_types":["CREATE_INTERNAL_TASK"]}'
for i in 1 2 3; do
  req POST /v1/intents "$AGENT" "{\"account_id\":\"acct-1\",\"action_type\":\"CREATE_INTERNAL_TASK\",\"parameters\":{\"title\":\"Call, \\\"quoted\\\"\\nnext line – café $i\"},\"gate\":\"none\"}"
done

TODAY=$(date -u +%F)
WEEK_AGO=$(date -u -d '7 days ago' +%F)
req POST /v1/autonomy/audit/exports "$ADMIN" "{\"from\":\"$WEEK_AGO\",\"to\":\"$TODAY\",\"format\":\"csv\"}"
expect_status 202 "export accepted"
ID=$(echo "$BODY" | jq -r .export_id)
for _ in $(seq 1 100); do
  req GET "/v1/autonomy/audit/exports/$ID" "$ADMIN"
  [ "$(echo "$BODY" | jq -r .status)" = COMPLETED ] && break
  sleep 0.2
done
expect_json .status COMPLETED "export completed"
URL=$(echo "$BODY" | jq -r .presigned_url)
SHA=$(echo "$BODY" | jq -r .sha256)
ROWS=$(echo "$BODY" | jq -r .row_count)
case "$URL" in "$BASE/v1/downloads/$ID?expires="*"&sig="*) ok ;; *) fail "absolute presigned url: $URL" ;; esac
CODE=$(curl -s -D "$TEST_DIR/h" -o "$TEST_DIR/e.csv" -w '%{http_code}' "$URL")
[ "$CODE" = 200 ] && ok || fail "download without Authorization: $CODE"
grep -qi '^content-type: text/csv' "$TEST_DIR/h" && ok || fail "content type: $(cat "$TEST_DIR/h")"
grep -qi "^content-disposition: attachment; filename=\"steward-audit-$ID.csv\"" "$TEST_DIR/h" && ok || fail "content disposition"
[ "$(head -n1 "$TEST_DIR/e.csv" | tr -d '\r')" = "$HEADER" ] && ok || fail "exact CSV header"
[ "$(sha256sum "$TEST_DIR/e.csv" | cut -d' ' -f1)" = "$SHA" ] && ok || fail "sha256 of the file"
PYROWS=$(python3 -c 'import csv,sys; print(len(list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8"))))-1)' "$TEST_DIR/e.csv")
[ "$PYROWS" = "$ROWS" ] && ok || fail "python csv rows $PYROWS vs row_count $ROWS"
"$STEWARD_BIN" ledger verify "$TEST_DIR/e.csv" >"$TEST_DIR/v.out" && ok || fail "ledger verify: $(cat "$TEST_DIR/v.out")"
python3 - "$TEST_DIR/e.csv" "$TEST_DIR/bad.csv" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
i = data.index(b'caf')
open(sys.argv[2], 'wb').write(data[:i] + b'X' + data[i + 1:])
PY
set +e; "$STEWARD_BIN" ledger verify "$TEST_DIR/bad.csv" >"$TEST_DIR/v.out"; RC=$?; set -e
[ "$RC" = 1 ] && grep -q "BROKEN at row" "$TEST_DIR/v.out" && ok || fail "tampered file found: rc $RC $(cat "$TEST_DIR/v.out")"

# Signed-link negatives and tenancy.
SIG=${URL##*sig=}
BAD_SIG=$( [ "${SIG:0:1}" = a ] && echo b || echo a)${SIG:1}  # always differs from SIG
CODE=$(curl -s -o /dev/null -w '%{http_code}' "${URL%sig=*}sig=$BAD_SIG")
[ "$CODE" = 403 ] && ok || fail "tampered signature: $CODE"
EXP=$(echo "$URL" | sed 's/.*expires=\([0-9]*\).*/\1/')
CODE=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/v1/downloads/$ID?expires=$((EXP + 60))&sig=$SIG")
[ "$CODE" = 403 ] && ok || fail "extended expiry: $CODE"
CODE=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/v1/downloads/$ID?expires=abc&sig=$SIG")
[ "$CODE" = 400 ] && ok || fail "malformed expiry: $CODE"
req GET "/v1/autonomy/audit/exports/$ID" "$OTHER"
expect_status 404 "another tenant's export"
req GET "/v1/autonomy/audit/exports" "$OTHER"
expect_json '.items | length' 0 "another tenant lists nothing"
req GET "/v1/autonomy/audit/exports/$ID" "$AGENT"
expect_status 403 "agents cannot read exports"

# Validation: 400 and no export.
for body in "{\"from\":\"$TODAY\",\"to\":\"$WEEK_AGO\"}" '{"from":"2024-01-01","to":"2025-06-01"}' \
            "{\"from\":\"$WEEK_AGO\",\"to\":\"$TODAY\",\"format\":\"xml\"}" '{"from":"2026-02-30","to":"2026-03-01"}' \
            '{"from":"last week","to":"now"}' '{"to":"2026-03-01"}'; do
  req POST /v1/autonomy/audit/exports "$ADMIN" "$body"
  expect_status 400 "bad export $body"
done
req GET /v1/autonomy/audit/exports "$ADMIN"
expect_json '.items | length' 1 "no export from bad input"

# The CLI: create, wait with progress, download and check the hash; NDJSON verifies too.
export STEWARD_URL=$BASE STEWARD_TOKEN=$ADMIN
"$STEWARD_BIN" export create --from "$WEEK_AGO" --to "$TODAY" --format ndjson --wait --out "$TEST_DIR/e.ndjson" \
  >"$TEST_DIR/cli.out" 2>"$TEST_DIR/cli.err" && ok || fail "cli export: $(cat "$TEST_DIR/cli.err")"
grep -q "^wrote $TEST_DIR/e.ndjson" "$TEST_DIR/cli.out" && ok || fail "cli export output: $(cat "$TEST_DIR/cli.out")"
"$STEWARD_BIN" ledger verify "$TEST_DIR/e.ndjson" --json | jq -e '.ok == true and .format == "ndjson"' >/dev/null && ok || fail "ndjson verifies"
"$STEWARD_BIN" export list | grep -q "$ID" && ok || fail "cli export list"

# A crash with an export queued: the export survives the restart and completes.
req POST /v1/autonomy/audit/exports "$ADMIN" "{\"from\":\"$WEEK_AGO\",\"to\":\"$TODAY\",\"format\":\"json\"}"
ID2=$(echo "$BODY" | jq -r .export_id)
kill9_server
# Same address → same lease owner: the restarted node takes back its jobs at once.
KEEP_PORT=$PORT start_server
for _ in $(seq 1 300); do
  req GET "/v1/autonomy/audit/exports/$ID2" "$ADMIN"
  [ "$(echo "$BODY" | jq -r .status)" = COMPLETED ] && break
  sleep 0.2
done
expect_json .status COMPLETED "export accepted before a crash completes after the restart"
curl -s -o "$TEST_DIR/e2.json" "$(echo "$BODY" | jq -r .presigned_url)"
"$STEWARD_BIN" ledger verify "$TEST_DIR/e2.json" >/dev/null && ok || fail "the file after the crash is whole"

finish
