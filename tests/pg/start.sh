#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for tests and prints its URL on stdout (one line):
#   postgresql://postgres@127.0.0.1:PORT/postgres
#
# Usage: tests/pg/start.sh [STATE_FILE]
# The cluster lives in a fresh mktemp directory (trust authentication, listening on 127.0.0.1 on
# a free port only, unix socket inside the directory, fsync off). STATE_FILE (default
# DIR/state) receives shell assignments PG_DIR, PG_PID, PG_PORT, PG_URL, PG_BIN for stop.sh.
# Opt-in: STEWARD_PG_DURABLE=1 starts it with the server's durable defaults instead (fsync,
# synchronous_commit and full_page_writes on), as the benchmarks do (bench/pg/run.sh).
# Run as root, the server runs as the `postgres` OS user (runuser); otherwise as the caller.
# If PostgreSQL cannot start, this says so loudly on stderr and exits non-zero: never a silent skip.
set -euo pipefail

DIR=""
AS=()
die() {
  # Leave nothing behind: a half-started server is stopped and its directory removed.
  if [ -n "$DIR" ] && [ -d "$DIR" ]; then
    if [ -f "$DIR/data/postmaster.pid" ] && [ -n "${BIN:-}" ]; then
      "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$DIR"
  fi
  echo "" >&2
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
  echo "!! tests/pg/start.sh: PostgreSQL could not be started: $*" >&2
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
  exit 1
}

find_bin() {
  if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/initdb" ]; then echo "$PG_BIN"; return; fi
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return; fi
  done
  if command -v pg_config >/dev/null 2>&1; then
    d=$(pg_config --bindir)
    if [ -x "$d/initdb" ]; then echo "$d"; return; fi
  fi
  return 1
}

free_port() {
  python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

BIN=$(find_bin) || die "initdb/pg_ctl not found (install the Debian package postgresql: make deps)"
command -v python3 >/dev/null 2>&1 || die "python3 is needed to pick a free port"

if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || die "the OS user 'postgres' does not exist (install postgresql)"
  AS=(runuser -u postgres --)
fi

DIR=$(mktemp -d "${TMPDIR:-/tmp}/steward-pg.XXXXXX") || { DIR=""; die "mktemp failed"; }
chmod 700 "$DIR"
if [ "$(id -u)" = 0 ]; then chown postgres: "$DIR"; fi
STATE=${1:-$DIR/state}

if ! "${AS[@]}" "$BIN/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 \
      --no-sync >"$DIR/initdb.log" 2>&1; then
  cat "$DIR/initdb.log" >&2 || true
  die "initdb failed in $DIR (log above)"
fi

DURABILITY="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if [ "${STEWARD_PG_DURABLE:-0}" = 1 ]; then
  DURABILITY="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
fi

# A port can be taken between choosing and binding it: try a few.
started=0
for attempt in 1 2 3 4 5; do
  PORT=$(free_port)
  if "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
       -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR $DURABILITY -c max_connections=300" \
       start >"$DIR/pg_ctl.log" 2>&1; then
    started=1
    break
  fi
  if ! grep -qi "address already in use\|could not bind" "$DIR/server.log" 2>/dev/null; then break; fi
done
if [ "$started" != 1 ]; then
  cat "$DIR/pg_ctl.log" "$DIR/server.log" >&2 2>/dev/null || true
  die "pg_ctl start failed in $DIR (logs above)"
fi

PID=$(head -n 1 "$DIR/data/postmaster.pid")
URL="postgresql://postgres@127.0.0.1:$PORT/postgres"
if command -v psql >/dev/null 2>&1; then
  psql "$URL" -qAtc "SELECT 1" >/dev/null 2>&1 || die "the server started (pid $PID) but does not answer at $URL"
fi

cat >"$STATE" <<STATE_EOF
PG_DIR='$DIR'
PG_PID='$PID'
PG_PORT='$PORT'
PG_URL='$URL'
PG_BIN='$BIN'
STATE_EOF
if [ "$STATE" != "$DIR/state" ]; then cp "$STATE" "$DIR/state"; fi
echo "$PID" >"$DIR/pid"
echo "tests/pg/start.sh: PostgreSQL pid $PID in $DIR at $URL (stop: tests/pg/stop.sh $STATE)" >&2
echo "$URL"
