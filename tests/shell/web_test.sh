#!/usr/bin/env bash
# The web Control Center (SPEC §13), end to end: starts steward on a free loopback port, checks
# how the static files are served (content types, CSP and other security headers, validators),
# then runs the browser tests in tests/web/ — playwright-core driving Debian's chromium, never a
# downloaded browser. Screenshots go to build/web-screenshots/.
#   STEWARD_BIN=build/steward bash tests/shell/web_test.sh
source "$(dirname "$0")/lib.sh"

REPO=$(cd "$(dirname "$0")/../.." && pwd)
WEB_TESTS="$REPO/tests/web"
SCREENSHOT_DIR="$REPO/build/web-screenshots"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$CHROMIUM" ]; then
  echo "web_test: $CHROMIUM is missing; 'make deps' installs Debian's chromium" >&2
  exit 1
fi
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "web_test: $tool is missing" >&2; exit 1; }
done
# playwright-core only (it downloads no browser), exactly as package-lock.json pins it.
if [ ! -d "$WEB_TESTS/node_modules/playwright-core" ]; then
  (cd "$WEB_TESTS" && npm ci --no-audit --no-fund --loglevel=error)
fi

start_server

# header NAME FILE: the value of response header NAME in a curl -D dump (case-insensitive).
header() { { grep -i "^$1:" "$2" || true; } | head -n1 | cut -d' ' -f2- | tr -d '\r'; }
# fetch PATH [curl args…]: GET, headers to $TEST_DIR/h, body to $TEST_DIR/b; sets STATUS.
fetch() {
  local p=$1
  shift
  rm -f "$TEST_DIR/h" "$TEST_DIR/b"  # curl writes no body file for an empty body
  STATUS=$(curl -s -D "$TEST_DIR/h" -o "$TEST_DIR/b" -w '%{http_code}' "$@" "$BASE$p")
}
expect_header() {  # expect_header NAME WANT what
  local got
  got=$(header "$1" "$TEST_DIR/h")
  if [ "$got" = "$2" ]; then ok; else fail "$3: $1 is '$got', expected '$2'"; fi
}

CSP="default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

fetch /
expect_status 200 "GET / serves the Control Center without a token"
expect_header Content-Type "text/html; charset=utf-8" "/"
expect_header Content-Security-Policy "$CSP" "/"
expect_header X-Content-Type-Options nosniff "/"
expect_header X-Frame-Options DENY "/"
expect_header Referrer-Policy no-referrer "/"
expect_header Cache-Control no-cache "/"
if grep -q '<script type="module" src="/assets/js/main.js"></script>' "$TEST_DIR/b"; then ok; else fail "/ does not load the app module"; fi
if grep -qiE '<script>|<style|style=|https?://' "$TEST_DIR/b"; then fail "index.html has inline code or another origin"; else ok; fi
ETAG=$(header ETag "$TEST_DIR/h")
if [[ "$ETAG" =~ ^\"[0-9a-f]{32}\"$ ]]; then ok; else fail "/ has no strong ETag: '$ETAG'"; fi

fetch / -H "If-None-Match: $ETAG"
expect_status 304 "a matching If-None-Match revalidates without a body"
if [ ! -s "$TEST_DIR/b" ]; then ok; else fail "the 304 has a body"; fi
expect_header ETag "$ETAG" "the 304"
fetch / -H 'If-None-Match: "0000"'
expect_status 200 "a stale ETag gets the file"

for asset in /assets/js/main.js /assets/js/pages/inbox.js; do
  fetch "$asset"
  expect_status 200 "GET $asset"
  expect_header Content-Type "text/javascript; charset=utf-8" "$asset"
  expect_header Content-Security-Policy "$CSP" "$asset"
done
fetch /assets/app.css
expect_header Content-Type "text/css; charset=utf-8" "app.css"
fetch /assets/icon.svg
expect_header Content-Type "image/svg+xml" "icon.svg"
# Only embedded files exist: no directory listing, no README, no path into the file system.
for missing in /assets/ /assets/js/nope.js /README.md /assets/../../CMakeLists.txt /index.html; do
  fetch "$missing" --path-as-is
  expect_status 404 "GET $missing"
done
req POST / ""
expect_status 405 "POST /"
# The API is untouched: still JSON and still behind a token.
req GET /v1/inbox ""
expect_status 401 "the API still needs a token"

rm -rf "$SCREENSHOT_DIR"
mkdir -p "$SCREENSHOT_DIR"
if (cd "$WEB_TESTS" && STEWARD_URL="$BASE" STEWARD_BIN="$STEWARD_BIN" STEWARD_DATA_DIR="$TEST_DIR/data" \
    SCREENSHOT_DIR="$SCREENSHOT_DIR" CHROMIUM="$CHROMIUM" \
    node --test --test-concurrency=1 --test-timeout=120000 control_center.test.js); then
  ok
else
  fail "browser tests (tests/web/control_center.test.js); the server log ends:"
  tail -n 20 "$TEST_DIR/server.log" >&2
fi
echo "screenshots: $SCREENSHOT_DIR"
finish
