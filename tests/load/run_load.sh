#!/usr/bin/env bash
# The load test (docs/RELIABILITY.md, "Load"): the mixed workload of tests/load/mixed.lua for
# DURATION seconds against one node on SQLite, or two nodes on one throwaway PostgreSQL (one wrk
# per node). Passes when:
#   - no 5xx, no non-2xx other than 429 (backpressure), no socket error or timeout;
#   - no request took longer than MAX_MS (default 1000) — wrk's latency max;
#   - each node's RSS grew less than RSS_GROWTH_PCT (default 10) from its warm-up (mean of
#     seconds D/6..D/3) to its end (mean of the last D/6 seconds);
#   - the counts wrk acknowledged equal what the store holds (intents created, auto-approved,
#     approved by a human, trigger reservations), and every invariant of invariants.py holds.
# Usage: tests/load/run_load.sh sqlite|pg     Env: STEWARD_BIN, DURATION (60), CONNECTIONS (16,
# split between the nodes), TENANTS (4: each run of 20 requests goes to the next one), MAX_MS,
# RSS_GROWTH_PCT, SMALL_BUDGET (150), KEEP_WORK.
MODE=${1:?usage: run_load.sh sqlite|pg}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
source "$ROOT/tests/load/lib.sh"
DURATION=${DURATION:-60}
CONNECTIONS=${CONNECTIONS:-16}
TENANTS=${TENANTS:-4}
MAX_MS=${MAX_MS:-1000}
RSS_GROWTH_PCT=${RSS_GROWTH_PCT:-10}
RUN_ID=$(date +%s)$$
FAILS=0
failed() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
passed() { echo "ok: $*"; }

DATA=$WORK/data
case "$MODE" in
  sqlite)
    start_node A --data-dir "$DATA" --workers 4
    NODES=(A)
    DBARGS=(--sqlite "$DATA/steward.db")
    ;;
  pg)
    start_pg
    start_node A --data-dir "$DATA" --db "$DB_URL" --workers 4  # creates the secrets, migrates
    start_node B --data-dir "$DATA" --db "$DB_URL" --workers 4
    NODES=(A B)
    DBARGS=(--pg "$DB_URL")
    ;;
  *) echo "usage: run_load.sh sqlite|pg" >&2; exit 2 ;;
esac
BASE=$(node_url A)
tok() { "$STEWARD_BIN" token --data-dir "$DATA" ${DB_URL:+--db "$DB_URL"} --ttl 2h "$@"; }
ADMINS=""; AGENTS=""; APPROVERS=""; TENANT_ARGS=()
for t in $(seq 1 "$TENANTS"); do
  admin=$(tok --tenant "load-t$t" --role admin --sub load-admin)
  ADMINS+="${ADMINS:+,}$admin"
  AGENTS+="${AGENTS:+,}$(tok --tenant "load-t$t" --role agent --sub load-agent)"
  APPROVERS+="${APPROVERS:+,}$(tok --tenant "load-t$t" --role approver --sub load-approver)"
  TENANT_ARGS+=(--tenant "load-t$t=$admin")
  setup_tenant "$admin"
done

echo "== load: $MODE, ${#NODES[@]} node(s), $TENANTS tenant(s), ${DURATION}s, $CONNECTIONS connections, run $RUN_ID"
for n in "${NODES[@]}"; do
  rss_sampler "${NODE_PID[$n]}" "$WORK/rss-$n" &
  BG_PIDS+=($!)
done
PER_NODE=$((CONNECTIONS / ${#NODES[@]}))
WRK_PIDS=()
i=0
for n in "${NODES[@]}"; do
  # Each wrk gets its own RUN_ID suffix so both nodes' intents have distinct ids.
  AGENT_TOKENS=$AGENTS APPROVER_TOKENS=$APPROVERS ADMIN_TOKENS=$ADMINS RUN_ID="$RUN_ID-$n" \
    wrk -t2 -c"$PER_NODE" -d"${DURATION}s" --timeout 10s -s "$ROOT/tests/load/mixed.lua" \
    "$(node_url "$n")" >"$WORK/wrk-$n.out" 2>"$WORK/wrk-$n.err" &
  WRK_PIDS+=($!)
  i=$((i + 1))
done
for p in "${WRK_PIDS[@]}"; do wait "$p" || failed "wrk exited with $?"; done
for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
BG_PIDS=()

if [ "$MODE" = pg ]; then
  # Serialization failures show up as rollbacks: how much of the work was re-run.
  echo "PostgreSQL: $(psql "$DB_URL" -qAtc "SELECT 'commits=' || xact_commit || ' rollbacks=' || xact_rollback FROM pg_stat_database WHERE datname = current_database()")"
fi

# --- what wrk saw -------------------------------------------------------------------------------
get() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }
sum() {  # sum KEY: over the nodes' MIXED lines
  local total=0 n v
  for n in "${NODES[@]}"; do v=$(get "$1" "$(grep '^MIXED ' "$WORK/wrk-$n.out")"); total=$((total + ${v:-0})); done
  echo $total
}
for n in "${NODES[@]}"; do
  line=$(grep '^MIXED ' "$WORK/wrk-$n.out" || true)
  [ -n "$line" ] || { failed "node $n: wrk printed no result: $(cat "$WORK/wrk-$n.out" "$WORK/wrk-$n.err")"; continue; }
  echo "node $n: $line"
  grep '^MIXED_LAST_ERROR' "$WORK/wrk-$n.out" || true
done
REQUESTS=$(sum requests)
MAX=$(for n in "${NODES[@]}"; do get max_ms "$(grep '^MIXED ' "$WORK/wrk-$n.out")"; done | sort -g | tail -1)
P99=$(for n in "${NODES[@]}"; do get p99_ms "$(grep '^MIXED ' "$WORK/wrk-$n.out")"; done | sort -g | tail -1)
FIVE=$(sum status_5xx)
OTHER=$(sum status_other_non2xx)
R429=$(sum status_429)
SOCK=$(( $(sum sockerr) + $(sum timeouts) ))
[ "$FIVE" = 0 ] && passed "no 5xx in $REQUESTS requests" || failed "$FIVE responses were 5xx"
[ "$OTHER" = 0 ] && passed "no unexpected 4xx ($R429 backpressure 429s)" || failed "$OTHER unexpected non-2xx responses"
[ "$SOCK" = 0 ] && passed "no socket error or timeout" || failed "$SOCK socket errors/timeouts"
awk -v m="$MAX" -v lim="$MAX_MS" 'BEGIN{exit !(m < lim)}' && passed "max latency $MAX ms < $MAX_MS ms" \
  || failed "max latency $MAX ms >= $MAX_MS ms"
[ "$(sum a_200)" -gt 0 ] && passed "$(sum a_200) approvals ran" || failed "no approval ran"
[ "$(sum gate_AUTO_EXECUTED)" -gt 0 ] && passed "$(sum gate_AUTO_EXECUTED) intents auto-executed" || failed "nothing auto-executed"

# --- memory -------------------------------------------------------------------------------------
for n in "${NODES[@]}"; do
  read -r WARM END GROWTH < <(awk -v d="$DURATION" '
    { t[NR] = $1; r[NR] = $2 }
    END {
      lo = d / 6; hi = d / 3; tail = d - d / 6
      for (i = 1; i <= NR; i++) {
        if (t[i] >= lo && t[i] < hi) { ws += r[i]; wn++ }
        if (t[i] >= tail && t[i] <= d) { es += r[i]; en++ }
      }
      if (wn == 0 || en == 0) { print "0 0 999"; exit }
      w = ws / wn / 1024; e = es / en / 1024
      printf "%.1f %.1f %.1f\n", w, e, (e - w) * 100 / w
    }' "$WORK/rss-$n")
  echo "node $n RSS: warm-up $WARM MiB, end $END MiB, growth $GROWTH%"
  awk -v g="$GROWTH" -v lim="$RSS_GROWTH_PCT" 'BEGIN{exit !(g < lim)}' \
    && passed "node $n RSS growth $GROWTH% < $RSS_GROWTH_PCT%" || failed "node $n RSS grew $GROWTH% (warm-up $WARM MiB, end $END MiB)"
done

# --- the store agrees with what was acknowledged; invariants --------------------------------------
CREATED=$(( $(sum c_201) + $(sum c_200) ))
python3 "$ROOT/tests/load/invariants.py" --base "$BASE" "${TENANT_ARGS[@]}" "${DBARGS[@]}" \
  --prefix "L$RUN_ID-" --expect "created=$CREATED" --expect "auto=$(sum gate_AUTO_EXECUTED)" \
  --expect "approved=$(sum a_200)" --expect "triggers=$(sum d_200)" --slack "$CONNECTIONS" --drain-timeout 180 \
  | tee "$WORK/invariants.out" || FAILS=$((FAILS + 1))
for n in "${NODES[@]}"; do
  kill -0 "${NODE_PID[$n]}" 2>/dev/null && passed "node $n still running" || failed "node $n died"
done
echo "LOAD_SUMMARY mode=$MODE nodes=${#NODES[@]} tenants=$TENANTS duration_s=$DURATION requests=$REQUESTS rps=$((REQUESTS / DURATION)) 5xx=$FIVE 429=$R429 max_ms=$MAX p99_ms=$P99 created=$CREATED auto=$(sum gate_AUTO_EXECUTED) approvals=$(sum a_200) triggers=$(sum d_200) failures=$FAILS"
[ "$FAILS" = 0 ]
