#!/usr/bin/env bash
# The seed's e2e suite on the PostgreSQL backend (issue 7): ./deploy --db URL against a throwaway
# cluster (tests/pg/with_pg.sh: no PostgreSQL is a loud failure, never a skip), twice (a fresh
# tenant each time), then ./destroy. e2e_test.sh runs the same suite on the embedded store.
if [ -z "${STEWARD_TEST_PG_URL:-}" ]; then
  exec "$(cd "$(dirname "$0")/../pg" && pwd)/with_pg.sh" bash "$0" "$@"
fi
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
PASSED=0
FAILED=0
ok() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*" >&2; }
LOG=$(mktemp /tmp/e2e-pg.XXXXXX)
trap './destroy >/dev/null 2>&1 || true; rm -f "$LOG"' EXIT

DB=steward_e2e_$$
psql "$STEWARD_TEST_PG_URL" -qAtc "CREATE DATABASE $DB" >/dev/null
DB_URL="${STEWARD_TEST_PG_URL%/*}/$DB"
BUILD_ARGS=()
[ -n "${STEWARD_BIN:-}" ] && BUILD_ARGS=(--build-dir "$(realpath --relative-to="$ROOT" "$(dirname "$STEWARD_BIN")")")

./destroy >/dev/null
start=$SECONDS
if ./deploy --db "$DB_URL" "${BUILD_ARGS[@]}" >"$LOG" 2>&1; then ok; else fail "./deploy --db: $(tail -20 "$LOG")"; fi
grep -q "e2e: all 4 passed" "$LOG" && ok || fail "suite did not pass on PostgreSQL: $(cat "$LOG")"
[ $((SECONDS - start)) -lt 60 ] && ok || fail "deploy + suite took $((SECONDS - start)) s"
# The stack really is on PostgreSQL: the tenant's ledger rows are in the database.
TENANT=$(sed -n 's/^TENANT_ID=//p' .env)
ROWS=$(psql "$DB_URL" -qAtc "SELECT COUNT(*) FROM ledger WHERE tenant_id = '$TENANT'")
[ "$ROWS" -gt 0 ] && ok || fail "no ledger rows for $TENANT in PostgreSQL"
T1=$(grep TENANT_ID .env)
if ./deploy --db "$DB_URL" "${BUILD_ARGS[@]}" >"$LOG" 2>&1 && grep -q "e2e: all 4 passed" "$LOG"; then ok; else
  fail "second ./deploy --db: $(tail -20 "$LOG")"
fi
T2=$(grep TENANT_ID .env)
[ "$T1" != "$T2" ] && ok || fail "a fresh tenant per run"
./destroy >/dev/null && ok || fail "./destroy"
psql "$STEWARD_TEST_PG_URL" -qAtc "DROP DATABASE $DB WITH (FORCE)" >/dev/null || true
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
