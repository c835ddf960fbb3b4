#!/usr/bin/env bash
# Tenant isolation against a real server (SPEC §3): every route the router serves, tried with a
# second tenant's tokens of every role against the first tenant's objects, role escalation,
# tenant ids in unexpected places and re-signed download links. The work is done by
# tests/isolation/isolation_test.py (python3, standard library); see docs/RELIABILITY.md.
source "$(dirname "$0")/lib.sh"

# --durability process: the suite sends thousands of writes and checks isolation, not fsync.
# ISOLATION_DB=postgresql://… runs it on PostgreSQL (e.g. under tests/pg/with_pg.sh with
# ISOLATION_DB=$STEWARD_TEST_PG_URL); the default is SQLite in the test's data directory.
start_server --durability process --log-level warn ${ISOLATION_DB:+--db "$ISOLATION_DB"}
if BASE=$BASE DATA_DIR=$TEST_DIR/data STEWARD_BIN=$STEWARD_BIN TEST_DIR=$TEST_DIR \
   PYTHONDONTWRITEBYTECODE=1 python3 "$(dirname "$0")/../isolation/isolation_test.py"; then
  ok
else
  fail "tenant isolation (details above)"
fi
finish
