# Shared helpers of the e2e suite (SPEC §14). Source it. Reads only .env (written by ./deploy).
set -euo pipefail
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$E2E_DIR/.." && pwd)
ENV_FILE=${ENV_FILE:-$ROOT/.env}
if [ -f "$ENV_FILE" ]; then
  set -a
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  set +a
fi
TENANT_ID=${TENANT_ID:-test-tenant-1}
ACCOUNT_ID=${ACCOUNT_ID:-test-account-1}
API=${AUTONOMY_ADMIN_API_URL:-}
AUTH=${CONTROL_CENTER_AUTH_HEADER:-}
POLL_INTERVAL=0.2
TMP_DIR=$(mktemp -d /tmp/steward-e2e.XXXXXX)
trap 'rm -rf "$TMP_DIR"' EXIT

die() { echo "FAIL [$(basename "$0")]: $*" >&2; exit 1; }
need_api() {
  [ -n "$API" ] || die "AUTONOMY_ADMIN_API_URL is not set (run ./deploy, or set it in .env)"
  [ -n "$AUTH" ] || die "CONTROL_CENTER_AUTH_HEADER is not set (run ./deploy, or set it in .env)"
}

# call METHOD PATH [BODY]: sets STATUS and BODY. PATH is relative to AUTONOMY_ADMIN_API_URL (/v1).
call() {
  local method=$1 path=$2 data=${3-}
  local args=(-sS -o "$TMP_DIR/body" -w '%{http_code}' -X "$method" "$API$path" -H "Authorization: $AUTH")
  if [ -n "$data" ]; then args+=(-H 'Content-Type: application/json' --data-binary "$data"); fi
  STATUS=$(curl "${args[@]}") || die "$method $path: the server did not answer"
  BODY=$(cat "$TMP_DIR/body")
}
field() { echo "$BODY" | jq -r "$1"; }

# expect_status WANT what / expect_field JQ WANT what: stop at the first mismatch, saying what
# was expected and what came back.
expect_status() {
  [ "$STATUS" = "$1" ] || die "$2: expected HTTP $1, got $STATUS: $BODY"
}
expect_field() {
  local got
  got=$(echo "$BODY" | jq -r "$1" 2>/dev/null || echo "<not JSON>")
  [ "$got" = "$2" ] || die "$3: expected $1 = $2, got $got (response: $BODY)"
}
say() { echo "  [$(basename "$0" .sh)] $*"; }
