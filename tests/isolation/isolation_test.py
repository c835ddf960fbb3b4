#!/usr/bin/env python3
"""Tenant isolation against a real server over real HTTP (SPEC §3, docs/RELIABILITY.md).

Run by tests/shell/isolation_test.sh, which starts `steward serve` and passes BASE, DATA_DIR,
STEWARD_BIN and TEST_DIR. Standard library only.

The routes come from the server itself (`steward serve --print-routes`, the router exactly as
serving builds it), the minimum role of each from the served /v1/openapi.json (x-steward-role,
tested equal to the router by openapi_test). Tenant A gets real objects of every kind; then:

  matrix     every route x every tenant-B role (viewer … admin, platform_admin) x every A id in
             each path parameter x query variants x plausible bodies: an attempt that addresses
             one of A's objects is 403 or 404; any other answer carries none of A's data. Run
             twice: the second time B has objects of its own under A's ids (PUT upserts)
  escalation every route x every tenant-A role below the route's minimum: exactly 403
  tenant     ?tenant_id= of A (also repeated, and percent-encoded) on every authenticated route,
             a body tenant_id of A on every POST/PUT: 403 (or 400)
  claims     tokens with the tenant in unexpected claims (tid, nested, arrays, both tenant
             claims, the JOSE header, look-alike ids) and roles in unexpected claims
  links      A's signed download link with the export id, tenant or signature changed
  connectors B cannot use A's action type, and B's http execution never reaches A's connector
  collisions B reuses A's intent id and idempotency key: B's own namespace, nothing of A's

After each phase A's ledger head and a snapshot of A's state (every GET route read by A's admin
with every A id) must be unchanged; A's webhook must have received none of B's events and B's
audit export none of A's rows. Exit status 0 when every check passed.

Modules: common.py (server, tenants, markers, HTTP client, tokens, webhook receiver, routes and
roles), attempts.py (queries, bodies, the requests each route expands to), tenant_a.py (A's
objects and the guard over A's state), this file (the phases).
"""

import hashlib
import hmac
import json
import sys
import time
import urllib.parse

from attempts import Catalog, attempts, leaked
from common import *  # noqa: F401,F403 (the suite's shared names)
from tenant_a import Guard, intent_body, setup_tenant_a


def run_matrix(name, routes, roles_needed, tokens, catalog, link, ids, b_names, b_objects):
    """Tokens of another tenant against A's ids: denied, or nothing of A's in the answer.

    b_names: A's ids that this other tenant has itself sent in a successful write (they may now
    name its own rows, e.g. in its ledger), so finding them is no leak. b_objects: A's ids under
    which it has created its own objects (PUT upserts), so reading them may succeed."""
    count = 0
    routes_reached = {}
    for method, pattern, target, body, addr, used in attempts(routes, catalog, link, ids):
        needed = roles_needed.get((method, pattern))
        denied = DENIED | ({400} if needed == "none" else set())  # a link without its signature
        for label, role, tok in tokens:
            status, text = call(method, target, tok, body)
            count += 1
            req_text = target + json.dumps(body)
            where = "%s [%s] %s %s %s" % (name, label, method, target, json.dumps(body)[:200])
            check(status < 500, where + " -> %d %s" % (status, text[:200]))
            leak = leaked(text, req_text, b_names)
            check(not leak, where + " leaked A's %s: %s" % (leak[:3], text[:300]))
            strict = addr and method != "PUT" and not any(u in b_objects for u in used)
            if strict and not gate_not_found(pattern, status, text):
                check(status in denied, where + " -> %d (want 403/404): %s" % (status, text[:200]))
            if status != 400 and role_at_least(role, needed):
                routes_reached[(method, pattern)] = True
            if 200 <= status < 300 and method != "GET":
                b_names.update(m for m in MARKERS if m in req_text)
                if method == "PUT":
                    b_objects.update(used)
    for method, pattern in routes:
        if method in ("POST", "PUT") and roles_needed.get((method, pattern)) not in (None, "none"):
            check(routes_reached.get((method, pattern)),
                  "%s: no plausible body passed validation for %s %s" % (name, method, pattern))
    phase_counts[name] = phase_counts.get(name, 0) + count


def gate_not_found(pattern, status, text):
    """SPEC §5: the gate answers an unknown intent 200 REQUIRE_APPROVAL INTENT_NOT_FOUND."""
    if pattern != "/v1/gate/auto-approval" or status != 200:
        return False
    j = as_json(text) or {}
    return j.get("result") == "REQUIRE_APPROVAL" and j.get("reason") == "INTENT_NOT_FOUND"


def role_at_least(role, needed):
    if needed in (None, "none") or role == "platform_admin":
        return True
    if needed == "platform_admin":
        return False
    return ROLE_CHAIN.index(role) >= ROLE_CHAIN.index(needed)


# ---- phases ----------------------------------------------------------------------------------

def phase_escalation(routes, roles_needed, tok_a, catalog, link):
    count = 0
    for method, pattern, target, body, _, _ in attempts(routes, catalog, link, A_IDS):
        needed = roles_needed.get((method, pattern))
        if needed in (None, "none"):
            continue
        below = ROLE_CHAIN if needed == "platform_admin" else ROLE_CHAIN[:ROLE_CHAIN.index(needed)]
        for role in below:
            status, text = call(method, target, tok_a[role], body)
            count += 1
            check(status == 403, "escalation [%s] %s %s %s -> %d (want 403): %s" % (
                role, method, target, json.dumps(body)[:120], status, text[:200]))
    phase_counts["escalation"] = count


def phase_tenant_params(routes, roles_needed, tok_b, catalog, link):
    count = 0
    adm = tok_b["admin"]
    tricks = ["tenant_id=" + TA, "tenant_id=%s&tenant_id=%s" % (TB, TA),
              "tenant%5Fid=" + TA, "tenant_id=" + urllib.parse.quote(TA, safe="")]
    for method, pattern in routes:
        if roles_needed.get((method, pattern)) in (None, "none"):
            continue
        path = pattern
        for p in placeholders(pattern):
            path = path.replace("{" + p + "}", urllib.parse.quote(A_IDS[0], safe=""))
        for body, _ in catalog.bodies(method, pattern):
            for q in tricks:
                status, text = call(method, path + "?" + q, adm, body)
                count += 1
                check(status == 403, "query %s on %s %s -> %d (want 403): %s" % (
                    q, method, pattern, status, text[:200]))
            if method in ("POST", "PUT") and isinstance(body, dict):
                for variant in (dict(body, tenant_id=TA), dict(body, tenant_id=[TA]),
                                dict(body, tenant_id={"id": TA})):
                    status, text = call(method, path, adm, variant)
                    count += 1
                    check(status in (400, 403), "body %s on %s %s -> %d (want 403/400): %s" % (
                        json.dumps(variant)[:120], method, pattern, status, text[:200]))
                # A duplicate key: whichever one a parser keeps, A's id must not pass.
                raw = json.dumps(dict(body, tenant_id=TB))[:-1] + ', "tenant_id": "%s"}' % TA
                status, text = call(method, path, adm, raw_body=raw.encode())
                count += 1
                check(status in (400, 403), "duplicate body tenant_id on %s %s -> %d: %s" % (
                    method, pattern, status, text[:200]))
    # The §7 envelope and a tenant header.
    for detail in ({"tenant_id": TA}, {"tenant_id": [TA]}):
        body = {"detail": dict(detail, account_id=SHARED_ACCT, trigger_type="SIGNAL_ARRIVED",
                               idempotency_key="env-" + RUN)}
        status, text = call("POST", "/v1/decisions/triggers", adm, body)
        count += 1
        check(status in (400, 403), "envelope %s -> %d: %s" % (detail, status, text[:200]))
    for header in ("X-Tenant-Id", "Tenant-Id", "X-Steward-Tenant"):
        status, text = call("GET", "/v1/intents/" + A["i_auto"], adm, headers={header: TA})
        count += 1
        check(status == 404, "header %s: A's intent -> %d" % (header, status))
        status, text = call("GET", "/v1/intents", adm, headers={header: TA})
        count += 1
        check(status == 200 and not leaked(text, "", set()), "header %s lists A's intents" % header)
    phase_counts["tenant params"] = count


def claim_tokens():
    """(name, token, expectation): 'reject' (401), 'as B' or 'other' (a tenant with nothing)."""
    role = {"roles": ["admin"]}
    out = [
        ("tid only", forge(dict(role, tid=TA)), "reject"),
        ("tenant_id B + tid A", forge(dict(role, tenant_id=TB, tid=TA)), "as B"),
        ("nested tenant", forge(dict(role, tenant={"id": TA, "tenant_id": TA})), "reject"),
        ("namespaced claim", forge(dict(role, **{"https://steward/tenant_id": TA})), "reject"),
        ("tenant_id array", forge(dict(role, tenant_id=[TA])), "reject"),
        ("tenant_id array B,A", forge(dict(role, tenant_id=[TB, TA])), "reject"),
        ("tenant_id object", forge(dict(role, tenant_id={"id": TA})), "reject"),
        ("tenant_id null", forge(dict(role, tenant_id=None)), "reject"),
        ("tenant_id B + custom A", forge(dict(role, tenant_id=TB, **{"custom:tenant_id": TA})),
         "reject"),
        ("tenant in JOSE header", forge(dict(role, tenant_id=TB), {"tenant_id": TA}), "as B"),
        ("upper-case A", forge(dict(role, tenant_id=TA.upper())), "other"),
        ("prefix of A", forge(dict(role, tenant_id=TA[:-1])), "other"),
        ("A plus suffix", forge(dict(role, tenant_id=TA + "x")), "other"),
        ("A with a space", forge(dict(role, tenant_id=TA + " ")), "reject"),
        ("A with a NUL", forge(dict(role, tenant_id=TA + "\u0000")), "reject"),
        ("wildcard tenant", forge(dict(role, tenant_id="*")), "reject"),
        ("percent tenant", forge(dict(role, tenant_id="%")), "reject"),
        ("empty tenant", forge(dict(role, tenant_id="")), "reject"),
        ("A signed with a wrong key", forge(dict(role, tenant_id=TA), key=b"x" * 32), "reject"),
    ]
    return out


def phase_claims(routes, catalog, link, roles_needed, b_names, b_objects):
    count = 0
    gets = [r for r in routes if r[0] == "GET"]
    for name, tok, want in claim_tokens():
        if want == "reject":
            for target in ("/v1/intents/" + A["i_auto"], "/v1/intents", "/v1/ledger"):
                status, text = call("GET", target, tok)
                count += 1
                check(status == 401, "claims '%s' GET %s -> %d (want 401): %s" % (
                    name, target, status, text[:200]))
            continue
        # A token that acts as B (or as a look-alike tenant with nothing of its own).
        as_b = want == "as B"
        run_matrix("claims", gets, roles_needed, [(name, "admin", tok)], catalog, link, A_IDS,
                   set(b_names) if as_b else set(), set(b_objects) if as_b else set())
    # Roles in unexpected places: a viewer of A with admin hidden elsewhere stays a viewer.
    hidden = [
        {"roles": ["viewer"], "realm_access": {"roles": ["admin"]}},
        {"roles": ["viewer"], "Roles": ["admin"], "scope": "admin", "groups": ["admin"]},
        {"roles": ["viewer"], "cognito:groups": ["admin"], "custom:role": "admin"},
        {"roles": ["viewer", "Admin", "ADMIN", "admin "]},
        {"role": "viewer", "roles": [["admin"]]},
        {"roles": "viewer,admin"},
    ]
    for claims in hidden:
        tok = forge(dict(claims, tenant_id=TA))
        for method, target, body in (("PUT", "/v1/autonomy/policy", {"confidence_threshold": 0.1}),
                                     ("GET", "/v1/ledger", None),
                                     ("PUT", "/v1/autonomy/kill-switches",
                                      {"execution_enabled": False})):
            status, text = call(method, target, tok, body)
            count += 1
            check(status in (401, 403), "roles %s: %s %s -> %d (want 403/401): %s" % (
                json.dumps(claims), method, target, status, text[:200]))
    phase_counts["claims"] = phase_counts.get("claims", 0) + count


def phase_links(link_a, link_b):
    count = 0

    def get(export_id, expires, sig, want, what):
        nonlocal count
        status, text = call("GET", "/v1/downloads/%s?expires=%s&sig=%s" % (
            urllib.parse.quote(export_id, safe=""), expires, sig))
        count += 1
        check(status in want, "link %s -> %d (want %s): %s" % (what, status, sorted(want), text[:200]))
        if 200 <= status < 300:
            return text
        check(not leaked(text, export_id, set()), "link %s leaked: %s" % (what, text[:200]))
        return None

    def sign(key, export_id, tenant, expires):
        return hmac.new(key, ("%s\n%s\n%s" % (export_id, tenant, expires)).encode(),
                        hashlib.sha256).hexdigest()
    ea, eb = link_a["export_id"], link_b["export_id"]
    text = get(ea, link_a["expires"], link_a["sig"], {200}, "A's own (control)")
    check(text is not None and TA in text, "A's link serves A's rows")
    get(ea, link_b["expires"], link_b["sig"], {403}, "A's export with B's signature")
    get(eb, link_a["expires"], link_a["sig"], {403}, "B's export with A's signature")
    get(ea, link_a["expires"], sign(SIGNING_SECRET, ea, TB, link_a["expires"]), {403},
        "A's export re-signed for tenant B with the real key")
    get(eb, link_a["expires"], sign(SIGNING_SECRET, eb, TA, link_a["expires"]), {403},
        "B's export re-signed for tenant A with the real key")
    get(ea, link_a["expires"], sign(b"k" * 32, ea, TA, link_a["expires"]), {403},
        "A's export signed with a wrong key")
    get(ea, link_a["expires"], sign(SIGNING_SECRET, ea, "", link_a["expires"]), {403},
        "A's export signed with an empty tenant")
    get(ea, str(int(link_a["expires"]) + 3600), link_a["sig"], {403}, "A's link with a later expiry")
    get(ea, link_a["expires"], link_a["sig"].upper(), {403}, "A's signature in upper case")
    get(ea, link_a["expires"], link_a["sig"][:-2], {403}, "A's signature truncated")
    get(ea + "/../" + eb, link_b["expires"], link_b["sig"], {400, 403, 404}, "a traversal id")
    # With a bearer token of B the link means no more than without one.
    status, _ = call("GET", "/v1/downloads/%s?expires=%s&sig=%s" % (eb, link_a["expires"],
                                                                      link_a["sig"]),
                     link_b["token"])
    count += 1
    check(status == 403, "B's token does not make a foreign signature valid: %d" % status)
    phase_counts["links"] = count


def phase_collisions(tok_a, tok_b):
    count = 0
    agent_b = tok_b["agent"]
    # The very body A used: B gets its own intent (201), not A's (200 "identical repeat").
    body = intent_body(A["i_coll"], "SEND_EMAIL", "coll " + MARK, 0.9)
    status, text = call("POST", "/v1/intents", agent_b, body)
    count += 1
    j = as_json(text) or {}
    check(status == 201, "B reusing A's intent id and content -> %d (want 201): %s" % (
        status, text[:300]))
    check(j.get("intent", {}).get("created_by") != "a-agent-" + RUN,
          "B's intent under A's id is A's: %s" % text[:300])
    status, text = call("GET", "/v1/intents/" + A["i_coll"], tok_a["admin"])
    count += 1
    check(status == 200 and (as_json(text) or {}).get("created_by") == "a-agent-" + RUN,
          "A's intent still A's: %d %s" % (status, text[:300]))
    # A's idempotency key is not reserved in B's namespace.
    status, text = call("POST", "/v1/decisions/triggers", agent_b,
                        {"account_id": A_ONLY_ACCT, "trigger_type": "LIFECYCLE_STATE_CHANGE",
                         "idempotency_key": A["key_coll"]})
    count += 1
    j = as_json(text) or {}
    check(status == 200 and j.get("reason") != "DUPLICATE" and "original" not in j,
          "B's trigger with A's key sees A's reservation: %d %s" % (status, text[:300]))
    phase_counts["collisions"] = count


def phase_connectors(tok_b):
    """Before B has connectors or types of its own: B cannot use A's action type, and B's
    execution of an http type never goes through A's connector (A never calls its own, so any
    call on A's connector URLs is B's)."""
    count = 0
    body = {"account_id": SHARED_ACCT, "action_type": A["action_type"], "gate": "none",
            "parameters": {"title": "b"}}
    status, text = call("POST", "/v1/intents", tok_b["agent"], body)
    count += 1
    check(status in (400, 404), "B creates an intent of A's action type -> %d: %s" % (
        status, text[:200]))
    iid = "ib-%s-mail" % RUN
    must("POST", "/v1/intents", tok_b["agent"],
         {"action_intent_id": iid, "account_id": SHARED_ACCT, "action_type": "SEND_EMAIL",
          "parameters": {"to": "b@example.com", "subject": "s", "body": "b"}})
    must("POST", "/v1/intents/%s/approve" % iid, tok_b["approver"], {"account_id": SHARED_ACCT})
    count += 3

    def outcome():
        s, t = call("GET", "/v1/executions/" + iid, tok_b["admin"])
        return (as_json(t) or {}).get("outcome") if s == 200 else None
    out = poll(outcome, "B's execution")
    check(out["status"] == "FAILED" and out.get("error_code") == "CONNECTOR_NOT_CONFIGURED",
          "B's http execution without a connector of its own: %s" % out)
    with received_lock:
        used = [p for p, _ in received if p.startswith(("/conn-", "/crm-"))]
    check(not used, "A's connector was called: %s" % used)
    phase_counts["connectors"] = count


def check_webhooks(b_names, b_events_due):
    """A's webhook got only A's events, B's webhooks (made under A's ids) only B's."""
    with received_lock:
        got = list(received)
    for path, data in got:
        tenant = (as_json(data) or {}).get("tenant_id")
        if path.startswith("/hook-a-"):
            check(tenant == TA and TB not in data, "A's webhook received: %s" % data[:300])
        elif path.startswith("/hook-b"):
            check(tenant == TB, "B's webhook received another tenant's event: %s" % data[:300])
            check(not leaked(data, "", b_names), "B's webhook received A's data: %s" % data[:300])
    if b_events_due:
        check(any(p.startswith("/hook-b") for p, _ in got), "B's webhooks received B's events")
    used = [p for p, _ in got if p.startswith(("/conn-", "/crm-"))]
    check(not used, "A's connector was called (A never calls it): %s" % used)


def check_exports(tok_b, b_names):
    """B's audit exports hold none of A's rows."""
    j = must("GET", "/v1/autonomy/audit/exports?limit=500", tok_b["admin"])
    ids = [e["export_id"] for e in j["items"]]
    check(len(ids) >= 1, "B has exports")

    def settled():
        items = must("GET", "/v1/autonomy/audit/exports?limit=500", tok_b["admin"])["items"]
        return items if all(e["status"] in ("COMPLETED", "FAILED") for e in items) else None
    for e in poll(settled, "B's exports", timeout=60):
        check(e["status"] == "COMPLETED", "B's export %s: %s" % (e["export_id"], e))
        u = urllib.parse.urlsplit(e["presigned_url"])
        status, text = call("GET", u.path + "?" + u.query)
        check(status == 200, "B downloads its export: %d" % status)
        check(TB in text or e["row_count"] == 0, "B's export has B's rows")
        leak = leaked(text, "", b_names)
        check(not leak, "B's export %s carries A's %s" % (e["export_id"], leak[:3]))


def link_parts(url, token=None):
    u = urllib.parse.urlsplit(url)
    q = dict(urllib.parse.parse_qsl(u.query))
    return {"export_id": u.path.rsplit("/", 1)[1], "expires": q["expires"], "sig": q["sig"],
            "token": token}


def main():
    started = time.time()
    routes = load_routes()
    doc, roles_needed, schemas = load_roles()
    # Routes the API document does not list (the Control Center's static files) are public;
    # they go through the matrix like every other route.
    unlisted = [r for r in routes if r not in roles_needed]
    for r in unlisted:
        roles_needed[r] = "none"

    tok_a = {r: cli_token(TA, r, "a-%s-%s" % (r, RUN)) for r in B_ROLES}
    tok_b = {r: cli_token(TB, r, "b-%s-%s" % (r, RUN)) for r in B_ROLES}
    MARKERS.update({"a-%s-%s" % (r, RUN) for r in B_ROLES})
    setup_tenant_a(tok_a)

    # B's own export, for its link.
    exp = must("POST", "/v1/autonomy/audit/exports", tok_b["admin"],
               {"from": str(TODAY), "to": str(TODAY)})

    def b_done():
        j = must("GET", "/v1/autonomy/audit/exports/" + exp["export_id"], tok_b["admin"])
        return j if j["status"] == "COMPLETED" else None
    link_b = link_parts(poll(b_done, "B's export")["presigned_url"], tok_b["admin"])
    link_a = link_parts(A["export_obj"]["presigned_url"])

    catalog = Catalog(doc, schemas)
    guard = Guard(routes, tok_a["admin"], link_b)
    print("tenant A: %d ids, %d markers, ledger head seq %d, state snapshot of %d reads; %d "
          "routes, %d of them not in the API document and tried as public (%s …)" % (
              len(A_IDS), len(MARKERS), guard.head[0], len(guard.snap), len(routes),
              len(unlisted), ", ".join(p for _, p in unlisted[:3])))

    phase_connectors(tok_b)
    guard.verify("connectors")
    b_names, b_objects = set(), set()
    run_matrix("matrix", routes, roles_needed, [(r, r, tok_b[r]) for r in B_ROLES], catalog,
               link_b, A_IDS, b_names, b_objects)
    guard.verify("matrix")
    # Again, now that B has objects of its own under A's names (webhook, connector, action type,
    # idempotency key): reading, deleting or changing B's must still never reach A's.
    check(len(b_objects) >= 3, "B made its own objects under A's ids: %s" % sorted(b_objects))
    run_matrix("matrix, B owning A's names", routes, roles_needed,
               [(r, r, tok_b[r]) for r in B_ROLES], catalog, link_b, A_IDS, b_names, b_objects)
    guard.verify("matrix, B owning A's names")
    phase_escalation(routes, roles_needed, tok_a, catalog, link_b)
    guard.verify("escalation")
    phase_tenant_params(routes, roles_needed, tok_b, catalog, link_b)
    guard.verify("tenant params")
    phase_claims(routes, catalog, link_b, roles_needed, b_names, b_objects)
    guard.verify("claims")
    phase_links(link_a, link_b)
    check_exports(tok_b, b_names)
    check_webhooks(b_names, False)
    guard.verify("links")
    phase_collisions(tok_a, tok_b)
    poll(lambda: any(p.startswith("/hook-b") for p, _ in received), "B's webhook deliveries")
    check_webhooks(b_names | {A["i_coll"], A["key_coll"], A_ONLY_ACCT, MARK}, True)
    guard.verify("collisions")

    if catalog.generated:
        print("bodies generated from OpenAPI for: %s" % catalog.generated)
    print("routes %d, tenant-B roles %d; attempts per phase: %s" % (
        len(routes), len(B_ROLES), json.dumps(phase_counts)))
    print("%d requests, %d checks, %d failed, %.1f s" % (
        stats["requests"], stats["checks"], stats["failures"], time.time() - started))
    return 0 if stats["failures"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
