#!/usr/bin/env python3
"""A fake tenant endpoint for the http connector (SPEC §6), used by tests as the remote side.

Usage: python3 connector_server.py --port 0 --port-file FILE [--secret S]

Binds 127.0.0.1 (port 0 picks a free port) and, once listening, writes the port to FILE
(atomically: FILE is complete when it appears). Standard library only.

Endpoints
  POST /tools    the connector call. With --secret, X-Steward-Signature must be
                 "sha256=" + hex HMAC-SHA256(secret, X-Steward-Timestamp + "." + body), else 401.
                 Every call is counted (total and per Idempotency-Key). In mode "ok" it creates
                 exactly one object per Idempotency-Key (a repeated key answers the same object)
                 and answers 200 {"external_object_refs":[{"system":"test-crm",
                 "object_type":"task","object_id":"obj-<n>"}]}. No other mode creates an object.
  POST /control  {"mode": M, "times": N?, "retry_after": S?, "hang_seconds": S?, "status": C?,
                 "body": B?, "bytes": N?}. Modes:
                   "ok"                    normal behaviour
                   "<status>" (300..599)   that status with a small JSON error body, e.g. "401",
                                           "403", "429" (Retry-After: retry_after when given, an
                                           integer or an HTTP-date string), "400", "500"
                   "hang"                  sleep hang_seconds (default 30) before a 504
                   "raw"                   answer `status` (default 200) with the text `body`
                   "huge"                  answer `status` (default 200) with `bytes` (default
                                           2 MiB) of filler
                 "times": N applies the mode to the next N calls to /tools, then back to "ok";
                 without it the mode stays until changed.
  GET  /stats    {"calls", "calls_per_key", "objects", "objects_per_key",
                  "last_request": {"headers": {lowercase name: value}, "body": text} | null}
  POST /reset    forgets calls, objects, the last request and the mode; wakes hanging calls.

Thread-safe: one lock guards all state. Request logging is silenced.
"""

import argparse
import hashlib
import hmac
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SYSTEM = "test-crm"
OBJECT_TYPE = "task"
DEFAULT_HANG_SECONDS = 30.0
DEFAULT_HUGE_BYTES = 2 * 1024 * 1024
NAMED_MODES = ("ok", "hang", "raw", "huge")


class State:
    """Everything the server remembers; every access holds `lock`."""

    def __init__(self):
        self.lock = threading.Lock()
        self.wake = threading.Event()  # set by /reset to release hanging calls
        self.clear()

    def clear(self):
        self.calls = 0
        self.calls_per_key = {}
        self.objects = {}  # idempotency key -> object id
        self.next_object = 1
        self.last_request = None
        self.control = {"mode": "ok"}
        self.times = None  # calls left in the current mode; None: until changed

    def next_behaviour(self):
        """The control that applies to this call; counts down a "times" budget."""
        control = self.control
        if self.times is not None:
            self.times -= 1
            if self.times <= 0:
                self.control = {"mode": "ok"}
                self.times = None
        return control


def valid_mode(mode):
    if mode in NAMED_MODES:
        return True
    return isinstance(mode, str) and mode.isdigit() and 300 <= int(mode) <= 599


class Handler(BaseHTTPRequestHandler):
    server_version = "connector-server/1"
    # Keep-alive, as real endpoints do: every answer carries Content-Length.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY the second waits for the
    # client's delayed ACK (~40 ms per answer on a keep-alive connection).
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass

    # ---- plumbing -------------------------------------------------------------------------

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send(self, status, payload, headers=None):
        if isinstance(payload, (dict, list)):
            data = json.dumps(payload).encode()
            content_type = "application/json"
        else:
            data = payload if isinstance(payload, bytes) else str(payload).encode()
            content_type = "text/plain"
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test); nothing to answer

    # ---- routes ---------------------------------------------------------------------------

    def do_GET(self):
        if self.path != "/stats":
            self.send(404, {"error": "not found"})
            return
        state = self.server.state
        with state.lock:
            stats = {
                "calls": state.calls,
                "calls_per_key": dict(state.calls_per_key),
                "objects": len(state.objects),
                "objects_per_key": {key: 1 for key in state.objects},
                "last_request": state.last_request,
            }
        self.send(200, stats)

    def do_POST(self):
        body = self.read_body()
        if self.path == "/tools":
            self.tools(body)
        elif self.path == "/control":
            self.control(body)
        elif self.path == "/reset":
            state = self.server.state
            with state.lock:
                state.clear()
                state.wake.set()
                state.wake = threading.Event()
            self.send(200, {"reset": True})
        else:
            self.send(404, {"error": "not found"})

    def control(self, body):
        try:
            control = json.loads(body or b"{}")
        except ValueError:
            self.send(400, {"error": "control body is not JSON"})
            return
        if not isinstance(control, dict) or not valid_mode(control.get("mode")):
            self.send(400, {"error": "mode must be ok, hang, raw, huge or a status 300..599"})
            return
        times = control.get("times")
        if times is not None and (not isinstance(times, int) or times < 1):
            self.send(400, {"error": "times must be a positive integer"})
            return
        state = self.server.state
        with state.lock:
            state.control = control
            state.times = times
        self.send(200, {"mode": control["mode"]})

    def signature_ok(self, body):
        secret = self.server.secret
        if secret is None:
            return True
        timestamp = self.headers.get("X-Steward-Timestamp", "")
        signature = self.headers.get("X-Steward-Signature", "")
        if not timestamp.isdigit() or not signature.startswith("sha256="):
            return False
        expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body,
                            hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature[len("sha256="):])

    def tools(self, body):
        state = self.server.state
        key = self.headers.get("Idempotency-Key", "")
        with state.lock:
            state.calls += 1
            state.calls_per_key[key] = state.calls_per_key.get(key, 0) + 1
            state.last_request = {
                "headers": {name.lower(): value for name, value in self.headers.items()},
                "body": body.decode("utf-8", errors="replace"),
            }
            wake = state.wake
        if not self.signature_ok(body):
            self.send(401, {"error": "bad or missing signature"})
            return
        with state.lock:
            control = state.next_behaviour()
        mode = control.get("mode", "ok")
        if mode == "ok":
            self.create(key)
        elif mode == "hang":
            wake.wait(float(control.get("hang_seconds", DEFAULT_HANG_SECONDS)))
            self.send(504, {"error": "hung"})
        elif mode == "raw":
            self.send(int(control.get("status", 200)), str(control.get("body", "")))
        elif mode == "huge":
            size = int(control.get("bytes", DEFAULT_HUGE_BYTES))
            self.send(int(control.get("status", 200)), b"x" * size)
        else:
            status = int(mode)
            headers = {}
            if status == 429 and control.get("retry_after") is not None:
                headers["Retry-After"] = str(control["retry_after"])
            self.send(status, {"error": "mode " + mode}, headers)

    def create(self, key):
        if not key:
            self.send(400, {"error": "missing Idempotency-Key"})
            return
        state = self.server.state
        with state.lock:
            object_id = state.objects.get(key)
            if object_id is None:
                object_id = "obj-%d" % state.next_object
                state.next_object += 1
                state.objects[key] = object_id
        self.send(200, {"external_object_refs": [
            {"system": SYSTEM, "object_type": OBJECT_TYPE, "object_id": object_id}]})


class Server(ThreadingHTTPServer):
    daemon_threads = True  # a hanging call must not keep the process alive
    request_queue_size = 128  # concurrent tests: the default backlog of 5 drops SYNs (1 s stalls)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--secret", default=None)
    args = parser.parse_args()

    server = Server(("127.0.0.1", args.port), Handler)
    server.state = State()
    server.secret = args.secret or None
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.replace(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
