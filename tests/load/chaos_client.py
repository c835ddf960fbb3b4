#!/usr/bin/env python3
"""A client for the chaos runs (docs/RELIABILITY.md, "Chaos") that records every acknowledged
request, so that after the run every one of them can be looked up (invariants.py --acked).

Threads send, against the nodes given with --url (round robin; a connection error moves to the
next node), a mix of:
  intent   POST /v1/intents with the gate, client-chosen id, on acct-b0..7 (budgets) and
           acct-h0..3 (no budget: REQUIRE_APPROVAL)                                    50%
  trigger  POST /v1/decisions/triggers, client-chosen idempotency key                  25%
  approve  POST /v1/intents/{id}/approve of an acknowledged REQUIRE_APPROVAL intent    15%
  read     GET /v1/intents?limit=20                                                     8%
  export   POST /v1/autonomy/audit/exports (json, today)                                2%
A request whose answer is lost (connection refused/reset, timeout: the node was killed) is sent
again with the same content for up to --retry-for seconds, as a careful client would: intents and
triggers are idempotent by their id/key, so a repeat of a committed one answers 200 / SKIP
DUPLICATE. An approval repeated after a lost answer may get 409 (it had committed), and an export
is not repeated (it has no client id): neither is then recorded as acknowledged.

Every 2xx is recorded in --out as one JSON line {kind, tenant, id, gate?, result?, t}; every
answer in --timeline as "t kind status" (t in seconds since the start). Runs for --duration
seconds or until --stop-file exists. Prints "CHAOS_CLIENT key=value …" at the end.
"""
import argparse
import collections
import http.client
import json
import os
import random
import threading
import time
import urllib.parse

BUDGET_ACCOUNTS = 8
HUMAN_ACCOUNTS = 4


class Client:
    def __init__(self, args):
        self.args = args
        self.nodes = [urllib.parse.urlparse(u) for u in args.url]
        self.lock = threading.Lock()
        self.acked = []
        self.statuses = collections.Counter()
        self.conn_errors = 0
        self.retried_ok = 0
        self.gave_up = 0
        self.pending_approvals = collections.deque()
        self.start = time.time()
        self.stop = threading.Event()
        self.timeline = open(args.timeline, "w") if args.timeline else None
        self.counter = 0

    def next_n(self):
        with self.lock:
            self.counter += 1
            return self.counter

    def note(self, kind, status):
        with self.lock:
            self.statuses["%s_%s" % (kind, status)] += 1
            if self.timeline:
                self.timeline.write("%.2f %s %s\n" % (time.time() - self.start, kind, status))

    def ack(self, rec):
        rec["tenant"] = self.args.tenant
        rec["t"] = round(time.time() - self.start, 2)
        with self.lock:
            self.acked.append(rec)

    def send(self, worker, kind, method, path, token, body, retry):
        """Returns (status, json body, an answer was lost before), or (None, None, True) when
        no answer came within --retry-for (or at once when `retry` is false)."""
        data = json.dumps(body) if body is not None else None
        headers = {"Authorization": "Bearer " + token}
        if data is not None:
            headers["Content-Type"] = "application/json"
        deadline = time.time() + self.args.retry_for
        lost_before = False
        while not self.stop.is_set() or lost_before:
            node = self.nodes[worker["node"] % len(self.nodes)]
            try:
                if worker.get("conn") is None:
                    worker["conn"] = http.client.HTTPConnection(node.hostname, node.port,
                                                                timeout=self.args.timeout)
                c = worker["conn"]
                c.request(method, path, body=data, headers=headers)
                r = c.getresponse()
                raw = r.read()
                self.note(kind, r.status)
                if lost_before and 200 <= r.status < 300:
                    with self.lock:
                        self.retried_ok += 1
                try:
                    parsed = json.loads(raw) if raw else {}
                except ValueError:
                    parsed = {}
                return r.status, parsed, lost_before
            except (OSError, http.client.HTTPException):
                with self.lock:
                    self.conn_errors += 1
                if worker.get("conn") is not None:
                    worker["conn"].close()
                worker["conn"] = None
                worker["node"] += 1  # fail over to the next node
                if not retry or time.time() > deadline:
                    with self.lock:
                        self.gave_up += 1
                    return None, None, True
                lost_before = True
                time.sleep(0.2)
        return None, None, lost_before

    def op_intent(self, w, n):
        a = self.args
        if n % 2 == 0:
            acct = "acct-b%d" % ((n // 2) % BUDGET_ACCOUNTS)
        else:
            acct = "acct-h%d" % (n % HUMAN_ACCOUNTS)
        iid = "%s-i%d" % (a.prefix, n)
        body = {"action_intent_id": iid, "account_id": acct, "action_type": "CREATE_INTERNAL_TASK",
                "parameters": {"title": "chaos %d" % n}, "confidence_score": 0.9}
        status, resp, _ = self.send(w, "intent", "POST", "/v1/intents", a.agent, body, True)
        if status in (200, 201):
            gate = (resp.get("gate") or {}).get("result") or \
                (resp.get("intent", {}).get("gate") or {}).get("result")
            self.ack({"kind": "intent", "id": iid, "gate": gate})
            if resp.get("intent", {}).get("status") == "AWAITING_APPROVAL":
                with self.lock:
                    self.pending_approvals.append((iid, acct))

    def op_trigger(self, w, n):
        a = self.args
        key = "%s-k%d" % (a.prefix, n)
        body = {"account_id": "acct-d%d" % (n % 50),
                "trigger_type": "SIGNAL_ARRIVED" if n % 3 else "LIFECYCLE_STATE_CHANGE",
                "idempotency_key": key}
        status, resp, lost = self.send(w, "trigger", "POST", "/v1/decisions/triggers", a.agent, body,
                                       True)
        if status == 200:
            result = resp.get("result")
            if result == "SKIP" and resp.get("reason") == "DUPLICATE":
                # A repeat after a lost answer: the first evaluation's answer is the one kept.
                result = (resp.get("original") or {}).get("result")
            self.ack({"kind": "trigger", "id": key, "result": result})

    def op_approve(self, w, n):
        with self.lock:
            item = self.pending_approvals.popleft() if self.pending_approvals else None
        if item is None:
            return self.op_read(w, n)
        iid, acct = item
        status, _, _ = self.send(w, "approve", "POST", "/v1/intents/%s/approve" % iid,
                                 self.args.approver, {"account_id": acct}, True)
        if status == 200:
            self.ack({"kind": "approve", "id": iid})

    def op_read(self, w, n):
        self.send(w, "read", "GET", "/v1/intents?limit=20", self.args.admin, None, True)

    def op_export(self, w, n):
        today = time.strftime("%Y-%m-%d", time.gmtime())
        body = {"from": today, "to": today, "format": "json"}
        status, resp, _ = self.send(w, "export", "POST", "/v1/autonomy/audit/exports",
                                    self.args.admin, body, False)
        if status == 202 and resp.get("export_id"):
            self.ack({"kind": "export", "id": resp["export_id"]})

    def worker(self, index):
        w = {"node": index, "conn": None}
        rng = random.Random(index)
        ops = [(50, self.op_intent), (25, self.op_trigger), (15, self.op_approve),
               (8, self.op_read), (2, self.op_export)]
        if self.args.no_exports:
            ops = ops[:-1]
        total = sum(weight for weight, _ in ops)
        while not self.stop.is_set():
            pick = rng.uniform(0, total)
            for weight, op in ops:
                pick -= weight
                if pick <= 0:
                    break
            op(w, self.next_n())
            if self.args.pause:
                time.sleep(self.args.pause)

    def run(self):
        threads = [threading.Thread(target=self.worker, args=(i,)) for i in range(self.args.threads)]
        for t in threads:
            t.start()
        end = time.time() + self.args.duration
        while time.time() < end:
            if self.args.stop_file and os.path.exists(self.args.stop_file):
                break
            time.sleep(0.1)
        self.stop.set()
        for t in threads:
            t.join()
        with open(self.args.out, "w") as f:
            for rec in self.acked:
                f.write(json.dumps(rec) + "\n")
        if self.timeline:
            self.timeline.close()
        kinds = collections.Counter(r["kind"] for r in self.acked)
        parts = ["acked=%d" % len(self.acked)]
        parts += ["acked_%s=%d" % (k, v) for k, v in sorted(kinds.items())]
        parts += ["conn_errors=%d" % self.conn_errors, "retried_ok=%d" % self.retried_ok,
                  "gave_up=%d" % self.gave_up]
        parts += ["%s=%d" % (k, v) for k, v in sorted(self.statuses.items())]
        s5 = sum(v for k, v in self.statuses.items() if k.rsplit("_", 1)[1].startswith("5"))
        s500 = sum(v for k, v in self.statuses.items() if k.endswith("_500"))
        parts += ["status_5xx=%d" % s5, "status_500=%d" % s500]
        print("CHAOS_CLIENT " + " ".join(parts), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", action="append", required=True)
    ap.add_argument("--tenant", required=True)
    ap.add_argument("--agent", required=True)
    ap.add_argument("--approver", required=True)
    ap.add_argument("--admin", required=True)
    ap.add_argument("--prefix", required=True, help="prefix of intent ids and trigger keys")
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--stop-file")
    ap.add_argument("--out", required=True)
    ap.add_argument("--timeline")
    ap.add_argument("--timeout", type=float, default=15)
    ap.add_argument("--retry-for", type=float, default=30)
    ap.add_argument("--pause", type=float, default=0)
    ap.add_argument("--no-exports", action="store_true")
    Client(ap.parse_args()).run()


if __name__ == "__main__":
    main()
