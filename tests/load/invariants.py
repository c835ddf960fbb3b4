#!/usr/bin/env python3
"""Invariant checks after a load or chaos run (docs/RELIABILITY.md), through the API and SQL.

Per tenant given with --tenant NAME=ADMIN_TOKEN:
  ledger     GET /v1/ledger/verify is ok and checked every row; seq is 1..N with no gap; the
             head row names the last entry; INTENT_CREATED / ACTION_APPROVED / ACTION_EXECUTED
             entries equal the intents / approvals / succeeded outcomes they record.
  budgets    per account and day: total used <= max_autonomous_per_day, each type's <= its cap;
             per account, the days' totals equal the intents the gate auto-approved (approval
             source POLICY) and today's total equals GET /v1/autonomy/budget/state.
  outcomes   no intent has two outcomes or two attempts; every approved intent has exactly one
             outcome (after the drain); intent status SUCCEEDED <=> outcome SUCCEEDED; one
             internal task per succeeded CREATE_INTERNAL_TASK (no side effect twice).
  jobs       job_backlog.active equals the PENDING/RUNNING jobs; no dead-lettered job.
  acked      (--acked FILE, JSON lines from chaos_client.py) every acknowledged intent, approval,
             trigger and export exists with what was acknowledged; exports end COMPLETED and
             their download matches sha256.
  expect     (--expect KEY=N, from the wrk counts of a load run over ids "L<run>-…") created,
             auto (POLICY-approved), approved (HUMAN), triggers (reservations) equal N, plus at
             most --slack requests that were in flight when wrk stopped (committed, never
             counted).

Before checking it waits (--drain-timeout) until no EXECUTE_INTENT or AUDIT_EXPORT job is left and
every approved intent has an outcome. Prints "ok: …" / "FAIL: …" lines and a closing
"N passed, N failed"; exits 1 on any failure.
"""
import argparse
import hashlib
import http.client
import json
import sqlite3
import subprocess
import sys
import time
import urllib.parse

PASSED = 0
FAILED = 0


def ok(msg):
    global PASSED
    PASSED += 1
    print("ok: " + msg)


def fail(msg):
    global FAILED
    FAILED += 1
    print("FAIL: " + msg)


def check(cond, msg):
    (ok if cond else fail)(msg)


class Db:
    """Read-only SQL on the run's store: sqlite3 on the file, or psql on the URL."""

    def __init__(self, sqlite_path=None, pg_url=None):
        self.sqlite_path = sqlite_path
        self.pg_url = pg_url

    def query(self, sql, params=()):
        if self.sqlite_path:
            conn = sqlite3.connect("file:%s?mode=ro" % self.sqlite_path, uri=True, timeout=30)
            try:
                return [tuple(r) for r in conn.execute(sql, params).fetchall()]
            finally:
                conn.close()
        # psql: inline the parameters (test data only: ids match [A-Za-z0-9._:@-]).
        for p in params:
            text = "'" + str(p).replace("'", "''") + "'" if isinstance(p, str) else str(p)
            sql = sql.replace("?", text, 1)
        out = subprocess.run(["psql", self.pg_url, "-qAtX", "-F", "\t", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        rows = []
        for line in out.splitlines():
            rows.append(tuple(int(v) if v.lstrip("-").isdigit() else v for v in line.split("\t")))
        return rows

    def scalar(self, sql, params=()):
        rows = self.query(sql, params)
        return rows[0][0] if rows else None


class Api:
    def __init__(self, base, token):
        u = urllib.parse.urlparse(base)
        self.host, self.port, self.token = u.hostname, u.port, token

    def get(self, path, auth=True):
        for attempt in range(5):
            try:
                c = http.client.HTTPConnection(self.host, self.port, timeout=60)
                headers = {"Authorization": "Bearer " + self.token} if auth else {}
                c.request("GET", path, headers=headers)
                r = c.getresponse()
                body = r.read()
                c.close()
                if r.status >= 500 and attempt < 4:
                    time.sleep(1)
                    continue
                return r.status, body
            except OSError:
                if attempt == 4:
                    raise
                time.sleep(1)

    def get_json(self, path):
        status, body = self.get(path)
        try:
            return status, json.loads(body)
        except ValueError:
            return status, {"raw": body[:200].decode("utf-8", "replace")}


def drain(db, tenants, timeout):
    deadline = time.time() + timeout
    names = tuple(tenants)
    marks = ",".join("?" * len(names))
    while True:
        jobs = db.scalar("SELECT COUNT(*) FROM jobs WHERE type IN ('EXECUTE_INTENT', 'AUDIT_EXPORT') "
                         "AND status IN ('PENDING', 'RUNNING') AND tenant_id IN (%s)" % marks, names)
        missing = db.scalar(
            "SELECT COUNT(*) FROM intents i WHERE i.tenant_id IN (%s) AND i.approval IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM action_outcomes o WHERE o.tenant_id = i.tenant_id AND "
            "o.action_intent_id = i.action_intent_id)" % marks, names)
        if jobs == 0 and missing == 0:
            return True
        if time.time() > deadline:
            fail("drain: after %d s, %s execution/export jobs left, %s approved intents without "
                 "an outcome" % (timeout, jobs, missing))
            return False
        time.sleep(0.5)


def check_ledger(db, api, tenant):
    status, v = api.get_json("/v1/ledger/verify")
    rows = db.scalar("SELECT COUNT(*) FROM ledger WHERE tenant_id = ?", (tenant,))
    check(status == 200 and v.get("ok") is True and v.get("checked") == rows,
          "%s: ledger verifies (%s rows; API said %s %s)" % (tenant, rows, status, v))
    lo, hi, n = db.query("SELECT MIN(seq), MAX(seq), COUNT(*) FROM ledger WHERE tenant_id = ?",
                         (tenant,))[0]
    check(lo == 1 and hi == n, "%s: ledger seq 1..%s gap-free (min %s, max %s)" % (tenant, n, lo, hi))
    head = db.query("SELECT h.seq, h.hash = l.hash FROM ledger_heads h JOIN ledger l ON "
                    "l.tenant_id = h.tenant_id AND l.seq = h.seq WHERE h.tenant_id = ?", (tenant,))
    check(head and head[0][0] == hi and head[0][1] in (1, "t", True),
          "%s: ledger head is the last entry (%s)" % (tenant, head))

    def events(t):
        return db.scalar("SELECT COUNT(*) FROM ledger WHERE tenant_id = ? AND event_type = ?",
                         (tenant, t))
    intents = db.scalar("SELECT COUNT(*) FROM intents WHERE tenant_id = ?", (tenant,))
    approved = db.scalar("SELECT COUNT(*) FROM intents WHERE tenant_id = ? AND approval IS NOT NULL",
                         (tenant,))
    succeeded = db.scalar("SELECT COUNT(*) FROM action_outcomes WHERE tenant_id = ? AND "
                          "status = 'SUCCEEDED'", (tenant,))
    check(events("INTENT_CREATED") == intents,
          "%s: one INTENT_CREATED per intent (%s entries, %s intents)" %
          (tenant, events("INTENT_CREATED"), intents))
    check(events("ACTION_APPROVED") == approved,
          "%s: one ACTION_APPROVED per approved intent (%s, %s)" %
          (tenant, events("ACTION_APPROVED"), approved))
    check(events("ACTION_EXECUTED") == succeeded,
          "%s: one ACTION_EXECUTED per succeeded outcome (%s, %s)" %
          (tenant, events("ACTION_EXECUTED"), succeeded))


def check_budgets(db, api, tenant):
    configs = {r[0]: (r[1], json.loads(r[2])) for r in db.query(
        "SELECT account_id, max_autonomous_per_day, max_per_action_type FROM budget_configs "
        "WHERE tenant_id = ?", (tenant,))}
    usage = db.query("SELECT account_id, day, action_type, used FROM budget_usage WHERE "
                     "tenant_id = ?", (tenant,))
    over = []
    totals = {}
    per_type = {}
    for account, day, action_type, used in usage:
        limit, type_caps = configs.get(account, (None, {}))
        if action_type == "*":
            totals[account] = totals.get(account, 0) + used
            if limit is None or used > limit:
                over.append((account, day, used, limit))
        else:
            per_type[(account, action_type)] = per_type.get((account, action_type), 0) + used
            cap = type_caps.get(action_type)
            if cap is not None and used > cap:
                over.append((account, day, action_type, used, cap))
    check(not over, "%s: no budget overspent (%d usage rows; over: %s)" % (tenant, len(usage), over[:5]))
    policy = {r[0]: r[1] for r in db.query(
        "SELECT account_id, COUNT(*) FROM intents WHERE tenant_id = ? AND approval LIKE "
        "'%\"source\":\"POLICY\"%' GROUP BY account_id", (tenant,))}
    policy_types = {(r[0], r[1]): r[2] for r in db.query(
        "SELECT account_id, action_type, COUNT(*) FROM intents WHERE tenant_id = ? AND approval "
        "LIKE '%\"source\":\"POLICY\"%' GROUP BY account_id, action_type", (tenant,))}
    bad = [(a, totals.get(a, 0), policy.get(a, 0)) for a in set(totals) | set(policy)
           if totals.get(a, 0) != policy.get(a, 0)]
    bad += [(k, per_type.get(k, 0), policy_types.get(k, 0)) for k in set(per_type) | set(policy_types)
            if per_type.get(k, 0) != policy_types.get(k, 0)]
    check(not bad, "%s: budget used equals auto-approved intents for each of %d accounts "
          "(%d consumed; mismatches: %s)" % (tenant, len(totals), sum(totals.values()), bad[:5]))
    api_bad = []
    for account in sorted(configs):
        status, s = api.get_json("/v1/autonomy/budget/state?account_id=" + account)
        if status != 200:
            api_bad.append((account, status))
            continue
        sql_today = db.scalar("SELECT used FROM budget_usage WHERE tenant_id = ? AND account_id = ? "
                              "AND day = ? AND action_type = '*'", (tenant, account, s.get("date")))
        if (sql_today or 0) != s.get("total"):
            api_bad.append((account, s.get("total"), sql_today))
    check(not api_bad, "%s: GET budget/state agrees with the store for %d accounts (%s)" %
          (tenant, len(configs), api_bad[:5]))


def check_outcomes(db, tenant):
    two = db.query("SELECT action_intent_id, COUNT(*) FROM action_outcomes WHERE tenant_id = ? "
                   "GROUP BY action_intent_id HAVING COUNT(*) > 1", (tenant,))
    check(not two, "%s: no intent has two outcomes (%s)" % (tenant, two[:5]))
    two = db.query("SELECT action_intent_id, COUNT(*) FROM execution_attempts WHERE tenant_id = ? "
                   "GROUP BY action_intent_id HAVING COUNT(*) > 1", (tenant,))
    check(not two, "%s: no intent has two attempts (%s)" % (tenant, two[:5]))
    approved = db.scalar("SELECT COUNT(*) FROM intents WHERE tenant_id = ? AND approval IS NOT NULL",
                         (tenant,))
    with_outcome = db.scalar(
        "SELECT COUNT(*) FROM intents i JOIN action_outcomes o ON o.tenant_id = i.tenant_id AND "
        "o.action_intent_id = i.action_intent_id WHERE i.tenant_id = ? AND i.approval IS NOT NULL",
        (tenant,))
    outcomes = db.scalar("SELECT COUNT(*) FROM action_outcomes WHERE tenant_id = ?", (tenant,))
    check(approved == with_outcome == outcomes,
          "%s: every approved intent has one outcome and no other has one (%s approved, %s with "
          "an outcome, %s outcomes)" % (tenant, approved, with_outcome, outcomes))
    mismatch = db.scalar(
        "SELECT COUNT(*) FROM intents i LEFT JOIN action_outcomes o ON o.tenant_id = i.tenant_id "
        "AND o.action_intent_id = i.action_intent_id WHERE i.tenant_id = ? AND "
        "((i.status = 'SUCCEEDED') <> (COALESCE(o.status, '') = 'SUCCEEDED'))", (tenant,))
    check(mismatch == 0, "%s: intent status SUCCEEDED exactly when its outcome is (%s differ)" %
          (tenant, mismatch))
    tasks = db.scalar("SELECT COUNT(*) FROM internal_objects WHERE tenant_id = ? AND kind = 'task'",
                      (tenant,))
    done = db.scalar("SELECT COUNT(*) FROM action_outcomes WHERE tenant_id = ? AND status = "
                     "'SUCCEEDED' AND action_type = 'CREATE_INTERNAL_TASK'", (tenant,))
    check(tasks == done, "%s: one internal task per succeeded CREATE_INTERNAL_TASK (%s tasks, %s "
          "outcomes)" % (tenant, tasks, done))


def check_jobs(db, tenant):
    active = db.scalar("SELECT COUNT(*) FROM jobs WHERE tenant_id = ? AND status IN "
                       "('PENDING', 'RUNNING')", (tenant,))
    counter = db.scalar("SELECT active FROM job_backlog WHERE tenant_id = ?", (tenant,)) or 0
    check(active == counter, "%s: job_backlog.active %s equals the %s active jobs" %
          (tenant, counter, active))
    dead = db.query("SELECT type, last_error FROM jobs WHERE tenant_id = ? AND status NOT IN "
                    "('PENDING', 'RUNNING')", (tenant,))
    check(not dead, "%s: no dead-lettered job (%s)" % (tenant, dead[:3]))


def check_expect(db, tenants, prefix, expect, slack):
    """Counts over all the run's tenants."""
    like = prefix + "%"
    names = tuple(tenants)
    within = "tenant_id IN (%s)" % ",".join("?" * len(names))
    got = {
        "created": db.scalar("SELECT COUNT(*) FROM intents WHERE %s AND action_intent_id LIKE ?"
                             % within, names + (like,)),
        "auto": db.scalar("SELECT COUNT(*) FROM intents WHERE %s AND action_intent_id LIKE ? AND "
                          "approval LIKE '%%\"source\":\"POLICY\"%%'" % within, names + (like,)),
        "approved": db.scalar("SELECT COUNT(*) FROM intents WHERE %s AND action_intent_id LIKE ? "
                              "AND approval LIKE '%%\"source\":\"HUMAN\"%%'" % within,
                              names + (like,)),
        "triggers": db.scalar("SELECT COUNT(*) FROM decision_reservations WHERE %s AND "
                              "idempotency_key LIKE ?" % within, names + (like,)),
    }
    tenant = "all %d tenants" % len(names)
    # Requests still in flight when wrk stops were committed but never counted: the store may
    # hold up to `slack` (wrk's connections) more than was acknowledged, never fewer.
    extra = 0
    for key, want in expect.items():
        have = got.get(key)
        if key != "auto":  # auto-approved intents are a subset of the created ones
            extra += have - want
        check(0 <= have - want <= slack, "%s: %s %s in the store, %s acknowledged by the client "
              "(at most %d unacknowledged in flight)" % (tenant, have, key, want, slack))
    check(extra <= slack, "%s: %d committed but unacknowledged requests <= %d connections" %
          (tenant, extra, slack))


def check_acked(api_for, path):
    records = [json.loads(line) for line in open(path) if line.strip()]
    by_kind = {}
    for r in records:
        by_kind.setdefault(r["kind"], []).append(r)
    lost = []
    wrong = []
    for r in records:
        api = api_for(r["tenant"])
        if r["kind"] in ("intent", "approve"):
            status, body = api.get_json("/v1/intents/" + r["id"])
            if status != 200:
                lost.append((r["kind"], r["id"], status))
                continue
            source = (body.get("approval") or {}).get("source")
            if r["kind"] == "approve" and source != "HUMAN":
                wrong.append(("approve", r["id"], body.get("status"), source))
            if r["kind"] == "intent" and r.get("gate") == "AUTO_EXECUTED" and source != "POLICY":
                wrong.append(("auto", r["id"], body.get("status"), source))
            if r["kind"] == "intent" and r.get("gate") == "REQUIRE_APPROVAL" and source == "POLICY":
                wrong.append(("require-approval became auto", r["id"]))
        elif r["kind"] == "trigger":
            status, body = api.get_json("/v1/decisions/idempotency/" + urllib.parse.quote(r["id"]))
            if status != 200:
                lost.append(("trigger", r["id"], status))
            elif r.get("result") and body.get("result", {}).get("result") != r["result"] \
                    and r["result"] != "SKIP":
                wrong.append(("trigger", r["id"], r["result"], body.get("result")))
        elif r["kind"] == "export":
            deadline = time.time() + 120
            while True:
                status, body = api.get_json("/v1/autonomy/audit/exports/" + r["id"])
                if status != 200 or body.get("status") in ("COMPLETED", "FAILED") \
                        or time.time() > deadline:
                    break
                time.sleep(0.5)
            if status != 200:
                lost.append(("export", r["id"], status))
            elif body.get("status") != "COMPLETED":
                wrong.append(("export", r["id"], body.get("status"), body.get("error_message")))
            else:
                u = urllib.parse.urlparse(body["presigned_url"])
                st, data = api.get(u.path + "?" + u.query, auth=False)
                if st != 200 or hashlib.sha256(data).hexdigest() != body.get("sha256"):
                    wrong.append(("export download", r["id"], st, len(data), body.get("sha256")))
    counts = ", ".join("%d %s" % (len(v), k) for k, v in sorted(by_kind.items()))
    check(not lost, "every acknowledged request exists (%s; lost: %s)" % (counts, lost[:10]))
    check(not wrong, "every acknowledged request has what was acknowledged (%s)" % wrong[:10])
    return len(records)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True, help="a node's base URL")
    ap.add_argument("--tenant", action="append", default=[], help="NAME=ADMIN_TOKEN")
    ap.add_argument("--sqlite")
    ap.add_argument("--pg")
    ap.add_argument("--acked")
    ap.add_argument("--prefix", help="id prefix of the run (for --expect)")
    ap.add_argument("--expect", action="append", default=[], help="created|auto|approved|triggers=N")
    ap.add_argument("--slack", type=int, default=0,
                    help="requests that may have been in flight when the client stopped")
    ap.add_argument("--drain-timeout", type=float, default=120)
    args = ap.parse_args()
    db = Db(args.sqlite, args.pg)
    tenants = dict(t.split("=", 1) for t in args.tenant)
    apis = {name: Api(args.base, token) for name, token in tenants.items()}
    drain(db, tenants, args.drain_timeout)
    for name, api in apis.items():
        check_ledger(db, api, name)
        check_budgets(db, api, name)
        check_outcomes(db, name)
        check_jobs(db, name)
    if args.expect:
        check_expect(db, tenants, args.prefix,
                     {k: int(v) for k, v in (e.split("=") for e in args.expect)}, args.slack)
    if args.acked:
        n = check_acked(lambda t: apis[t], args.acked)
        print("ACKED_CHECKED %d" % n)
    print("%d passed, %d failed" % (PASSED, FAILED))
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
