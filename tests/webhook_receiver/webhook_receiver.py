#!/usr/bin/env python3
"""A webhook receiver for Steward's webhook delivery (SPEC §7), used by tests as the remote side.

Usage: python3 webhook_receiver.py --port 0 --port-file FILE --secret S

Binds 127.0.0.1 (port 0 picks a free port) and, once listening, writes the port to FILE
(atomically: FILE is complete when it appears). Standard library only.

Endpoints
  POST /hook     a delivery. The signature is checked: X-Steward-Signature must be
                 "sha256=" + hex HMAC-SHA256(secret, X-Steward-Timestamp + "." + body). Every
                 delivery is recorded (event id, headers, body, signature validity), whatever
                 the mode. An invalid signature is answered 401. Otherwise the mode decides:
                   "ok"                    200 {"received": true}
                   "<status>" (300..599)   that status with a small JSON body, e.g. "500"
                   "timeout"               sleep hang_seconds (default 30), then 504 (the client
                                           should have given up)
                   "close"                 close the connection without answering
  POST /control  {"mode": M, "times": N?, "hang_seconds": S?}. "times": N applies the mode to
                 the next N deliveries, then back to "ok"; without it the mode stays until
                 changed.
  GET  /stats    {"received", "valid_signatures", "invalid_signatures", "event_ids" (in arrival
                  order, repeats included), "unique_event_ids", "deliveries": [{"event_id",
                  "headers": {lowercase name: value}, "body", "signature_valid", "answered"}]}
  POST /reset    forgets deliveries and the mode; wakes hanging deliveries.

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

DEFAULT_HANG_SECONDS = 30.0
NAMED_MODES = ("ok", "timeout", "close")


class State:
    """Everything the receiver remembers; every access holds `lock`."""

    def __init__(self):
        self.lock = threading.Lock()
        self.wake = threading.Event()  # set by /reset to release hanging deliveries
        self.clear()

    def clear(self):
        self.deliveries = []
        self.valid = 0
        self.invalid = 0
        self.control = {"mode": "ok"}
        self.times = None  # deliveries left in the current mode; None: until changed

    def next_behaviour(self):
        """The control that applies to this delivery; counts down a "times" budget."""
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
    server_version = "webhook-receiver/1"
    # Keep-alive, as real receivers do: every answer carries Content-Length.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY the second waits for the
    # client's delayed ACK (~40 ms per answer on a keep-alive connection).
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send(self, status, payload):
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test); nothing to answer

    def do_GET(self):
        if self.path != "/stats":
            self.send(404, {"error": "not found"})
            return
        state = self.server.state
        with state.lock:
            event_ids = [d["event_id"] for d in state.deliveries]
            stats = {
                "received": len(state.deliveries),
                "valid_signatures": state.valid,
                "invalid_signatures": state.invalid,
                "event_ids": event_ids,
                "unique_event_ids": len(set(event_ids)),
                "deliveries": [dict(d) for d in state.deliveries],
            }
        self.send(200, stats)

    def do_POST(self):
        body = self.read_body()
        if self.path == "/hook":
            self.hook(body)
        elif self.path == "/control":
            self.set_control(body)
        elif self.path == "/reset":
            state = self.server.state
            with state.lock:
                state.clear()
                state.wake.set()
                state.wake = threading.Event()
            self.send(200, {"reset": True})
        else:
            self.send(404, {"error": "not found"})

    def set_control(self, body):
        try:
            control = json.loads(body or b"{}")
        except ValueError:
            self.send(400, {"error": "control body is not JSON"})
            return
        if not isinstance(control, dict) or not valid_mode(control.get("mode")):
            self.send(400, {"error": "mode must be ok, timeout, close or a status 300..599"})
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
        timestamp = self.headers.get("X-Steward-Timestamp", "")
        signature = self.headers.get("X-Steward-Signature", "")
        if not timestamp.isdigit() or not signature.startswith("sha256="):
            return False
        expected = hmac.new(self.server.secret.encode(), timestamp.encode() + b"." + body,
                            hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature[len("sha256="):])

    def hook(self, body):
        state = self.server.state
        valid = self.signature_ok(body)
        record = {
            "event_id": self.headers.get("X-Steward-Event-Id", ""),
            "headers": {name.lower(): value for name, value in self.headers.items()},
            "body": body.decode("utf-8", errors="replace"),
            "signature_valid": valid,
            "answered": None,
        }
        with state.lock:
            state.deliveries.append(record)
            if valid:
                state.valid += 1
            else:
                state.invalid += 1
            control = state.next_behaviour() if valid else {"mode": "401"}
            wake = state.wake
        mode = control.get("mode", "ok")
        if not valid:
            status = 401
        elif mode == "ok":
            status = 200
        elif mode == "timeout":
            wake.wait(float(control.get("hang_seconds", DEFAULT_HANG_SECONDS)))
            status = 504
        elif mode == "close":
            with state.lock:
                record["answered"] = "closed"
            self.close_connection = True
            return
        else:
            status = int(mode)
        with state.lock:
            record["answered"] = status
        self.send(status, {"received": status == 200})


class Server(ThreadingHTTPServer):
    daemon_threads = True  # a hanging delivery must not keep the process alive
    request_queue_size = 128  # the default backlog of 5 drops SYNs under load (1 s stalls)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()

    server = Server(("127.0.0.1", args.port), Handler)
    server.state = State()
    server.secret = args.secret
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
