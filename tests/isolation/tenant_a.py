"""Tenant A, the victim: its objects of every kind, and the guard that compares A's ledger head
and the snapshot of A's state after each phase."""

import datetime
import hashlib
import time
import urllib.parse

from attempts import Catalog, attempts
from common import *  # noqa: F401,F403 (the suite's shared names)


def intent_body(iid, action_type, title, confidence, gate="auto", acct=SHARED_ACCT):
    return {"action_intent_id": iid, "account_id": acct, "action_type": action_type,
            "parameters": {"title": title, "body": title, "to": "a-" + MARK + "@example.com"},
            "confidence_score": confidence, "trace_id": "trace-" + MARK, "gate": gate}


def setup_tenant_a(tok):
    adm, agent, appr, oper = tok["admin"], tok["agent"], tok["approver"], tok["operator"]
    must("PUT", "/v1/autonomy/allowlist", adm,
         {"action_types": ["CREATE_INTERNAL_TASK", "CREATE_INTERNAL_NOTE"]})
    must("PUT", "/v1/autonomy/config", adm, {"action_type": "CREATE_INTERNAL_TASK",
                                             "mode": "AUTO_EXECUTE"})
    must("PUT", "/v1/autonomy/budget", adm, {"account_id": SHARED_ACCT,
                                             "max_autonomous_per_day": 50})
    must("PUT", "/v1/autonomy/budget", adm, {"account_id": A_ONLY_ACCT,
                                             "max_autonomous_per_day": 7})
    must("PUT", "/v1/autonomy/policy", adm, {"confidence_threshold": 0.75})
    must("PUT", "/v1/autonomy/kill-switches", oper, {"disabled_action_types": ["REQUEST_DISCOVERY_CALL"]})
    A["connector"] = "default"
    must("PUT", "/v1/connectors/default", adm, {"url": RECV + "/conn-" + MARK, "timeout_ms": 2000,
                                                "secret": "connsecret-" + MARK})
    A["connector2"] = "crm-" + RUN
    must("PUT", "/v1/connectors/" + A["connector2"], adm,
         {"url": RECV + "/crm-" + MARK, "timeout_ms": 2000})
    A["action_type"] = "A_TYPE_" + RUN.upper()
    must("PUT", "/v1/registry/action-types/" + A["action_type"], adm,
         {"tool_name": "tool_" + MARK, "tool_schema_version": "1", "risk_class": "LOW",
          "connector_id": A["connector2"], "description": "A's own type " + MARK})
    A["webhook"] = "wh-a-" + RUN
    must("PUT", "/v1/webhooks/" + A["webhook"], adm,
         {"url": RECV + "/hook-a-" + MARK, "secret": "whsecret-" + MARK,
          "event_types": ["EXECUTION_COMPLETED", "DECISION_EVALUATION_REQUESTED"]})

    A["i_auto"] = "ia-" + RUN + "-auto"
    r = must("POST", "/v1/intents", agent,
             intent_body(A["i_auto"], "CREATE_INTERNAL_TASK", "auto " + MARK, 0.95))
    if r["gate"]["result"] != "AUTO_EXECUTED":
        raise SystemExit("setup: the auto intent was not auto-executed: %s" % r)
    A["i_wait"] = "ia-" + RUN + "-wait"
    must("POST", "/v1/intents", agent, intent_body(A["i_wait"], "SEND_EMAIL", "wait " + MARK, 0.9))
    A["i_rej"] = "ia-" + RUN + "-rej"
    must("POST", "/v1/intents", agent,
         intent_body(A["i_rej"], "CREATE_INTERNAL_NOTE", "rej " + MARK, 0.4))
    must("POST", "/v1/intents/%s/reject" % A["i_rej"], appr,
         {"account_id": SHARED_ACCT, "reason": "no " + MARK})
    A["i_appr"] = "ia-" + RUN + "-appr"
    must("POST", "/v1/intents", agent,
         intent_body(A["i_appr"], "CREATE_INTERNAL_NOTE", "appr " + MARK, 0.4, acct=A_ONLY_ACCT))
    must("POST", "/v1/intents/%s/approve" % A["i_appr"], appr,
         {"account_id": A_ONLY_ACCT, "comment": "ok " + MARK})
    A["i_prop"] = "ia-" + RUN + "-prop"
    must("POST", "/v1/intents", agent,
         intent_body(A["i_prop"], "FLAG_FOR_REVIEW", "prop " + MARK, 0.9, gate="none"))
    A["i_cancel"] = "ia-" + RUN + "-cancel"
    must("POST", "/v1/intents", agent,
         intent_body(A["i_cancel"], "CREATE_INTERNAL_TASK", "cancel " + MARK, 0.2))
    must("POST", "/v1/intents/%s/cancel" % A["i_cancel"], appr,
         {"account_id": SHARED_ACCT, "reason": "dup " + MARK})
    A["i_coll"] = "ia-" + RUN + "-coll"  # reused by B in the collision phase only
    must("POST", "/v1/intents", agent,
         intent_body(A["i_coll"], "SEND_EMAIL", "coll " + MARK, 0.9))

    def done(iid):
        s, t = call("GET", "/v1/executions/" + iid, adm)
        j = as_json(t) if s == 200 else None
        return j if j and j.get("outcome") and all(x.get("outcome") for x in j.get("replays", [])) \
            else None
    ex = poll(lambda: done(A["i_auto"]), "the auto intent's execution")
    if ex["outcome"]["status"] != "SUCCEEDED":
        raise SystemExit("setup: auto execution %s" % ex)
    poll(lambda: done(A["i_appr"]), "the approved intent's execution")
    must("POST", "/v1/autonomy/replay", oper, {"action_intent_id": A["i_auto"],
                                                "account_id": SHARED_ACCT,
                                                "replay_reason": "again " + MARK})
    poll(lambda: done(A["i_auto"]), "the replay")

    A["key"] = "ka-" + RUN
    must("POST", "/v1/decisions/triggers", agent,
         {"account_id": SHARED_ACCT, "trigger_type": "SIGNAL_ARRIVED", "idempotency_key": A["key"],
          "correlation_id": "corr-" + MARK})
    A["key_coll"] = "ka-" + RUN + "-coll"  # collision phase only
    must("POST", "/v1/decisions/triggers", agent,
         {"account_id": A_ONLY_ACCT, "trigger_type": "LIFECYCLE_STATE_CHANGE",
          "idempotency_key": A["key_coll"], "correlation_id": "corr2-" + MARK})
    must("PUT", "/v1/autonomy/triggers", adm, {"trigger_type": "POSTURE_CHANGE",
                                               "cooldown_seconds": 777})
    must("PUT", "/v1/autonomy/decision-budget", adm, {"account_id": SHARED_ACCT, "max_per_day": 41})
    must("PUT", "/v1/autonomy/opt-in", adm, {"account_id": SHARED_ACCT, "opted_in": True})
    hour = (datetime.datetime.now(datetime.timezone.utc).hour + 12) % 24  # never due in the test
    must("PUT", "/v1/autonomy/digest/settings", adm, {"enabled": True, "hour": hour,
                                                      "timezone": "UTC"})
    must("PUT", "/v1/autonomy/schedules", adm,
         {"account_id": SHARED_ACCT, "trigger_type": "TIME_RITUAL_WEEKLY_REVIEW",
          "cron": "0 0 1 1 *", "timezone": "UTC", "enabled": True})

    exp = must("POST", "/v1/autonomy/audit/exports", adm,
               {"from": str(TODAY - datetime.timedelta(days=1)), "to": str(TODAY), "format": "csv"})
    A["export"] = exp["export_id"]

    def completed():
        j = must("GET", "/v1/autonomy/audit/exports/" + A["export"], adm)
        return j if j["status"] == "COMPLETED" else None
    A["export_obj"] = poll(completed, "A's export")
    # A's webhook got its deliveries.
    poll(lambda: any(p.startswith("/hook-a-") for p, _ in received), "a delivery to A's webhook")

    # A's pagination cursors, for B to replay.
    A["intent_cursor"] = must("GET", "/v1/intents?limit=1", adm)["next_cursor"]
    A["ledger_cursor"] = must("GET", "/v1/ledger?limit=2", adm)["next_cursor"]
    A["event_cursor"] = must("GET", "/v1/events?limit=1", adm)["next_cursor"]
    if not (A["intent_cursor"] and A["ledger_cursor"] and A["event_cursor"]):
        raise SystemExit("setup: A has no pagination cursors")

    for name in ("i_auto", "i_wait", "i_rej", "i_appr", "i_prop", "i_cancel", "export", "webhook",
                 "connector", "connector2", "action_type", "key"):
        A_IDS.append(A[name])
    for name in ("i_auto", "i_wait", "i_rej", "i_appr", "i_prop", "i_cancel", "i_coll", "export",
                 "webhook", "connector2", "action_type", "key", "key_coll"):
        MARKERS.add(A[name])
    MARKERS.update({MARK, TA, A_ONLY_ACCT, A["export_obj"]["sha256"]})
    for iid in (A["i_auto"], A["i_appr"]):
        j = must("GET", "/v1/executions/" + iid, adm)
        MARKERS.add(j["attempt"]["idempotency_key"])
    for e in ledger_entries(adm):
        MARKERS.add(e["hash"])
        MARKERS.add(e["entry_id"])


def ledger_entries(adm):
    out, cursor = [], None
    while True:
        q = "/v1/ledger?limit=1000" + ("&cursor=" + urllib.parse.quote(cursor) if cursor else "")
        j = must("GET", q, adm)
        out.extend(j["items"])
        cursor = j.get("next_cursor")
        if not cursor:
            return out


def ledger_head(adm):
    j = must("GET", "/v1/ledger?limit=1", adm)
    e = j["items"][0]
    return (e["seq"], e["hash"])


# ---- A's state -------------------------------------------------------------------------------

def normalize(node, volatile):
    if isinstance(node, dict):
        return {k: normalize(v, volatile) for k, v in node.items() if k not in volatile}
    if isinstance(node, list):
        return [normalize(v, volatile) for v in node]
    return node


def snapshot(routes, adm, link):
    """Every GET route read by A's admin with every A id and query variant."""
    snap = {}
    for method, pattern, target, _, _, _ in attempts(
            [r for r in routes if r[0] == "GET" and r[1] not in SNAPSHOT_SKIP], Catalog({}, {}),
            link, A_IDS):
        status, text = call("GET", target, adm)
        j = as_json(text)
        volatile = VOLATILE_FIELDS | ROUTE_VOLATILE_FIELDS.get(pattern, set())
        snap[target] = (status, normalize(j, volatile) if j is not None else text)
    # A's export file itself, through its link.
    status, text = call("GET", urllib.parse.urlsplit(A["export_obj"]["presigned_url"]).path + "?" +
                        urllib.parse.urlsplit(A["export_obj"]["presigned_url"]).query)
    snap["download"] = (status, hashlib.sha256(text.encode()).hexdigest())
    return snap


def diff(before, after):
    out = []
    for k in sorted(set(before) | set(after)):
        if before.get(k) != after.get(k):
            out.append("%s: %s -> %s" % (k, str(before.get(k))[:300], str(after.get(k))[:300]))
    return out


class Guard:
    """A's ledger head and state snapshot, compared after each phase."""

    def __init__(self, routes, adm, link):
        self.routes, self.adm, self.link = routes, adm, link
        self.head = ledger_head(adm)
        # Settle: two equal snapshots in a row (background jobs done).
        self.snap = snapshot(routes, adm, link)
        for _ in range(20):
            time.sleep(0.5)
            again = snapshot(routes, adm, link)
            changes = diff(self.snap, again)
            self.snap = again
            if not changes:
                break
        else:
            raise SystemExit("setup: A's state never settled:\n" + "\n".join(changes[:10]))
        self.head = ledger_head(adm)

    def verify(self, phase):
        head = ledger_head(self.adm)
        check(head == self.head, "%s: A's ledger head moved %s -> %s" % (phase, self.head, head))
        d = diff(self.snap, snapshot(self.routes, self.adm, self.link))
        check(not d, "%s: A's state changed:\n  " % phase + "\n  ".join(d[:10]))
        v = must("GET", "/v1/ledger/verify", self.adm)
        check(v["ok"], "%s: A's ledger does not verify: %s" % (phase, v))
