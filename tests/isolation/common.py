"""Shared by the isolation suite's modules (isolation_test.py): the server under test, the run's
tenants and markers, check counting, the HTTP client, tokens, the webhook receiver, and the
routes and roles the server reports. Standard library only."""

import base64
import datetime
import hashlib
import hmac
import http.client
import http.server
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse

BASE = os.environ["BASE"]
DATA_DIR = os.environ["DATA_DIR"]
STEWARD_BIN = os.environ["STEWARD_BIN"]
TEST_DIR = os.environ["TEST_DIR"]
URL = urllib.parse.urlsplit(BASE)
# ISOLATION_TRACE=FILE: every request, before it is sent (to find what a crashed server saw).
TRACE = open(os.environ["ISOLATION_TRACE"], "w") if os.environ.get("ISOLATION_TRACE") else None

ROLE_CHAIN = ["viewer", "agent", "approver", "operator", "admin"]
B_ROLES = ROLE_CHAIN + ["platform_admin"]
DENIED = {403, 404}
# GET routes left out of the state snapshot: not tenant state, or changing by themselves.
SNAPSHOT_SKIP = {"/healthz", "/readyz", "/metrics", "/v1/openapi.json", "/v1/downloads/{id}"}
# Fields that change with the clock, not with A's state: everywhere, and per route.
VOLATILE_FIELDS = {"presigned_url", "expires_at"}
ROUTE_VOLATILE_FIELDS = {"/v1/autonomy/insights": {"from", "to"}}

RUN = secrets.token_hex(4)
MARK = "M" + secrets.token_hex(8)  # in A's content only, never in an id
TA, TB = "iso-a-" + RUN, "iso-b-" + RUN
SHARED_ACCT = "acct-shared"  # the same account id in both tenants
A_ONLY_ACCT = "acct-a-" + RUN
TODAY = datetime.datetime.now(datetime.timezone.utc).date()

stats = {"requests": 0, "checks": 0, "failures": 0}
phase_counts = {}


def fail(msg):
    stats["failures"] += 1
    if stats["failures"] <= 60:
        print("FAIL: " + msg, file=sys.stderr)


def check(cond, msg):
    stats["checks"] += 1
    if not cond:
        fail(msg)
    return cond


# ---- HTTP ------------------------------------------------------------------------------------

class Client:
    """One keep-alive connection; reconnects after the server closes it."""

    def __init__(self):
        self.conn = None

    def request(self, method, target, token=None, body=None, headers=None, raw_body=None):
        hdrs = dict(headers or {})
        if token:
            hdrs["Authorization"] = "Bearer " + token
        data = None
        if raw_body is not None:
            data = raw_body
            hdrs.setdefault("Content-Type", "application/json")
        elif body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        if TRACE:
            TRACE.write("%s %s %s\n" % (method, target, (data or b"")[:200]))
            TRACE.flush()
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(URL.hostname, URL.port, timeout=60)
                self.conn.request(method, target, body=data, headers=hdrs)
                resp = self.conn.getresponse()
                text = resp.read().decode("utf-8", "replace")
                if resp.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                stats["requests"] += 1
                return resp.status, text
            except (http.client.HTTPException, ConnectionError, OSError):
                if self.conn:
                    self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")


client = Client()


def call(method, target, token=None, body=None, **kw):
    return client.request(method, target, token, body, **kw)


def as_json(text):
    try:
        return json.loads(text)
    except ValueError:
        return None


def must(method, target, token, body=None, want=(200, 201, 202)):
    status, text = call(method, target, token, body)
    if status not in want:
        raise SystemExit("setup: %s %s -> %d %s" % (method, target, status, text[:500]))
    return as_json(text)


def poll(fn, what, timeout=30.0):
    end = time.time() + timeout
    while time.time() < end:
        got = fn()
        if got:
            return got
        time.sleep(0.2)
    raise SystemExit("setup: timed out waiting for " + what)


# ---- tokens ----------------------------------------------------------------------------------

def cli_token(tenant, role, sub):
    out = subprocess.run([STEWARD_BIN, "token", "--data-dir", DATA_DIR, "--tenant", tenant,
                          "--role", role, "--sub", sub, "--ttl", "2h"],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


with open(os.path.join(DATA_DIR, "secrets", "jwt_hs256.key")) as f:
    JWT_SECRET = f.read().strip().encode()
with open(os.path.join(DATA_DIR, "secrets", "signing.key")) as f:
    SIGNING_SECRET = f.read().strip().encode()


def forge(claims, header_extra=None, key=JWT_SECRET):
    """An HS256 token signed with the server's real secret: only its claims are unusual."""
    now = int(time.time())
    body = {"sub": "forged-" + RUN, "iat": now, "exp": now + 3600}
    body.update(claims)
    header = {"alg": "HS256", "typ": "JWT"}
    header.update(header_extra or {})
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(body).encode())
    sig = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(sig)


# ---- a webhook receiver ----------------------------------------------------------------------

received = []  # (path, body text)
received_lock = threading.Lock()


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        data = self.rfile.read(n).decode("utf-8", "replace")
        with received_lock:
            received.append((self.path, data))
        reply = b'{"external_object_refs":[]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=receiver.serve_forever, daemon=True).start()
RECV = "http://127.0.0.1:%d" % receiver.server_address[1]


# ---- routes and roles ------------------------------------------------------------------------

def load_routes():
    routes_dir = os.path.join(TEST_DIR, "routes-data")
    out = subprocess.run([STEWARD_BIN, "serve", "--print-routes", "--data-dir", routes_dir],
                         check=True, capture_output=True, text=True)
    routes = [(r["method"], r["pattern"]) for r in json.loads(out.stdout)]
    if len(routes) < 10:
        raise SystemExit("--print-routes listed only %d routes" % len(routes))
    return routes


def load_roles():
    status, text = call("GET", "/v1/openapi.json")
    doc = as_json(text)
    if status != 200 or not doc:
        raise SystemExit("cannot read /v1/openapi.json: %d" % status)
    roles, bodies = {}, {}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict) or "x-steward-role" not in op:
                continue
            roles[(method.upper(), path)] = op["x-steward-role"]
            schema = (op.get("requestBody", {}).get("content", {})
                      .get("application/json", {}).get("schema"))
            if schema:
                bodies[(method.upper(), path)] = schema
    return doc, roles, bodies


def placeholders(pattern):
    return re.findall(r"\{([^}]+)\}", pattern)


# ---- tenant A's objects ----------------------------------------------------------------------

A = {}      # name -> id
A_IDS = []  # every id of A's objects, for path parameters
MARKERS = set()
