#pragma once
// The PostgreSQL backend of store::Store, for many nodes sharing one database (SPEC §2).
//
// Writes: Store::Write runs its closure in BEGIN ISOLATION LEVEL SERIALIZABLE … COMMIT on a
// pooled connection. Serializable isolation makes every invariant the services keep with
// read-then-write closures (budgets, reservations, one outcome per execution, ledger heads) hold
// across nodes without further locks: a conflicting interleaving aborts one transaction with
// SQLSTATE 40001, and the closure is re-run (the Store contract allows it). A closure is re-run
// transparently, with a small randomized backoff, when its transaction hit a serialization
// failure (40001), a deadlock (40P01), or a lost connection before COMMIT was sent, for up to
// 10 s (at most 200 re-runs); after that Write returns Unavailable. A connection lost while
// COMMIT was in flight leaves the outcome unknown: Write returns Unavailable without re-running.
// A unique violation (23505) that fails the closure is re-run a few times too: under
// serializable isolation it is how PostgreSQL reports a concurrent insert of a key this
// transaction chose without reading it (the first ledger entry of a tenant, for example); a
// genuine duplicate fails again the same way.
//
// Hot spots: a closure names the rows every writer of something updates with Txn::SerializeOn
// (the ledger does, for a tenant's chain head). Re-runs of a closure that conflicted first take a
// session advisory lock per key (pg_advisory_lock, before BEGIN, so the snapshot follows the
// previous holder's commit), and for 2 s after a conflict on a key (or after a re-run found its
// lock taken) a first attempt that names it stops there and re-runs holding the lock. Writers of
// one tenant then queue instead of failing each other: with 16 concurrent writers, runs that
// waited for the head only to fail fell from ~70 to ~1 per 100 commits
// (store_conformance_test, ContendedWritersQueueInsteadOfFailing), and the two-node load test's
// latency from seconds to a p99 near 120 ms (docs/RELIABILITY.md, "Load").
//
// Statement failures: on SQLite a failed statement undoes only itself and the closure may go
// on; on PostgreSQL it aborts the whole transaction. To keep SQLite's semantics without paying
// for it on every statement, a closure that issues a statement after a failed one (or returns OK
// after one) is rolled back and re-run with each statement inside its own SAVEPOINT.
//
// Reads: Store::Read runs its closure in BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY (one
// snapshot); re-run on a lost connection.
//
// Connections: one pool of at most StoreOptions::pool_size (default 8) connections shared by
// reads and writes, opened lazily; a caller waits for a free one. Statements are prepared once
// per connection (see connection.h).
//
// StoreOptions: pool_size bounds the pool; durability and max_batch are SQLite settings (the
// server's own synchronous_commit decides durability; there is no group commit to size).
//
// Migrations: applied at open, one transaction each, under pg_advisory_xact_lock so nodes
// starting together apply each migration once; a database newer than the binary refuses to
// open.
//
// Thread-safety: the store is thread-safe; a Txn is used by the thread running its closure.

#include <memory>
#include <string>

#include "store/store.h"

namespace steward::store {

// Opens the database at `url` (postgresql://user@host:port/db?…, any libpq URI) and applies
// pending migrations. Errors: Unavailable when the server cannot be reached, the schema is newer
// than this binary, or a migration fails.
Result<std::unique_ptr<Store>> OpenPostgres(const std::string& url, const StoreOptions& options);

}  // namespace steward::store
