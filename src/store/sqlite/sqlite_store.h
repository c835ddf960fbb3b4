#pragma once
// The SQLite backend of store::Store (WAL mode, foreign keys on).
//
// Writes: one writer connection owned by one writer thread. Concurrent Store::Write calls queue;
// the writer takes up to max_batch of them, runs each closure in its own SAVEPOINT inside one
// BEGIN IMMEDIATE … COMMIT (group commit). A closure that fails rolls back to its savepoint only.
// A second writer connection would add nothing (SQLite has one writer) and starve.
//
// Durability (default, Durability::kFull): the writer commits with synchronous=NORMAL and hands
// the batch to a syncer thread, which makes it durable with one fdatasync of the WAL and only
// then answers its callers; meanwhile the writer runs the next batch, so disk and CPU overlap.
// A 2xx therefore still means "on disk", as with synchronous=FULL. A read is answered only once
// every batch its snapshot could hold is durable, so nobody is shown a write a power loss could
// take back. If an fdatasync fails, the store answers 503 to everything until restarted (the
// kernel may have dropped the unsynced pages; restart recovers from what the disk holds).
// Durability::kProcess: synchronous=NORMAL and no sync per commit (survives a process crash,
// not a power loss).
//
// Reads: a pool of read-only connections, each a WAL snapshot for the duration of the closure.

#include <memory>
#include <string>

#include "store/store.h"

namespace steward::store {

// Opens (creating if needed) the database file at `path` and applies migrations.
Result<std::unique_ptr<Store>> OpenSqlite(const std::string& path, const StoreOptions& options);

}  // namespace steward::store
