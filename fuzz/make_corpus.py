#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets (fuzz/corpus/<target>/), from the real binary where
a seed must be real: HS256 tokens minted by `steward token`, audit exports (CSV, JSON, NDJSON)
written by a running `steward serve` and checked with `steward ledger verify`.

Usage: fuzz/make_corpus.py [STEWARD_BIN] [TARGET...]
  (default build/steward and every target; needs openssl and curl)
Rewrites every seed it owns of the named targets; past findings live in fuzz/regressions/ and are
left alone.
"""
import base64
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
BIN = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build" / "steward").resolve()
TARGETS = ("http_request_fuzz", "http_wire_fuzz", "jwt_fuzz", "ledger_verify_fuzz", "cron_tz_fuzz",
           "canonical_json_fuzz")
# The HS256 secret jwt_fuzz.cc verifies with (the auth tests' secret).
JWT_SECRET = "0123456789abcdef0123456789abcdef-test"

# Token selectors of http_request_fuzz.cc.
SEL = {"none": "0", "viewer": "1", "agent": "2", "approver": "3", "operator": "4", "admin": "5",
       "platform_admin": "6", "other": "7"}


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# --- http_request_fuzz: one request per route, with the role the route needs, and a body ------
HTTP_BODIES = {
    ("POST", "/v1/intents"): {"action_intent_id": "ai-seed-1", "account_id": "acct-1",
                              "action_type": "CREATE_INTERNAL_TASK",
                              "parameters": {"title": "Call back Acme"},
                              "confidence_score": 0.92, "risk_level": "LOW", "ttl_seconds": 3600,
                              "trace_id": "tr-1", "target": {"crm": "acme"}},
    ("POST", "/v1/intents/{id}/cancel"): {"account_id": "acct-1", "reason": "not needed"},
    ("POST", "/v1/gate/auto-approval"): {"action_intent_id": "ai-pending", "account_id": "acct-1"},
    ("PUT", "/v1/autonomy/config"): {"account_id": "acct-1", "action_type": "CREATE_INTERNAL_NOTE",
                                     "mode": "AUTO_EXECUTE"},
    ("PUT", "/v1/autonomy/allowlist"): {"action_types": ["CREATE_INTERNAL_TASK", "FLAG_FOR_REVIEW"]},
    ("PUT", "/v1/autonomy/budget"): {"account_id": "acct-1", "max_autonomous_per_day": 10,
                                     "max_per_action_type": {"CREATE_INTERNAL_TASK": 5},
                                     "timezone": "America/New_York"},
    ("PUT", "/v1/autonomy/kill-switches"): {"autonomy_enabled": True, "execution_enabled": True,
                                            "disabled_action_types": ["FLAG_FOR_REVIEW"]},
    ("PUT", "/v1/autonomy/policy"): {"confidence_threshold": 0.8, "allow_self_approval": False,
                                     "max_pending_jobs": 100},
    ("PUT", "/v1/platform/emergency-stop"): {"engaged": False},
    ("PUT", "/v1/registry/action-types/{type}"): {
        "connector_id": "default", "tool_name": "crm.send_email", "tool_schema_version": "1",
        "risk_class": "MEDIUM", "min_confidence": 0.7, "required_parameters": ["to", "subject"],
        "compensation": "none", "external_contact": True, "description": "Send an email"},
    ("POST", "/v1/intents/{id}/approve"): {"account_id": "acct-1",
                                           "parameters": {"body": "edited"}, "comment": "ok"},
    ("POST", "/v1/intents/{id}/reject"): {"account_id": "acct-1", "reason": "wrong account"},
    ("POST", "/v1/autonomy/replay"): {"action_intent_id": "ai-auto", "account_id": "acct-1",
                                      "replay_reason": "lost downstream"},
    ("PUT", "/v1/connectors/{id}"): {"kind": "http", "url": "http://127.0.0.1:9/tools",
                                     "timeout_ms": 2000, "secret": "s3cret-s3cret-s3cret"},
    ("POST", "/v1/decisions/triggers"): {"account_id": "acct-1", "trigger_type": "SIGNAL_ARRIVED",
                                         "idempotency_key": "k-1", "signal": {"kind": "email"}},
    ("PUT", "/v1/autonomy/triggers"): {"trigger_type": "SIGNAL_ARRIVED", "enabled": True,
                                       "debounce_seconds": 0, "cooldown_seconds": 60,
                                       "max_per_hour": 10},
    ("PUT", "/v1/autonomy/decision-budget"): {"account_id": "acct-1", "max_per_day": 50},
    ("PUT", "/v1/autonomy/opt-in"): {"account_id": "acct-1", "opted_in": True},
    ("PUT", "/v1/autonomy/digest/settings"): {"enabled": True, "hour": 8,
                                              "timezone": "Europe/Berlin"},
    ("PUT", "/v1/autonomy/schedules"): {"account_id": "acct-1",
                                        "trigger_type": "TIME_RITUAL_RENEWAL_RUNWAY",
                                        "cron": "30 7 * * MON-FRI", "timezone": "Asia/Kolkata",
                                        "enabled": True},
    ("POST", "/v1/autonomy/audit/exports"): {"from": "2027-01-14", "to": "2027-01-15",
                                             "format": "ndjson", "account_id": "acct-1"},
    ("PUT", "/v1/webhooks/{id}"): {"url": "https://hooks.example.com/steward",
                                   "event_types": ["DECISION_EVALUATION_REQUESTED"],
                                   "secret": "whsec-0123456789abcdef", "enabled": True},
}
HTTP_QUERIES = {
    "/v1/intents": "?account_id=acct-1&status=PENDING_APPROVAL&limit=10",
    "/v1/ledger": "?limit=5&account_id=acct-1",
    "/v1/events": "?after=&type=INTENT_CREATED&limit=5&wait=0",
    "/v1/decisions/runs": "?account_id=acct-1",
    "/v1/autonomy/budget": "?account_id=acct-1",
    "/v1/autonomy/budget/state": "?account_id=acct-1",
    "/v1/autonomy/ledger/explanation": "?action_intent_id=ai-auto",
    "/v1/autonomy/digest": "?date=2027-01-15",
    "/v1/executions": "?auto_executed=true&limit=3",
    "/v1/internal/tasks": "?account_id=acct-1",
    "/v1/downloads/{id}": "?expires=1800000000&sig=00",
}
HTTP_PARAMS = {"id": "ai-pending", "type": "SEND_EMAIL", "key": "k-1"}


def request(sel, method, target, body=None, headers=()):
    text = f"{SEL[sel]}{method} {target} HTTP/1.1\nHost: steward\n"
    for h in headers:
        text += h + "\n"
    if body is not None:
        text += "Content-Type: application/json\n"
    text += "\n"
    if body is not None:
        text += body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
    return text


def http_seeds():
    doc = json.loads((ROOT / "docs" / "openapi.json").read_text())
    n = 0
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "delete", "patch"):
                continue
            method = method.upper()
            role = op.get("x-steward-role", "none")
            target = path
            for name, value in HTTP_PARAMS.items():
                target = target.replace("{" + name + "}", value)
            if "/webhooks/" in path:
                target = target.replace("ai-pending", "wh-1")
            if "/connectors/" in path:
                target = target.replace("ai-pending", "default")
            if "/executions/" in path:
                target = target.replace("ai-pending", "ai-auto")
            if method in ("GET", "DELETE"):
                target += HTTP_QUERIES.get(path, "")
            body = HTTP_BODIES.get((method, path))
            if method in ("POST", "PUT") and body is None:
                body = {}
            n += 1
            slug = path.strip("/").replace("/", "_").replace("{", "").replace("}", "") or "root"
            write("http_request_fuzz", f"{n:03d}_{method.lower()}_{slug}",
                  request(role if role in SEL else "admin", method, target, body))
    # Edges of authentication, tenancy, parsing and routing.
    extra = {
        "no_token": request("none", "GET", "/v1/intents"),
        "bad_bearer": request("none", "GET", "/v1/intents", headers=["Authorization: Bearer x.y.z"]),
        "wrong_role": request("viewer", "PUT", "/v1/autonomy/allowlist", {"action_types": []}),
        "other_tenant_query": request("agent", "GET", "/v1/intents?tenant_id=fuzz-u"),
        "other_tenant_body": request("agent", "POST", "/v1/gate/auto-approval",
                                     {"action_intent_id": "ai-pending", "account_id": "acct-1",
                                      "tenant_id": "fuzz-u"}),
        "other_tenant_intent": request("other", "GET", "/v1/intents/ai-pending"),
        "body_not_object": request("agent", "POST", "/v1/intents", "[1,2,3]"),
        "body_malformed": request("agent", "POST", "/v1/intents", '{"account_id":'),
        "unknown_field": request("approver", "POST", "/v1/intents/ai-pending/approve",
                                 {"account_id": "acct-1", "surprise": 1}),
        "percent_path": request("viewer", "GET", "/v1/intents/a%20b%2Fc?x=1&y=two+words%21"),
        "bad_escape": request("viewer", "GET", "/v1/intents?x=%zz"),
        "request_id": request("viewer", "GET", "/v1/inbox",
                              headers=["X-Request-Id: abc-123", "Accept: */*"]),
        "intent_unicode": request("agent", "POST", "/v1/intents",
                                  {"account_id": "acct-1", "action_type": "CREATE_INTERNAL_TASK",
                                   "parameters": {"title": "Call, \"quoted\"\nnext – café"},
                                   "gate": "none", "expires_at": "2027-01-16T00:00:00Z"}),
        "schedule_dst": request("admin", "PUT", "/v1/autonomy/schedules",
                                {"account_id": "acct-1",
                                 "trigger_type": "TIME_RITUAL_RENEWAL_RUNWAY",
                                 "cron": "30 2 * 3 SUN", "timezone": "America/New_York",
                                 "enabled": True}),
        "trigger_nested": request("agent", "POST", "/v1/decisions/triggers",
                                  {"detail": {"tenant_id": "fuzz-t", "account_id": "a",
                                              "trigger_type": "SIGNAL_ARRIVED",
                                              "idempotency_key": "x1"}}),
        "approve_pending": request("approver", "POST", "/v1/intents/ai-pending/approve",
                                   {"account_id": "acct-1"}),
        "ledger_verify": request("admin", "GET", "/v1/ledger/verify"),
        "platform_stop": request("platform_admin", "PUT", "/v1/platform/emergency-stop",
                                 {"engaged": True}),
    }
    # Pagination cursors in the shapes the services write (base64url of "<ms>|<id>…").
    cursors = {
        "intents": ("/v1/intents?limit=2&cursor=", "1800000000000|ai-pending"),
        "executions": ("/v1/executions?cursor=", "1800000000000|ai-auto|1"),
        "exports": ("/v1/autonomy/audit/exports?cursor=", "1800000000000|exp_1"),
        "runs": ("/v1/decisions/runs?account_id=acct-1&cursor=", "42"),
        "tasks": ("/v1/internal/tasks?account_id=acct-1&cursor=", "1800000000000|obj_1"),
        "events": ("/v1/events?after=", "17"),
        "ledger": ("/v1/ledger?limit=2&order=newest_first&from=2027-01-01&to=2027-01-15T09:00:00Z"
                   "&cursor=", "d:3"),
    }
    for name, (prefix, raw) in cursors.items():
        role = "admin" if name in ("exports", "ledger") else "viewer"
        value = b64url(raw.encode())
        extra["cursor_" + name] = request(role, "GET", prefix + value)
    for name, text in extra.items():
        write("http_request_fuzz", "edge_" + name, text)


# --- http_wire_fuzz: raw connections to the real server ---------------------------------------
# The HS256 secret and tenant of fuzz/fuzz_server.h.
WIRE_SECRET = "http-fuzz-secret-0123456789abcdef0123"
WIRE_TENANT = "fuzz-t"


def wire_seeds(tmp):
    env = dict(os.environ, STEWARD_JWT_SECRET=WIRE_SECRET)
    data = str(tmp / "wire")
    tokens = {}
    for role in ("viewer", "agent", "approver", "admin"):
        tokens[role] = run(str(BIN), "token", "--data-dir", data, "--tenant", WIRE_TENANT,
                           "--role", role, "--sub", "wire-" + role, "--ttl", "3650d",
                           env=env).decode().strip()

    def req(method, target, headers=(), body=None, version="HTTP/1.1", role=None, host=True,
            json_body=True):
        text = f"{method} {target} {version}\r\n"
        if host:
            text += "Host: steward\r\n"
        if role:
            text += f"Authorization: Bearer {tokens[role]}\r\n"
        if body is not None and json_body:
            text += "Content-Type: application/json\r\n"
        if body is not None and not any(h.lower().startswith(("content-length:",
                                                                "transfer-encoding:"))
                                        for h in headers):
            text += f"Content-Length: {len(body.encode())}\r\n"
        for h in headers:
            text += h + "\r\n"
        return text + "\r\n" + (body or "")

    def chunked(*chunks, ext="", trailer=""):
        return ("".join(f"{len(c.encode()):x}{ext}\r\n{c}\r\n" for c in chunks) + "0\r\n" +
                trailer + "\r\n")

    intent = json.dumps({"account_id": "acct-1", "action_type": "CREATE_INTERNAL_TASK",
                         "parameters": {"title": "Call back Acme"}, "confidence_score": 0.92},
                        separators=(",", ":"))
    half = len(intent) // 2
    seeds = {
        "get_healthz": req("GET", "/healthz"),
        "get_readyz_metrics": req("GET", "/readyz") + req("GET", "/metrics"),
        "post_intent": req("POST", "/v1/intents", body=intent, role="agent"),
        "post_intent_chunked": req("POST", "/v1/intents", ["Transfer-Encoding: chunked"],
                                   chunked(intent[:half], intent[half:]), role="agent"),
        "chunked_extension_trailer": req("POST", "/v1/intents", ["Transfer-Encoding: chunked"],
                                         chunked(intent, ext=";ext=1", trailer="X-Trailer: t\r\n"),
                                         role="agent"),
        "get_intents": req("GET", "/v1/intents?account_id=acct-1&status=PENDING_APPROVAL&limit=2",
                           role="viewer"),
        "approve_pending": req("POST", "/v1/intents/ai-pending/approve",
                               body='{"account_id":"acct-1","comment":"ok"}', role="approver"),
        "put_allowlist": req("PUT", "/v1/autonomy/allowlist",
                             body='{"action_types":["CREATE_INTERNAL_TASK",'
                                  '"CREATE_INTERNAL_NOTE"]}', role="admin"),
        "events_long_poll": req("GET", "/v1/events?wait=1&limit=2", role="viewer"),
        "download_bad_sig": req("GET", "/v1/downloads/exp_1?expires=1800000000&sig=00"),
        "pipelined_keep_alive": req("GET", "/healthz") + req("GET", "/v1/inbox", role="viewer") +
                                req("POST", "/v1/intents", body=intent, role="agent") +
                                req("GET", "/readyz"),
        "pipelined_after_close": req("GET", "/healthz", ["Connection: close"]) +
                                 req("GET", "/readyz"),
        "http10": req("GET", "/healthz", version="HTTP/1.0", host=False),
        "http10_keep_alive": req("GET", "/healthz", ["Connection: keep-alive"],
                                 version="HTTP/1.0") +
                             req("GET", "/readyz", version="HTTP/1.0"),
        "http_version_2": req("GET", "/healthz", version="HTTP/2.0"),
        "head_keep_alive": req("HEAD", "/healthz") + req("GET", "/healthz"),
        "head_close": req("HEAD", "/v1/intents", ["Connection: close"], role="viewer"),
        "missing_host": req("GET", "/healthz", host=False),
        "bad_request_line": "GARBAGE\r\n\r\n",
        "bare_lf": "GET /healthz HTTP/1.1\nHost: steward\n\n",
        "obs_fold": "GET /healthz HTTP/1.1\r\nHost: steward\r\nX-Folded: a\r\n b\r\n\r\n",
        "oversized_header": req("GET", "/healthz", ["X-Pad: " + "a" * 5000]),
        "oversized_content_length": req("POST", "/v1/intents", ["Content-Length: 100000"],
                                        body="{}", role="agent"),
        "oversized_chunked": req("POST", "/v1/intents", ["Transfer-Encoding: chunked"],
                                 chunked("x" * 4500, "y" * 4500), role="agent"),
        "expect_100_continue": req("POST", "/v1/intents", ["Expect: 100-continue"], body=intent,
                                   role="agent") + req("GET", "/healthz"),
        "expect_100_no_body": req("POST", "/v1/intents", ["Expect: 100-continue",
                                                          "Content-Length: 40"], role="agent"),
        "body_longer_than_length": req("POST", "/v1/intents", ["Content-Length: 10"],
                                       body=intent, role="agent"),
        "truncated_body": req("POST", "/v1/intents", ["Content-Length: 500"], body=intent,
                              role="agent"),
        "truncated_header": "GET /healthz HTTP/1.1\r\nHost: stew",
        "two_content_lengths": req("POST", "/v1/intents",
                                   ["Content-Length: 2", "Content-Length: 3"], body="{}",
                                   role="agent"),
        "length_and_chunked": req("POST", "/v1/intents",
                                  ["Content-Length: 4", "Transfer-Encoding: chunked"],
                                  chunked("{}"), role="agent"),
        "wrong_media_type": req("POST", "/v1/intents", ["Content-Type: text/plain"], body=intent,
                                role="agent", json_body=False),
        "not_found_and_405": req("GET", "/nope") + req("DELETE", "/healthz") +
                             req("BREW", "/v1/intents"),
        "odd_targets": req("GET", "http://steward/healthz") + req("GET", "/v1/intents/%zz") +
                       req("OPTIONS", "*"),
        "request_ids": req("GET", "/healthz", ["X-Request-Id: abc-123"]) +
                       req("GET", "/healthz", ["X-Request-Id: bad id\x7f"]),
        "bad_bearer": req("GET", "/v1/intents", ["Authorization: Bearer x.y.z"]),
    }
    for name, text in seeds.items():
        write("http_wire_fuzz", name, text.encode("latin-1"))


# --- jwt_fuzz ---------------------------------------------------------------------------------
def run(*args, env=None, **kw):
    return subprocess.run(args, check=True, capture_output=True, env=env, **kw).stdout


def jwt_seeds(tmp):
    env = dict(os.environ, STEWARD_JWT_SECRET=JWT_SECRET)
    data = str(tmp / "jwt")

    def mint(*extra):
        return run(str(BIN), "token", "--data-dir", data, *extra, env=env).decode().strip()

    write("jwt_fuzz", "minted_viewer", "T" + mint("--tenant", "tenant-1", "--role", "viewer",
                                                  "--ttl", "3650d"))
    write("jwt_fuzz", "minted_admin_multi", "T" + mint("--tenant", "tenant-1", "--role", "admin",
                                                       "--role", "approver", "--sub", "alice",
                                                       "--ttl", "3650d"))
    expired = mint("--tenant", "tenant-1", "--role", "agent", "--ttl", "90s")
    write("jwt_fuzz", "minted_expired", "T" + expired)
    h, p, s = expired.split(".")
    write("jwt_fuzz", "bad_signature", "T" + h + "." + p + "." + s[::-1])
    write("jwt_fuzz", "alg_none", "T" + b64url(b'{"alg":"none"}') + "." + p + ".")
    # RS256 and ES256 tokens signed with throwaway keys (refused: unknown key, kid selection).
    rsa = tmp / "rsa.pem"
    ec = tmp / "ec.pem"
    run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", str(rsa))
    run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", str(ec))
    claims = {"sub": "svc-1", "tenant_id": "tenant-1", "roles": ["agent"], "iat": 1800000000,
              "exp": 1800003600, "iss": "steward-fuzz", "aud": ["steward-api", "other"]}
    for alg, key in (("RS256", rsa), ("ES256", ec)):
        si = b64url(json.dumps({"alg": alg, "typ": "JWT", "kid": alg.lower() + "-1"}).encode()) + \
            "." + b64url(json.dumps(claims).encode())
        sig = run("openssl", "dgst", "-sha256", "-sign", str(key), input=si.encode())
        if alg == "ES256":  # DER -> r || s
            der = sig
            rlen = der[3]
            r = der[4:4 + rlen]
            slen = der[5 + rlen]
            s_ = der[6 + rlen:6 + rlen + slen]
            sig = r[-32:].rjust(32, b"\0") + s_[-32:].rjust(32, b"\0")
        write("jwt_fuzz", "foreign_" + alg.lower(), "T" + si + "." + b64url(sig))
    # Header and claims signed by the target itself (H: HS256, E: ES256, R: RS256).
    signed = {
        "H_valid": ({"alg": "HS256", "typ": "JWT"}, claims),
        "H_role_string_custom_tenant": (
            {"alg": "HS256"}, {"sub": "u", "custom:tenant_id": "t-2", "role": "operator",
                               "exp": 1800000600.5, "nbf": 1799999000}),
        "H_two_tenants": ({"alg": "HS256", "typ": "JWT"},
                          {"sub": "u", "tenant_id": "a", "custom:tenant_id": "b",
                           "roles": ["admin"], "exp": 1800003600}),
        "H_unknown_roles_crit": ({"alg": "HS256", "crit": ["exp"]},
                                 {"sub": "u", "tenant_id": "t", "roles": ["root"],
                                  "exp": 1800003600}),
        "E_valid_kid": ({"alg": "ES256", "kid": "ec-1", "typ": "at+jwt"}, claims),
        "E_wrong_kid": ({"alg": "ES256", "kid": "rsa-1"}, claims),
        "R_valid": ({"alg": "RS256", "kid": "rsa-1"},
                    {"sub": "svc", "tenant_id": "t-3", "roles": ["viewer", "platform_admin"],
                     "exp": 1800003600, "iss": "steward-fuzz", "aud": "steward-api"}),
        "R_expired": ({"alg": "RS256"}, {"sub": "svc", "tenant_id": "t-3", "roles": ["viewer"],
                                         "exp": 1700000000}),
    }
    for name, (header, body) in signed.items():
        write("jwt_fuzz", name, name[0] + json.dumps(header) + "\n" + json.dumps(body))
    # Key documents: PEMs and a JWK Set with an RSA and an EC key.
    rsa_pub = run("openssl", "pkey", "-in", str(rsa), "-pubout").decode()
    ec_pub = run("openssl", "pkey", "-in", str(ec), "-pubout").decode()
    write("jwt_fuzz", "P_rsa", "P" + rsa_pub)
    write("jwt_fuzz", "P_ec", "P" + ec_pub)
    modulus = run("openssl", "rsa", "-pubin", "-noout", "-modulus", input=rsa_pub.encode())
    n = bytes.fromhex(modulus.decode().strip().split("=", 1)[1])
    text = run("openssl", "pkey", "-pubin", "-noout", "-text", input=ec_pub.encode()).decode()
    hexpub = "".join(line.strip() for line in text.split("pub:")[1].split("ASN1")[0].splitlines())
    point = bytes.fromhex(hexpub.replace(":", ""))
    jwks = {"keys": [
        {"kty": "RSA", "kid": "rsa-1", "use": "sig", "alg": "RS256", "n": b64url(n), "e": "AQAB"},
        {"kty": "EC", "kid": "ec-1", "crv": "P-256", "x": b64url(point[1:33]),
         "y": b64url(point[33:65])},
        {"kty": "oct", "kid": "skip", "k": "c2VjcmV0"},
    ]}
    write("jwt_fuzz", "K_jwks", "K" + json.dumps(jwks))


# --- ledger_verify_fuzz: real exports from a running server ------------------------------------
def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def api(base, method, path, token, body=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer " + token,
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read() or b"null")


def ledger_seeds(tmp):
    data = tmp / "serve"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(tmp / "serve.log", "wb")
    server = subprocess.Popen([str(BIN), "serve", "--listen", f"127.0.0.1:{port}", "--data-dir",
                               str(data), "--demo"], stdout=log, stderr=log)
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/readyz")
                break
            except OSError:
                time.sleep(0.1)
        admin = run(str(BIN), "token", "--data-dir", str(data), "--tenant", "demo", "--role",
                    "admin").decode().strip()
        for i, title in enumerate(["Call back Acme", 'Quote "Q4", with commas', "Café\nnext line"]):
            for account in ("acct-demo", "acct-2"):
                api(base, "POST", "/v1/intents", admin,
                    {"account_id": account, "action_type": "CREATE_INTERNAL_TASK",
                     "parameters": {"title": title, "n": i}, "confidence_score": 0.92})
        today = time.strftime("%Y-%m-%d", time.gmtime())
        exports = {}
        for fmt in ("csv", "json", "ndjson"):
            exports[fmt] = api(base, "POST", "/v1/autonomy/audit/exports", admin,
                               {"from": today, "to": today, "format": fmt})["export_id"]
        exports["csv_account"] = api(base, "POST", "/v1/autonomy/audit/exports", admin,
                                     {"from": today, "to": today, "format": "csv",
                                      "account_id": "acct-2"})["export_id"]
        for name, export_id in exports.items():
            for _ in range(100):
                e = api(base, "GET", "/v1/autonomy/audit/exports/" + export_id, admin)
                if e["status"] == "COMPLETED":
                    break
                time.sleep(0.1)
            with urllib.request.urlopen(e["presigned_url"]) as resp:
                body = resp.read()
            path = tmp / ("export_" + name)
            path.write_bytes(body)
            run(str(BIN), "ledger", "verify", str(path))  # a seed must be a valid chain
            write("ledger_verify_fuzz", "export_" + name, body)
        csv = (CORPUS / "ledger_verify_fuzz" / "export_csv").read_bytes()
        write("ledger_verify_fuzz", "tampered_csv", csv.replace(b"Acme", b"Acne", 1))
    finally:
        server.terminate()
        server.wait()
        log.close()


# --- cron_tz_fuzz and canonical_json_fuzz ------------------------------------------------------
def cron_seeds():
    seeds = {
        "weekdays_berlin": "0 8 * * MON-FRI\nEurope/Berlin\n2026-03-27T06:59:00Z",
        "spring_forward_gap": "30 2 * * *\nAmerica/New_York\n2026-03-08T06:00:00Z",
        "fall_back_overlap": "*/15 1 * * *\nAmerica/New_York\n2026-11-01T05:40:00.000Z",
        "vixie_dom_or_dow": "0 0 13 * FRI\nUTC\n2026-02-01T00:00:00+01:00",
        "leap_day": "0 0 29 2 *\nAustralia/Lord_Howe\n2096-03-01T00:00:00Z",
        "never": "0 0 31 2 *\nPacific/Chatham\n1800000000000",
        "steps_names": "5-55/10 */3 1-15/2 JAN,jul SUN-SAT\nAsia/Kathmandu\n2027-01-15T08:00:00Z",
        "macro": "@daily\nUTC\n2026-01-01",
        "six_fields": "0 0 0 * * *\nEtc/GMT+12\n9999-12-31T23:59:59.999Z",
        "quartz": "0 0 ? * 5L\nAmerica/St_Johns\n0001-01-01T00:00:00Z",
        "bad_zone": "* * * * *\n../../etc/passwd\n-62135596800000",
        "leap_second": "59 23 31 12 *\nUTC\n2016-12-31T23:59:60Z",
    }
    for name, text in seeds.items():
        write("cron_tz_fuzz", name, text)


def json_seeds():
    seeds = {
        "entry_data": '{"gate":{"mode":"AUTO_EXECUTE","reasons":["WITHIN_BUDGET"]},"confidence":0.92}',
        "unsorted_whitespace": '{ "b" : [1, 2.50, -0.0, 1e3], "a" : {"z": null, "y": true} }',
        "unicode": '{"title":"Caf\\u00e9 \\ud83d\\ude00 – \\"q\\"\\n\\t\\u0000","é":"ü"}',
        "big_numbers": '[18446744073709551615,18446744073709551616,-9223372036854775808,1e308,'
                       '5e-324,123456789012345678901234567890]',
        "duplicate_keys": '{"a":1,"a":2,"A":3,"":4}',
        "nested": "[" * 64 + "]" * 64,
        "too_deep": "[" * 65 + "]" * 65,
        "scalars": '"just a string"',
        "invalid_utf8": b'{"a":"\xff\xfe"}',
    }
    for name, text in seeds.items():
        write("canonical_json_fuzz", name, text)


def main():
    if not BIN.exists():
        sys.exit(f"{BIN} not found: build it first (make build)")
    targets = sys.argv[2:] or TARGETS
    unknown = set(targets) - set(TARGETS)
    if unknown:
        sys.exit(f"unknown targets: {' '.join(sorted(unknown))} (known: {' '.join(TARGETS)})")
    for t in targets:
        shutil.rmtree(CORPUS / t, ignore_errors=True)
    writers = {"http_request_fuzz": lambda tmp: http_seeds(), "http_wire_fuzz": wire_seeds,
               "jwt_fuzz": jwt_seeds, "ledger_verify_fuzz": ledger_seeds,
               "cron_tz_fuzz": lambda tmp: cron_seeds(),
               "canonical_json_fuzz": lambda tmp: json_seeds()}
    with tempfile.TemporaryDirectory(prefix="steward-corpus.") as tmp:
        tmp = pathlib.Path(tmp)
        for t in TARGETS:
            if t in targets:
                writers[t](tmp)
    total = sum(f.stat().st_size for f in CORPUS.rglob("*") if f.is_file())
    print(f"corpus: {sum(1 for f in CORPUS.rglob('*') if f.is_file())} files, {total} bytes")


if __name__ == "__main__":
    main()
