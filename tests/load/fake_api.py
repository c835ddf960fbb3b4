#!/usr/bin/env python3
"""A stand-in for the Steward API that misbehaves on purpose, to prove that the load test's
counting (mixed.lua) catches what it must: every 7th request answers 503, every 40th takes
1.2 s. Otherwise it answers like Steward in shape: POST /v1/intents → 201 with the gate's
REQUIRE_APPROVAL and the intent, approve → 200, triggers → 200, reads → 200. Echoes
X-Request-Id. Usage: fake_api.py PORT_FILE (listens on a free loopback port, writes it there)."""
import http.server
import itertools
import json
import sys
import threading
import time

counter = itertools.count(1)
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()  # compact, as Steward
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if self.headers.get("X-Request-Id"):
            self.send_header("X-Request-Id", self.headers["X-Request-Id"])
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        with lock:
            n = next(counter)
        if n % 40 == 0:
            time.sleep(1.2)
        if n % 7 == 0:
            return self.answer(503, {"error": {"code": "UNAVAILABLE", "message": "fake"}})
        if self.command == "POST" and self.path == "/v1/intents":
            req = json.loads(raw)
            return self.answer(201, {
                "gate": {"action_intent_id": req["action_intent_id"], "result": "REQUIRE_APPROVAL"},
                "intent": {"account_id": req["account_id"],
                           "action_intent_id": req["action_intent_id"],
                           "status": "AWAITING_APPROVAL"}})
        if self.command == "POST" and self.path.endswith("/approve"):
            return self.answer(200, {"status": "APPROVED"})
        if self.command == "POST":
            return self.answer(200, {"result": "ALLOW"})
        return self.answer(200, {"items": []})

    do_GET = handle_any
    do_POST = handle_any


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(sys.argv[1], "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
