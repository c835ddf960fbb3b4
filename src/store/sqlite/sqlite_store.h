#pragma once
// The SQLite backend of store::Store (WAL mode, foreign keys on).
//
// Writes: one writer connection owned by one writer thread. Concurrent Store::Write calls queue;
// the writer takes up to max_batch of them, runs each closure in its own SAVEPOINT inside one
// BEGIN IMMEDIATE … COMMIT, and pays one fsync (synchronous=FULL) for the whole batch (group
// commit). A closure that fails rolls back to its savepoint only. Callers wake when the batch is
// durable. A second writer connection would add nothing (SQLite has one writer) and starve.
//
// Reads: a pool of read-only connections, each a WAL snapshot for the duration of the closure.

#include <memory>
#include <string>

#include "store/store.h"

namespace steward::store {

// Opens (creating if needed) the database file at `path` and applies migrations.
Result<std::unique_ptr<Store>> OpenSqlite(const std::string& path, const StoreOptions& options);

}  // namespace steward::store
