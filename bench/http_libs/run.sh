#!/usr/bin/env bash
# HTTP server peer comparison: GET /x -> a 32-byte JSON body, served by
#   (a) Steward's HttpServer (Boost.Beast; 1 I/O thread, 32 handler threads: the defaults),
#   (b) cpp-httplib (Debian libcpp-httplib-dev; TCP_NODELAY, 64-thread pool, keep-alive uncapped),
#   (c) nginx serving a static file (1 worker, access log off),
# each measured with `wrk -t2 -c64` and `-c256` for DURATION (default 10s) with --latency.
# Prints a markdown table. Usage: bench/http_libs/run.sh [BUILD_DIR]  (default: build)
# Env: DURATION=10s, CONNS="64 256", SKIP_BUILD=1 to use already-built binaries.
set -euo pipefail
BUILD=${1:-build}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-"64 256"}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac

for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "http_libs: $tool not installed, skipping" >&2; exit 0; }
done

if [ -z "${SKIP_BUILD:-}" ]; then
  if [ ! -f "$BUILD/build.ninja" ]; then
    cmake -S . -B "$BUILD" -G Ninja -DSTEWARD_BUILD_TESTS=OFF >/dev/null
  fi
  cmake --build "$BUILD" --target http_bench_beast >/dev/null
  cmake --build "$BUILD" --target http_bench_httplib >/dev/null 2>&1 ||
    echo "http_libs: cpp-httplib not available (apt-get install libcpp-httplib-dev)" >&2
fi
BEAST="$BUILD/bench/http_bench_beast"
HTTPLIB="$BUILD/bench/http_bench_httplib"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

TMP=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_ready() {  # port
  for _ in $(seq 1 100); do
    if curl -sf -o /dev/null "http://127.0.0.1:$1/x"; then return 0; fi
    sleep 0.1
  done
  echo "http_libs: server on port $1 did not come up" >&2
  return 1
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# Opens N connections at once, sends one request on each and counts the answers within 3 s:
# wrk's figures only cover answered requests, so a server that leaves connections waiting
# (e.g. one thread per connection) looks fine there.
served() {  # port n
  python3 - "$1" "$2" <<'PY'
import select, socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
for s in socks:
    s.sendall(b"GET /x HTTP/1.1\r\nHost: bench\r\n\r\n")
answered, deadline = set(), time.time() + 3
while time.time() < deadline and len(answered) < n:
    ready, _, _ = select.select([s for s in socks if s not in answered], [], [], 0.2)
    answered.update(s for s in ready if s.recv(4096))
print(f"{len(answered)}/{n}")
PY
}

ROWS=()
SERVED=()
measure() {  # name port
  local name=$1 port=$2 conns out rps p50 p90 p99 errs non2xx
  wrk -t2 -c64 -d2s "http://127.0.0.1:$port/x" >/dev/null 2>&1 || true  # warm-up
  for conns in $CONNS; do
    out=$(wrk -t2 -c"$conns" -d"$DURATION" --latency "http://127.0.0.1:$port/x" 2>&1)
    rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p90=$(awk '$1=="90%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    errs=$(awk '/Socket errors:/ {gsub(",", ""); print $4+$6+$8+$10}' <<<"$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    ROWS+=("| $name | $conns | ${rps:-?} | ${p50:-?} | ${p90:-?} | ${p99:-?} | $(( ${errs:-0} + ${non2xx:-0} )) |")
  done
  SERVED+=("| $name | $(served "$port" 256) |")
}

# (a) Steward HttpServer (Beast)
port=$(free_port)
"$BEAST" "$port" 1 32 >"$TMP/beast.log" 2>&1 &
SERVER_PID=$!
wait_ready "$port" && measure "Steward HttpServer (Beast, 1 I/O + 32 handler threads)" "$port"
stop_server

# (b) cpp-httplib
if [ -x "$HTTPLIB" ]; then
  port=$(free_port)
  "$HTTPLIB" "$port" 64 >"$TMP/httplib.log" 2>&1 &
  SERVER_PID=$!
  wait_ready "$port" && measure "cpp-httplib 0.11 (64-thread pool)" "$port"
  stop_server
else
  ROWS+=("| cpp-httplib | - | not built | | | | |")
fi

# (c) nginx, static file
if [ -x "$NGINX" ]; then
  port=$(free_port)
  mkdir -p "$TMP/nginx"
  printf '{"ok":true,"service":"steward"}' >"$TMP/nginx/x.json"
  cat >"$TMP/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
  tcp_nodelay on;
  server {
    listen 127.0.0.1:$port;
    location = /x { default_type application/json; alias $TMP/nginx/x.json; }
  }
}
EOF
  "$NGINX" -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" &
  SERVER_PID=$!
  wait_ready "$port" && measure "nginx $("$NGINX" -v 2>&1 | sed 's|.*/||') (static file, 1 worker)" "$port"
  stop_server
else
  ROWS+=("| nginx | - | not installed | | | | |")
fi

echo "HTTP GET /x, tiny JSON body, keep-alive; wrk -t2 -d$DURATION on the same host ($(nproc) cores, $(date -u +%F))."
echo
echo "| server | connections | req/s | p50 | p90 | p99 | errors |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
echo
echo "Connections answered within 3 s when 256 are opened at once (one request each):"
echo
echo "| server | answered |"
echo "|---|---:|"
printf '%s\n' "${SERVED[@]}"
