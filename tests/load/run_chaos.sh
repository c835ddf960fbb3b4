#!/usr/bin/env bash
# The chaos runs (docs/RELIABILITY.md, "Chaos"). A recording client (chaos_client.py) keeps
# creating intents (gate on), triggers, approvals and exports while:
#   kill-sqlite  one SQLite node is SIGKILLed KILLS times (default 10) at random moments (every
#                MIN_GAP..MAX_GAP s, default 2..6) and restarted on the same port;
#   kill-pg      two nodes on one PostgreSQL, killed alternately the same way;
#   disk-full    one SQLite node whose data directory is a 48 MiB tmpfs that is filled up, then
#                freed: writes answer 503 (never 500, never a 2xx that was not committed) while
#                nothing can commit, and 2xx again once space is back, with no restart;
#   pg-restart   two nodes on PostgreSQL while the PostgreSQL server is stopped for
#                PG_DOWN seconds (default 5) and started again on the same port: 503 while it is
#                down, /readyz 503, then 2xx again with no node restarted.
# Afterwards, every node up: every acknowledged (2xx) request exists with what was acknowledged,
# budgets are never overspent, no intent has two outcomes, ledgers verify (invariants.py).
# Usage: tests/load/run_chaos.sh MODE   Env: STEWARD_BIN, KILLS, MIN_GAP, MAX_GAP, THREADS (8),
# PG_DOWN, KEEP_WORK.
MODE=${1:?usage: run_chaos.sh kill-sqlite|kill-pg|disk-full|pg-restart}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
source "$ROOT/tests/load/lib.sh"
KILLS=${KILLS:-10}
MIN_GAP=${MIN_GAP:-2}
MAX_GAP=${MAX_GAP:-6}
THREADS=${THREADS:-8}
PG_DOWN=${PG_DOWN:-5}
SMALL_BUDGET=${SMALL_BUDGET:-40}
PREFIX="C$(date +%s)$$"
FAILS=0
failed() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
passed() { echo "ok: $*"; }
DATA=$WORK/data
MNT=""

case "$MODE" in
  kill-sqlite)
    start_node A --data-dir "$DATA" --workers 4
    NODES=(A); DBARGS=(--sqlite "$DATA/steward.db") ;;
  kill-pg|pg-restart)
    start_pg
    start_node A --data-dir "$DATA" --db "$DB_URL" --workers 4
    start_node B --data-dir "$DATA" --db "$DB_URL" --workers 4
    NODES=(A B); DBARGS=(--pg "$DB_URL") ;;
  disk-full)
    [ "$(id -u)" = 0 ] || { echo "disk-full needs root (mount -t tmpfs)" >&2; exit 2; }
    MNT=$WORK/small
    mkdir -p "$MNT"
    mount -t tmpfs -o size=${DISK_MB:-48}m tmpfs "$MNT"
    umount_small() { umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true; }
    trap 'load_cleanup_mnt' EXIT
    load_cleanup_mnt() {
      local p
      for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
      for p in "${NODE_PID[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
      for p in "${NODE_PID[@]}"; do wait "$p" 2>/dev/null || true; done
      umount_small
      load_cleanup
    }
    DATA=$MNT/data
    start_node A --data-dir "$DATA" --workers 2
    NODES=(A); DBARGS=(--sqlite "$DATA/steward.db") ;;
  *) echo "usage: run_chaos.sh kill-sqlite|kill-pg|disk-full|pg-restart" >&2; exit 2 ;;
esac
BASE=$(node_url A)
tok() { "$STEWARD_BIN" token --data-dir "$DATA" ${DB_URL:+--db "$DB_URL"} --ttl 2h "$@"; }
ADMIN=$(tok --tenant chaos-t --role admin --sub chaos-admin)
AGENT=$(tok --tenant chaos-t --role agent --sub chaos-agent)
APPROVER=$(tok --tenant chaos-t --role approver --sub chaos-approver)
setup_tenant "$ADMIN"
URLS=()
for n in "${NODES[@]}"; do URLS+=(--url "$(node_url "$n")"); done
declare -A FIRST_PID
for n in "${NODES[@]}"; do FIRST_PID[$n]=${NODE_PID[$n]}; done

# start_client [extra args]: the recording client in the background until $WORK/stop exists.
start_client() {
  python3 "$ROOT/tests/load/chaos_client.py" "${URLS[@]}" --tenant chaos-t --agent "$AGENT" \
    --approver "$APPROVER" --admin "$ADMIN" --prefix "$PREFIX" --threads "$THREADS" \
    --duration 900 --stop-file "$WORK/stop" --out "$WORK/acked.jsonl" \
    --timeline "$WORK/timeline" "$@" >"$WORK/client.out" 2>"$WORK/client.err" &
  CLIENT_PID=$!
}
stop_client() {
  touch "$WORK/stop"
  wait "$CLIENT_PID" || failed "the client exited with $?: $(tail -3 "$WORK/client.err")"
  cat "$WORK/client.out"
  CLIENT_LINE=$(grep '^CHAOS_CLIENT' "$WORK/client.out" || echo "CHAOS_CLIENT")
}
cget() { echo "$CLIENT_LINE" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }
# probe_write N: one intent creation (gate on) outside the client; prints the HTTP status.
probe_write() {
  curl -s -o "$WORK/probe" -w '%{http_code}' --max-time 30 -X POST "$BASE/v1/intents" \
    -H "Authorization: Bearer $AGENT" -H 'Content-Type: application/json' \
    -d "{\"action_intent_id\":\"$PREFIX-p$1\",\"account_id\":\"acct-h0\",\"action_type\":\"CREATE_INTERNAL_TASK\",\"parameters\":{\"title\":\"probe\"}}" || true
}
# Records an acknowledged probe like the client does, so it is checked with the others.
ack_probe() { echo "{\"kind\":\"intent\",\"tenant\":\"chaos-t\",\"id\":\"$PREFIX-p$1\",\"gate\":\"REQUIRE_APPROVAL\"}" >>"$WORK/probes.jsonl"; }
: >"$WORK/probes.jsonl"

echo "== chaos: $MODE, ${#NODES[@]} node(s), client threads $THREADS, prefix $PREFIX"
KILLED=0
case "$MODE" in
  kill-sqlite|kill-pg)
    start_client
    sleep 2
    for i in $(seq 1 "$KILLS"); do
      sleep "$(awk -v a="$MIN_GAP" -v b="$MAX_GAP" -v s="$RANDOM" 'BEGIN{srand(s); printf "%.2f", a + rand() * (b - a)}')"
      victim=${NODES[$(( (i - 1) % ${#NODES[@]} ))]}
      kill9_node "$victim"
      KILLED=$((KILLED + 1))
      echo "kill $i: node $victim SIGKILLed at $(date +%T.%N | cut -c1-12)"
      sleep 0.$((RANDOM % 10))
      start_node "$victim" || { failed "node $victim did not come back after kill $i"; break; }
    done
    sleep 3
    stop_client
    ;;
  disk-full)
    # A throttled client: the database itself must not fill the small disk before the filler
    # does, or freeing the filler frees nothing.
    start_client --no-exports --pause 0.05
    sleep 3
    # Fill the tmpfs. The database may still have free pages and WAL frames to reuse, so writes
    # can succeed for a while after this: the probes below go on until one is refused.
    dd if=/dev/zero of="$MNT/filler" bs=64k status=none 2>/dev/null || true
    FILLER_KB=$(du -k "$MNT/filler" | cut -f1)
    echo "data dir full: $(df -k "$MNT" | awk 'NR==2{print $4}') KiB free, filler $FILLER_KB KiB"
    [ "$FILLER_KB" -ge 1024 ] || failed "the filler took only $FILLER_KB KiB: the database filled the disk by itself"
    FULL_STATUSES=()
    SAW_503=0
    for i in $(seq 1 200); do
      s=$(probe_write "f$i")
      FULL_STATUSES+=("$s")
      case "$s" in 2??) ack_probe "f$i" ;; esac
      [ "$s" = 503 ] && SAW_503=$((SAW_503 + 1))
      [ "$SAW_503" -ge 5 ] && break
      # Keep the disk full: anything freed by the server (a checkpoint, a deleted temp file) is
      # taken again.
      dd if=/dev/zero of="$MNT/filler2-$i" bs=4k status=none 2>/dev/null || true
      sleep 0.1
    done
    echo "probes while full: $(printf '%s\n' "${FULL_STATUSES[@]}" | sort | uniq -c | tr '\n' ' ')"
    [ "$SAW_503" -ge 1 ] && passed "writes answer 503 while the disk is full" || failed "no 503 while the disk was full"
    BAD=$(printf '%s\n' "${FULL_STATUSES[@]}" | grep -vc '^2..$\|^503$' || true)
    [ "$BAD" = 0 ] && passed "every probe answered 2xx or 503 while full" || failed "$BAD probes answered something else than 2xx/503"
    sleep 3  # the client goes on against the full disk
    curl -s -o /dev/null -w '%{http_code}' "$BASE/readyz" >"$WORK/readyz-full" || true
    echo "readyz while full: $(cat "$WORK/readyz-full")"
    rm -f "$MNT"/filler*
    echo "space freed: $(df -k "$MNT" | awk 'NR==2{print $4}') KiB free; $(cd "$DATA" && du -k steward.db* | tr '\n\t' ', ')"
    RECOVERED=""
    T0=$SECONDS
    for i in $(seq 1 100); do
      s=$(probe_write "r$i")
      case "$s" in 2??) ack_probe "r$i"; RECOVERED=$((SECONDS - T0)); break ;; esac
      sleep 0.2
    done
    [ -n "$RECOVERED" ] && passed "writes succeed again ${RECOVERED}s after space is freed, no restart" \
      || failed "writes still fail after space was freed"
    sleep 3
    stop_client
    ;;
  pg-restart)
    start_client
    sleep 4
    echo "stopping PostgreSQL (fast) for ${PG_DOWN}s"
    pg_ctl_as -m fast -w -t 60 stop >/dev/null
    DOWN_AT=$SECONDS
    DOWN_STATUSES=()
    while [ $((SECONDS - DOWN_AT)) -lt "$PG_DOWN" ]; do
      DOWN_STATUSES+=("$(probe_write "d$SECONDS$RANDOM")")
    done
    READYZ_DOWN=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$BASE/readyz" || true)
    echo "probes while PostgreSQL was down: $(printf '%s\n' "${DOWN_STATUSES[@]}" | sort | uniq -c | tr '\n' ' '); /readyz $READYZ_DOWN"
    BAD=$(printf '%s\n' "${DOWN_STATUSES[@]}" | grep -vc '^503$' || true)
    [ "$BAD" = 0 ] && passed "every write answered 503 while PostgreSQL was down" || failed "$BAD writes answered something else than 503 while PostgreSQL was down"
    [ "$READYZ_DOWN" = 503 ] && passed "/readyz 503 while PostgreSQL is down" || failed "/readyz answered $READYZ_DOWN while PostgreSQL was down"
    pg_ctl_as -l "$PG_DIR/server.log" -w -t 60 -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null
    echo "PostgreSQL started again on port $PG_PORT"
    RECOVERED=""
    T0=$SECONDS
    for i in $(seq 1 100); do
      s=$(probe_write "u$i")
      case "$s" in 2??) ack_probe "u$i"; RECOVERED=$((SECONDS - T0)); break ;; esac
      sleep 0.2
    done
    [ -n "$RECOVERED" ] && passed "writes succeed again ${RECOVERED}s after PostgreSQL is back, no node restarted" \
      || failed "writes still fail after PostgreSQL came back"
    for n in "${NODES[@]}"; do
      s=$(curl -s -o /dev/null -w '%{http_code}' "$(node_url "$n")/readyz" || true)
      [ "$s" = 200 ] && passed "node $n /readyz 200 again" || failed "node $n /readyz $s after PostgreSQL came back"
    done
    sleep 5
    stop_client
    ;;
esac

# --- the nodes never died on their own ------------------------------------------------------------
for n in "${NODES[@]}"; do
  if [ "$KILLED" = 0 ]; then
    [ "${NODE_PID[$n]}" = "${FIRST_PID[$n]}" ] && kill -0 "${NODE_PID[$n]}" 2>/dev/null \
      && passed "node $n ran throughout (no restart)" || failed "node $n died"
  else
    kill -0 "${NODE_PID[$n]}" 2>/dev/null && passed "node $n is up" || failed "node $n is down"
  fi
done
[ "$(cget acked)" -gt 0 ] 2>/dev/null && passed "$(cget acked) requests acknowledged" || failed "nothing acknowledged"
FIVE00=$(cget status_500)
[ "${FIVE00:-0}" = 0 ] && passed "no 500 answered" || failed "$FIVE00 answers were 500"

# --- afterwards, all nodes up: acknowledged requests and invariants ---------------------------------
cat "$WORK/probes.jsonl" >>"$WORK/acked.jsonl"
python3 "$ROOT/tests/load/invariants.py" --base "$BASE" --tenant "chaos-t=$ADMIN" "${DBARGS[@]}" \
  --acked "$WORK/acked.jsonl" --drain-timeout 180 | tee "$WORK/invariants.out" || FAILS=$((FAILS + 1))
if [ "$MODE" = disk-full ]; then
  # What was acknowledged while the disk was full must also survive a crash.
  kill9_node A
  start_node A
  python3 "$ROOT/tests/load/invariants.py" --base "$BASE" --tenant "chaos-t=$ADMIN" "${DBARGS[@]}" \
    --acked "$WORK/acked.jsonl" --drain-timeout 60 >"$WORK/invariants2.out" \
    && passed "after a SIGKILL and restart, still everything acknowledged exists" \
    || { failed "after a SIGKILL and restart:"; grep FAIL "$WORK/invariants2.out"; }
fi
ACKED_CHECKED=$(sed -n 's/^ACKED_CHECKED //p' "$WORK/invariants.out")
echo "CHAOS_SUMMARY mode=$MODE nodes=${#NODES[@]} kills=$KILLED acked_checked=${ACKED_CHECKED:-0} $(echo "$CLIENT_LINE" | cut -d' ' -f2-) failures=$FAILS"
[ "$FAILS" = 0 ]
