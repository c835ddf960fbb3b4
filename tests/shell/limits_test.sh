#!/usr/bin/env bash
# Transport limits against a real server (docs/RELIABILITY.md "Limits"): slow-loris headers and
# bodies are cut off, idle keep-alive connections closed, oversized headers 431, oversized bodies
# 413, connections over --max-connections answered 503, and 10,000 idle connections held at once
# with a bounded RSS while ordinary requests are still served promptly. python3 sockets only.
source "$(dirname "$0")/lib.sh"

# Short timeouts so the test runs fast; the defaults are 10 s / 30 s / 75 s.
start_server --durability process --log-level warn --header-timeout 2s --body-timeout 2s \
  --idle-timeout 2s --max-connections 64
VIEWER=$(token --tenant lim-t --role viewer)

limits_py() {  # limits_py PART: runs one part of the python below against $BASE and $SERVER_PID
  BASE=$BASE SERVER_PID=$SERVER_PID TOKEN=$VIEWER PART=$1 python3 - <<'PY'
import os, resource, socket, sys, time, urllib.parse

BASE = urllib.parse.urlsplit(os.environ["BASE"])
PID, TOKEN, PART = os.environ["SERVER_PID"], os.environ["TOKEN"], os.environ["PART"]
failures = []


def check(cond, msg):
    print(("ok   " if cond else "FAIL ") + msg)
    if not cond:
        failures.append(msg)


def conn(timeout=10.0):
    s = socket.create_connection((BASE.hostname, BASE.port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_response(s):
    """(status, headers, body) of one response, or None when the peer closed or reset first."""
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
        n = int(headers.get("content-length", "0"))
        while len(rest) < n:
            chunk = s.recv(65536)
            if not chunk:
                return None
            rest += chunk
        return int(lines[0].split()[1]), headers, rest[:n]
    except (ConnectionResetError, socket.timeout):
        return None


def closed_within(s, seconds):
    """Seconds until the server closed `s` (EOF or reset), or None if still open after `seconds`."""
    start = time.monotonic()
    s.settimeout(seconds)
    try:
        while True:
            if not s.recv(65536):
                return time.monotonic() - start
    except ConnectionResetError:
        return time.monotonic() - start
    except socket.timeout:
        return None


def trickle(s, data, interval, deadline):
    """Sends `data` one byte per `interval` s; seconds until the server cut it off, else None."""
    start = time.monotonic()
    for b in data:
        try:
            s.sendall(bytes([b]))
        except (BrokenPipeError, ConnectionResetError):
            return time.monotonic() - start
        s.settimeout(interval)
        try:
            if s.recv(65536) == b"":
                return time.monotonic() - start
        except socket.timeout:
            pass
        except ConnectionResetError:
            return time.monotonic() - start
        if time.monotonic() - start > deadline:
            return None
    return None


def get(path, extra=b"", keep=True):
    return (b"GET " + path + b" HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + TOKEN.encode() +
            b"\r\n" + extra + (b"" if keep else b"Connection: close\r\n") + b"\r\n")


def rss_kib():
    for line in open("/proc/%s/status" % PID):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise SystemExit("no VmRSS")


if PART == "timeouts":
    # Slow-loris: a header trickled one byte per 0.25 s never completes; the whole header has
    # 2 s (--header-timeout), so the cut comes at ~2 s although every byte is progress.
    s = conn()
    cut = trickle(s, b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"a" * 200, 0.25, 10)
    check(cut is not None and 1.5 <= cut <= 3.5, "slow-loris header cut off at %s s (bound 2 s)" % cut)
    # The same on a keep-alive connection's second request.
    s = conn()
    s.sendall(get(b"/healthz"))
    r = read_response(s)
    check(r is not None and r[0] == 200, "first request on a keep-alive connection")
    cut = trickle(s, b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"a" * 200, 0.25, 10)
    check(cut is not None and 1.5 <= cut <= 3.5, "slow second request cut off at %s s" % cut)
    # A connection that sends nothing at all.
    t = closed_within(conn(), 10)
    check(t is not None and 1.5 <= t <= 3.5, "silent connection closed at %s s" % t)
    # A body trickled one byte per 0.25 s: cut off by --body-timeout 2 s.
    s = conn()
    s.sendall(b"POST /v1/intents HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
              b"Authorization: Bearer " + TOKEN.encode() + b"\r\nContent-Length: 400\r\n\r\n")
    cut = trickle(s, b"{" + b" " * 398 + b"}", 0.25, 10)
    check(cut is not None and 1.5 <= cut <= 3.5, "slow body cut off at %s s (bound 2 s)" % cut)
    # An idle keep-alive connection: closed after --idle-timeout 2 s.
    s = conn()
    s.sendall(get(b"/healthz"))
    check(read_response(s) is not None, "request before idling")
    t = closed_within(s, 10)
    check(t is not None and 1.5 <= t <= 3.5, "idle keep-alive connection closed at %s s" % t)
    # A client that keeps its connection busy is not cut off: 6 requests over ~3 s.
    s = conn()
    answered = 0
    for _ in range(6):
        s.sendall(get(b"/healthz"))
        r = read_response(s)
        answered += r is not None and r[0] == 200
        time.sleep(0.5)
    check(answered == 6, "an active keep-alive connection outlives the timeouts (%d/6)" % answered)

elif PART == "default_slowloris":
    # The default --header-timeout (10 s) against one header byte per second.
    s = conn()
    cut = trickle(s, b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"a" * 60, 1.0, 20)
    check(cut is not None and 9 <= cut <= 12, "one byte per second cut off at %s s (default 10 s)"
          % cut)

elif PART == "sizes":
    def one(request, what, want_status, want_close):
        s = conn()
        try:
            s.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            pass
        r = read_response(s)
        status = r[0] if r else None
        check(status == want_status, "%s -> %s (want %s)" % (what, status, want_status))
        if want_close:
            check(closed_within(s, 5) is not None, "%s closes the connection" % what)
        s.close()
    big = 16 << 10
    one(get(b"/healthz", b"X-Big: " + b"h" * (20 << 10) + b"\r\n"), "one 20 KiB header", 431, True)
    one(get(b"/healthz", b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 1000) for i in range(17))),
        "17 headers of 1 KiB", 431, True)
    one(get(b"/healthz?" + b"q" * (20 << 10)), "a 20 KiB request line", 431, True)
    one(get(b"/healthz", b"X-Fits: " + b"f" * (big - 1024) + b"\r\n"), "15 KiB of headers", 200, False)
    # Bodies: over 1 MiB by Content-Length is 413 before the body is read; chunked too.
    one(b"POST /v1/intents HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % ((1 << 20) + 1), "Content-Length 1 MiB + 1", 413, True)
    chunk = b"x" * 65536
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(17)) + b"0\r\n\r\n"
    one(b"POST /v1/intents HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + body, "chunked body of 1.06 MiB", 413, True)
    payload = b'{"account_id":"a","action_type":"X","parameters":{"pad":"' + b"p" * ((1 << 20) - 80) + b'"}}'
    one(b"POST /v1/intents HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        b"Authorization: Bearer " + TOKEN.encode() + b"\r\nContent-Length: %d\r\n\r\n" % len(payload)
        + payload, "a body just under 1 MiB reaches the handler (viewer: 403)", 403, False)

elif PART == "max_connections":
    # --max-connections 64: 64 idle connections are held; the 65th is answered 503 and closed.
    held = [conn() for _ in range(64)]
    time.sleep(0.3)
    s = conn()
    s.sendall(get(b"/healthz"))
    r = read_response(s)
    check(r is None or r[0] == 503, "connection 65 is refused (%s)" % (r[0] if r else "closed"))
    if r:
        check(r[1].get("retry-after") == "1", "503 carries Retry-After: 1")
    check(closed_within(s, 5) is not None, "connection 65 is closed")
    for h in held[:10]:
        h.close()
    time.sleep(0.3)
    s = conn()
    s.sendall(get(b"/healthz"))
    r = read_response(s)
    check(r is not None and r[0] == 200, "a freed slot serves again")

elif PART == "idle10k":
    n = int(os.environ.get("IDLE_CONNECTIONS", "10000"))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < n + 100:
        raise SystemExit("RLIMIT_NOFILE hard limit %d is below %d connections" % (hard, n))
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    warm = conn()
    for _ in range(50):
        warm.sendall(get(b"/v1/intents"))
        read_response(warm)
    warm.close()
    time.sleep(0.5)
    base = rss_kib()
    start = time.monotonic()
    socks = []
    for i in range(n):
        socks.append(conn(30))
    opened = time.monotonic() - start
    time.sleep(1.0)
    fresh = rss_kib()
    # Latency of an ordinary request with n idle connections open.
    def timed(path):
        s = conn()
        t0 = time.monotonic()
        s.sendall(get(path, keep=False))
        r = read_response(s)
        s.close()
        return (r[0] if r else None), time.monotonic() - t0
    status, took = timed(b"/v1/intents")
    check(status == 200 and took < 0.5, "with %d idle connections a request is served: %s in %.3f s" % (n, status, took))
    # Every idle connection makes one request and stays open (keep-alive idle).
    for s in socks:
        s.sendall(get(b"/healthz"))
    ok = sum(1 for s in socks if (lambda r: r is not None and r[0] == 200)(read_response(s)))
    check(ok == n, "%d of %d idle connections answered, all kept open" % (ok, n))
    time.sleep(1.0)
    kept = rss_kib()
    status, took = timed(b"/v1/intents")
    check(status == 200 and took < 0.5, "with %d keep-alive idle connections: %s in %.3f s" % (n, status, took))
    bound_kib = int(os.environ.get("RSS_BOUND_MIB", "64")) * 1024
    for what, v in (("fresh", fresh), ("keep-alive", kept)):
        per = (v - base) * 1024 // n
        print("RSS %s: base %d KiB, with %d %s idle connections %d KiB: %d bytes per connection"
              % (what, base, n, what, v, per))
        check(v - base < bound_kib, "RSS growth with %d %s idle connections %d KiB < %d KiB"
              % (n, what, v - base, bound_kib))
    print("opened %d connections in %.2f s" % (n, opened))
    for s in socks:
        s.close()
    time.sleep(1.0)
    print("RSS after closing them: %d KiB" % rss_kib())

sys.exit(1 if failures else 0)
PY
}

# Bad limit settings are usage errors (exit 2), as flags and as environment variables (a
# server that accepted one would run: `timeout` ends it, 124).
for args in "--header-timeout 0s" "--header-timeout 10x" "--body-timeout -1s" "--idle-timeout 2h" \
            "--max-connections 0" "--max-header-bytes 100"; do
  set +e; timeout 10 "$STEWARD_BIN" serve --data-dir "$TEST_DIR/bad" --listen 127.0.0.1:0 $args \
    >"$TEST_DIR/bad.out" 2>&1; rc=$?; set -e
  [ "$rc" = 2 ] && ok || fail "serve $args: exit $rc, want 2: $(cat "$TEST_DIR/bad.out")"
done
set +e; STEWARD_IDLE_TIMEOUT=soon timeout 10 "$STEWARD_BIN" serve --data-dir "$TEST_DIR/bad" \
  --listen 127.0.0.1:0 >"$TEST_DIR/bad.out" 2>&1; rc=$?; set -e
[ "$rc" = 2 ] && ok || fail "STEWARD_IDLE_TIMEOUT=soon: exit $rc, want 2"

for part in timeouts sizes max_connections; do
  echo "== $part"
  if limits_py "$part"; then ok; else fail "limits: $part"; fi
done

# The defaults.
stop_server
start_server --durability process --log-level warn
echo "== default header timeout"
if limits_py default_slowloris; then ok; else fail "limits: default header timeout"; fi

# 10,000 idle connections on a server with long timeouts (they must not expire mid-test),
# started with a soft open-files limit of 1024: it must raise its own to the hard limit.
stop_server
HARD_NOFILE=$(ulimit -Hn)
ulimit -Sn 1024
start_server --durability process --log-level warn --header-timeout 60s --idle-timeout 60s
ulimit -Sn "$HARD_NOFILE"
SOFT=$(awk '/^Max open files/ {print $4}' "/proc/$SERVER_PID/limits")
[ "$SOFT" = "$HARD_NOFILE" ] && ok || fail "server's soft RLIMIT_NOFILE $SOFT, want the hard $HARD_NOFILE"
echo "== 10,000 idle connections"
if limits_py idle10k; then ok; else fail "limits: idle connections"; fi
finish
