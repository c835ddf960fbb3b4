# Shared helpers of the real-process shell tests. Source it; then call start_server.
# Every server binds to loopback on a free port and is stopped by PID on exit.
set -euo pipefail
STEWARD_BIN=${STEWARD_BIN:-$(pwd)/build/steward}
PASSED=0
FAILED=0
SERVER_PID=""
TEST_DIR=$(mktemp -d /tmp/steward-shell.XXXXXX)

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$TEST_DIR"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# start_server [extra serve args...]: starts steward on a free port with data in $TEST_DIR/data.
start_server() {
  PORT=${KEEP_PORT:-$(free_port)}  # KEEP_PORT: restart on the same address (same lease owner)
  BASE="http://127.0.0.1:$PORT"
  "$STEWARD_BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$TEST_DIR/data" "$@" \
    >>"$TEST_DIR/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 150); do
    if curl -sf "$BASE/readyz" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "server did not become ready; log:" >&2
  tail -n 30 "$TEST_DIR/server.log" >&2
  exit 1
}

stop_server() {
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

kill9_server() {
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

token() { "$STEWARD_BIN" token --data-dir "$TEST_DIR/data" "$@"; }

# req METHOD PATH TOKEN [BODY] [CONTENT_TYPE]: sets STATUS and BODY.
req() {
  local method=$1 path=$2 tok=$3 data=${4-} ctype=${5:-application/json}
  local args=(-s -o "$TEST_DIR/resp" -w '%{http_code}' -X "$method" "$BASE$path")
  [ -n "$tok" ] && args+=(-H "Authorization: Bearer $tok")
  if [ -n "$data" ]; then args+=(-H "Content-Type: $ctype" --data-binary "$data"); fi  # "@file" sends a file
  STATUS=$(curl "${args[@]}")
  BODY=$(cat "$TEST_DIR/resp")
}

ok() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*" >&2; }
expect_status() {  # expect_status WANT what
  if [ "$STATUS" = "$1" ]; then ok; else fail "$2: expected HTTP $1, got $STATUS: $BODY"; fi
}
expect_json() {  # expect_json JQ_EXPR WANT what
  local got
  got=$(echo "$BODY" | jq -r "$1" 2>/dev/null || echo "<unparseable>")
  if [ "$got" = "$2" ]; then ok; else fail "$3: expected $1 = $2, got $got (body: $BODY)"; fi
}
finish() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" = 0 ]
}
