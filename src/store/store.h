#pragma once
// The Store: every record of Steward lives here (SPEC §2). One interface, two backends chosen by
// URL scheme: "sqlite:///path/steward.db" (embedded default) and "postgresql://…".
//
// Transactions are closures. Store::Write(fn) runs `fn` inside one read-write transaction and
// returns only once that transaction is durably committed (or rolled back). The closure form is
// what makes group commit possible (the SQLite backend runs many closures inside one database
// transaction and pays one fsync for the batch; after a failed closure it re-runs the ones whose
// writes the rollback took, each in its own savepoint) and lets the PostgreSQL backend retry a
// closure transparently after a serialization failure.
//
// Contract for closures:
//  - `fn` returning OK commits its writes; returning an error rolls back everything it wrote and
//    Write returns that error. Expected outcomes (a budget exceeded) are values the closure hands
//    out through its captures, with OK.
//  - `fn` may run more than once (backend retries). It must not have effects outside the
//    transaction; assign its captured outputs afresh on each run.
//  - `fn` must not call Store::Write or Store::Read (no nesting).
//
// SQL is the portable subset of SQLite and PostgreSQL: `?` placeholders (translated to $n by the
// PostgreSQL backend), INSERT … ON CONFLICT, RETURNING, BIGINT/TEXT/DOUBLE PRECISION columns.
// Booleans are integers 0/1, instants are int64 milliseconds since the epoch, JSON is TEXT.
//
// Thread-safety: Store is thread-safe; a Txn is used only by the thread running its closure.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace steward::store {

struct Null {
  bool operator==(const Null&) const = default;
};
// A text parameter that refers to the caller's string instead of copying it; the string must
// outlive the call that runs the statement (Exec, Query, …). For the large or many texts of the
// hot write paths (a ledger entry's data and hashes). Never a column value.
struct TextRef {
  std::string_view text;
  bool operator==(const TextRef&) const = default;
};

// A parameter or column value.
using Value = std::variant<Null, int64_t, double, std::string, TextRef>;

// Helpers for optional parameters.
inline Value OptText(const std::optional<std::string>& v) {
  return v ? Value(*v) : Value(Null{});
}
inline Value TextOrNull(const std::string& v) { return v.empty() ? Value(Null{}) : Value(v); }
// TextRef forms of the above (no temporaries: the string must outlive the statement).
inline Value Ref(const std::string& v) { return TextRef{v}; }
Value Ref(const std::string&&) = delete;
inline Value RefOrNull(const std::string& v) { return v.empty() ? Value(Null{}) : Ref(v); }
Value RefOrNull(const std::string&&) = delete;

// One result row. Column access by index; Int/Real/Text on NULL return 0 / 0.0 / "".
class Row {
 public:
  Row() = default;
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  size_t size() const { return values_.size(); }
  bool IsNull(size_t i) const { return std::holds_alternative<Null>(values_.at(i)); }
  int64_t Int(size_t i) const;
  double Real(size_t i) const;
  std::string Text(size_t i) const;
  // A view of a text column ("" for NULL or a number); valid as long as the row.
  std::string_view TextView(size_t i) const;
  std::optional<std::string> OptText(size_t i) const;
  std::optional<int64_t> OptInt(size_t i) const;
  std::optional<double> OptReal(size_t i) const;
  const Value& at(size_t i) const { return values_.at(i); }

 private:
  std::vector<Value> values_;
};

using Params = std::initializer_list<Value>;

class Txn {
 public:
  virtual ~Txn() = default;
  // Executes one statement; returns the number of rows it changed.
  virtual Result<int64_t> Exec(std::string_view sql, Params params = {}) = 0;
  virtual Result<int64_t> ExecV(std::string_view sql, const std::vector<Value>& params) = 0;
  // Runs a query and returns all its rows.
  virtual Result<std::vector<Row>> Query(std::string_view sql, Params params = {}) = 0;
  virtual Result<std::vector<Row>> QueryV(std::string_view sql,
                                          const std::vector<Value>& params) = 0;
  // Streams rows to `fn` one at a time (bounded memory); `fn` returns false to stop.
  virtual Status ForEach(std::string_view sql, const std::vector<Value>& params,
                         const std::function<bool(const Row&)>& fn) = 0;
  // The first row, or nullopt.
  Result<std::optional<Row>> QueryOne(std::string_view sql, Params params = {});
  // Runs `insert` (one INSERT of one row, which may end in ON CONFLICT … DO NOTHING, without
  // RETURNING) and returns the new row's `id_column`, or nullopt when nothing was inserted.
  // `id_column` must be the table's INTEGER PRIMARY KEY: on SQLite it is read back with
  // last_insert_rowid(), which is cheaper than RETURNING (SQLite runs a RETURNING statement to
  // completion into a temporary table first); elsewhere the statement gets RETURNING id_column.
  Result<std::optional<int64_t>> InsertId(std::string_view insert, const std::vector<Value>& params,
                                          std::string_view id_column);
  // True inside Store::Write.
  virtual bool writable() const = 0;
  // The backend running the transaction, as Store::backend(): "sqlite" or "postgresql", for the
  // few statements that need a backend-specific clause (FOR UPDATE on PostgreSQL). The default
  // is SQLite's, whose transaction class does not override it.
  virtual std::string_view backend() const { return "sqlite"; }
  // Signals `channel` to the store's subscribers (Store::Subscribe) once this transaction
  // commits — on every node sharing the database (PostgreSQL: NOTIFY) — and never if it rolls
  // back. Signals carry no data and coalesce; subscribers re-read the store. `channel` is
  // lower-case letters, digits and '_'. Read transactions ignore it.
  virtual void NotifyOnCommit(std::string_view channel) = 0;
  // Names a hot spot this transaction writes — a row every writer of `key` updates, such as a
  // tenant's ledger head. A backend with optimistic concurrency (PostgreSQL) that has to re-run
  // the closure after a conflict first takes a lock on each key it was given, so the re-runs of
  // conflicting closures queue instead of failing each other again and again. Advisory: it
  // never changes what commits. SQLite ignores it (one writer).
  virtual void SerializeOn(std::string_view key) { (void)key; }
};

enum class Durability {
  kFull,     // a commit survives power loss (SQLite synchronous=FULL). Default.
  kProcess,  // a commit survives a process crash, not power loss (SQLite synchronous=NORMAL).
};

struct StoreOptions {
  Durability durability = Durability::kFull;
  // SQLite: most closures committed together in one transaction (group commit).
  int max_batch = 256;
  // Readers kept open (SQLite WAL readers; PostgreSQL pool size).
  int pool_size = 8;
  // SQLite: WAL frames not yet copied into the database at which the checkpointer copies them.
  int checkpoint_pages = 250;
  // SQLite: WAL length, in frames, at which the store makes the WAL start over even while the
  // writer never pauses (sqlite_store.cc, OnWalCommit): it bounds the WAL file at about this many
  // pages under sustained load. Under light load the WAL starts over after each checkpoint.
  int wal_restart_pages = 32000;
};

class Store {
 public:
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  virtual ~Store() = default;

  // Runs `fn` in a read-write transaction; returns once committed durably. See the file comment.
  virtual Status Write(const std::function<Status(Txn&)>& fn) = 0;
  // Write without holding the caller's thread: runs `fn` as Write does and calls `done` once with
  // Write's result. Where async_writes() (SQLite), WriteAsync returns at once and `done` runs on
  // a store thread once the commit is durable: it must be quick (hand the result to another
  // thread) and must not call the store. Elsewhere (the default) it is Write on the calling
  // thread, then `done`.
  virtual void WriteAsync(std::function<Status(Txn&)> fn, std::function<void(Status)> done) {
    done(Write(fn));
  }
  // True when WriteAsync returns before the write has committed.
  virtual bool async_writes() const { return false; }
  // Runs `fn` in a read-only snapshot of committed data.
  virtual Status Read(const std::function<Status(Txn&)>& fn) = 0;
  // "sqlite" or "postgresql".
  virtual std::string_view backend() const = 0;
  // The schema version applied, and the newest this binary knows.
  virtual Result<int> SchemaVersion() = 0;
  // Calls `fn` after commits that notified `channel` (Txn::NotifyOnCommit), on this node and,
  // on PostgreSQL, on every other node (LISTEN/NOTIFY), and also after a lost listening
  // connection is back (signals may have been missed meanwhile). `fn` runs on a store thread:
  // it must be quick and must not call the store (wake a thread that does). Returns an id for
  // Unsubscribe. Errors: InvalidArgument for a malformed channel name.
  virtual Result<int64_t> Subscribe(std::string channel, std::function<void()> fn) = 0;
  // Removes a subscription; once it returns, its `fn` is not running and never runs again.
  // Unknown ids are ignored.
  virtual void Unsubscribe(int64_t id) = 0;
  // Commits performed and database transactions (batches) used for them, for metrics.
  virtual int64_t commits() const = 0;
  virtual int64_t batches() const = 0;
  // Times the SQLite backend rolled a batch back after a closure failed and ran the closures
  // before it again (RunBatch); 0 on other backends.
  virtual int64_t batch_reruns() const { return 0; }
  // SQLite: checkpoints run, and times the WAL was started over after a checkpoint copied all of
  // it. 0 on other backends.
  virtual int64_t checkpoints() const { return 0; }
  virtual int64_t wal_restarts() const { return 0; }
};

// Opens the store at `url` and applies pending migrations.
// Errors: InvalidArgument for an unknown scheme or malformed URL; Unavailable when the database
// cannot be opened or migrated.
Result<std::unique_ptr<Store>> Open(const std::string& url, const StoreOptions& options = {});

// Applies migrations only (`steward migrate`); returns the resulting version.
Result<int> Migrate(const std::string& url);

}  // namespace steward::store
