"""What the suite sends: query variants, plausible bodies per route, and the expansion of every
route into concrete requests aimed at tenant A's ids."""

import datetime
import urllib.parse

from common import *  # noqa: F401,F403 (the suite's shared names)

def query_variants(link, cursors=True):
    """Query strings to try: none, and two A-flavoured ones (A's intents, accounts, types and
    pagination cursors; a download signature of B's)."""
    base = {"action_intent_id": A["i_auto"], "account_id": SHARED_ACCT,
            "trigger_type": "SIGNAL_ARRIVED", "date": str(TODAY),
            "action_type": "CREATE_INTERNAL_TASK", "expires": link["expires"], "sig": link["sig"],
            "after": A["event_cursor"], "cursor": A["intent_cursor"]}
    other = dict(base, action_intent_id=A["i_appr"], account_id=A_ONLY_ACCT,
                 action_type=A["action_type"], after="", cursor=A["ledger_cursor"])
    if not cursors:
        for q in (base, other):
            del q["after"], q["cursor"]
    return ["", urllib.parse.urlencode(base), urllib.parse.urlencode(other)]


def generated_body(schema, doc):
    """A body from the OpenAPI request schema, for routes the catalog does not know."""
    def deref(node):
        while isinstance(node, dict) and "$ref" in node:
            target = doc
            for part in node["$ref"][2:].split("/"):
                target = target[part]
            node = target
        return node
    schema = deref(schema)
    by_name = {"account_id": SHARED_ACCT, "action_intent_id": A["i_auto"],
               "idempotency_key": A["key"], "trigger_type": "SIGNAL_ARRIVED", "cron": "0 0 1 1 *",
               "timezone": "UTC", "url": "http://127.0.0.1:9/x", "action_type": A["action_type"]}
    body = {}
    for name in schema.get("required", []):
        prop = deref(schema.get("properties", {}).get(name, {}))
        if name in by_name:
            body[name] = by_name[name]
        elif "enum" in prop:
            body[name] = prop["enum"][0]
        else:
            body[name] = {"integer": 1, "number": 0.5, "boolean": False, "array": [],
                          "object": {}}.get(prop.get("type"), "x")
    return body


class Catalog:
    """Plausible bodies per (method, pattern): (body or a function making one, addresses_a)."""

    def __init__(self, doc, schemas):
        self.doc, self.schemas = doc, schemas
        self.generated = []
        n = [0]

        def fresh_intent():
            n[0] += 1
            return {"action_intent_id": "ib-%s-%d" % (RUN, n[0]), "account_id": SHARED_ACCT,
                    "action_type": "CREATE_INTERNAL_TASK", "parameters": {"title": "b"},
                    "confidence_score": 0.99}
        intents = [A[k] for k in ("i_auto", "i_wait", "i_rej", "i_appr", "i_prop", "i_cancel")]
        self.table = {
            ("POST", "/v1/intents"): [(fresh_intent, False)],
            ("POST", "/v1/intents/{id}/cancel"): [({"account_id": SHARED_ACCT, "reason": "x"}, True)],
            ("POST", "/v1/intents/{id}/approve"): [
                ({"account_id": SHARED_ACCT}, True),
                ({"account_id": A_ONLY_ACCT, "parameters": {"title": "edited"}, "comment": "c"}, True)],
            ("POST", "/v1/intents/{id}/reject"): [({"account_id": SHARED_ACCT, "reason": "no"}, True)],
            ("POST", "/v1/gate/auto-approval"): [
                ({"action_intent_id": i, "account_id": a}, True)
                for i in intents for a in (SHARED_ACCT, A_ONLY_ACCT)],
            ("POST", "/v1/autonomy/replay"): [
                ({"action_intent_id": i, "account_id": a, "replay_reason": "x"}, True)
                for i in intents for a in (SHARED_ACCT, A_ONLY_ACCT)],
            ("POST", "/v1/decisions/triggers"): [
                ({"account_id": SHARED_ACCT, "trigger_type": "SIGNAL_ARRIVED",
                  "idempotency_key": A["key"]}, False),
                ({"detail": {"account_id": SHARED_ACCT, "trigger_type": "SIGNAL_ARRIVED",
                             "idempotency_key": A["key"]}}, False)],
            ("POST", "/v1/autonomy/audit/exports"): [
                ({"from": str(TODAY - datetime.timedelta(days=1)), "to": str(TODAY)}, False),
                ({"from": str(TODAY), "to": str(TODAY), "format": "ndjson",
                  "account_id": SHARED_ACCT}, False)],
            ("PUT", "/v1/autonomy/config"): [({"account_id": SHARED_ACCT,
                                               "action_type": "CREATE_INTERNAL_TASK",
                                               "mode": "DISABLED"}, False),
                                              ({"mode": "PROPOSE_ONLY"}, False)],
            ("PUT", "/v1/autonomy/allowlist"): [({"account_id": SHARED_ACCT, "action_types": []}, False),
                                                 ({"action_types": ["FLAG_FOR_REVIEW"]}, False)],
            ("PUT", "/v1/autonomy/budget"): [({"account_id": SHARED_ACCT,
                                               "max_autonomous_per_day": 0}, False)],
            ("PUT", "/v1/autonomy/kill-switches"): [({"autonomy_enabled": False,
                                                      "execution_enabled": False}, False)],
            ("PUT", "/v1/autonomy/policy"): [({"confidence_threshold": 0.99}, False)],
            ("PUT", "/v1/platform/emergency-stop"): [({"engaged": False}, False)],
            ("PUT", "/v1/registry/action-types/{type}"): [({"tool_name": "b_tool",
                                                            "tool_schema_version": "1",
                                                            "risk_class": "HIGH"}, False)],
            ("PUT", "/v1/connectors/{id}"): [({"url": "http://127.0.0.1:9/b", "timeout_ms": 1000},
                                              False)],
            ("PUT", "/v1/autonomy/triggers"): [({"trigger_type": "POSTURE_CHANGE", "enabled": False},
                                                False)],
            ("PUT", "/v1/autonomy/decision-budget"): [({"account_id": SHARED_ACCT, "max_per_day": 0},
                                                       False)],
            ("PUT", "/v1/autonomy/opt-in"): [({"account_id": SHARED_ACCT, "opted_in": False}, False)],
            ("PUT", "/v1/autonomy/digest/settings"): [({"enabled": False}, False)],
            ("PUT", "/v1/autonomy/schedules"): [({"account_id": SHARED_ACCT,
                                                  "trigger_type": "TIME_RITUAL_WEEKLY_REVIEW",
                                                  "cron": "0 0 1 1 *", "timezone": "UTC",
                                                  "enabled": False}, False)],
            ("PUT", "/v1/webhooks/{id}"): [({"url": RECV + "/hook-b", "enabled": True,
                                             "secret": "b-secret-0123456789",
                                             "event_types": ["EXECUTION_COMPLETED",
                                                             "DECISION_EVALUATION_REQUESTED"]},
                                            False)],
        }

    def bodies(self, method, pattern):
        if method not in ("POST", "PUT", "PATCH"):
            return [(None, False)]
        if (method, pattern) in self.table:
            return [(b() if callable(b) else b, addr) for b, addr in self.table[(method, pattern)]]
        schema = self.schemas.get((method, pattern))
        if (method, pattern) not in self.generated:
            self.generated.append((method, pattern))
        return [(generated_body(schema, self.doc) if schema else {}, False)]


def attempts(routes, catalog, link, ids):
    """Every (method, pattern, target, body, addresses_a, used_ids) to try, GETs first, then
    DELETE, POST and PUT, so that B's own objects made under A's ids (PUT upserts) come last."""
    order = {"GET": 0, "DELETE": 1, "POST": 2, "PUT": 3}
    out = []
    for method, pattern in sorted(routes, key=lambda r: order.get(r[0], 4)):
        params = placeholders(pattern)
        paths = [(pattern, [])]
        for p in params:
            paths = [(path.replace("{" + p + "}", urllib.parse.quote(i, safe="")), used + [i])
                     for path, used in paths for i in ids]
        for path, used in paths:
            # By-id routes: the bare id, and A's query without cursors (an invalid cursor is
            # 400 before the object is looked up).
            queries = query_variants(link, cursors=not used)[: 2 if used else 3]
            for q in queries:
                for body, addr in catalog.bodies(method, pattern):
                    target = path + ("?" + q if q else "")
                    out.append((method, pattern, target, body, addr or bool(used), used))
    return out


def leaked(text, request_text, b_names):
    """A's markers in a response that the request did not itself carry."""
    return sorted(m for m in MARKERS if m in text and m not in request_text and m not in b_names)
