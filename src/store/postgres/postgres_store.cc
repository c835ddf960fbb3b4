#include "store/postgres/postgres_store.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "store/migrations.h"
#include "store/notifier.h"
#include "store/postgres/connection.h"
#include "store/postgres/signals.h"

namespace steward::store {
namespace {

using postgres::Conn;
using postgres::Failure;
using postgres::SqlCache;

// Re-runs of one closure after serialization failures, deadlocks or lost connections: as many as
// fit in kRetryWindow, at most kMaxRetries. A count alone is not enough: every write transaction
// of a tenant appends to its ledger and so queues on the tenant's ledger head, and each commit
// fails all the transactions that waited for it (their snapshots are stale), so with n writers
// on one tenant a transaction needs about n re-runs on average (measured: 8 threads on one
// tenant's gate exhausted 10 re-runs in 5 of 800 calls).
constexpr int kMaxRetries = 200;
constexpr std::chrono::seconds kRetryWindow{10};
// Re-runs of a closure that failed on a unique violation (see postgres_store.h).
constexpr int kMaxUniqueRetries = 2;
// Randomized backoff before re-run n: uniform in [0, min(kBackoffCap, kBackoffBase * 2^n)), so
// the transactions a commit failed do not all restart at once.
constexpr std::chrono::microseconds kBackoffBase{250};
constexpr std::chrono::microseconds kBackoffCap{20'000};
// How long a caller waits for a free pooled connection.
constexpr std::chrono::seconds kAcquireTimeout{30};
// pg_advisory_xact_lock key that serialises migrations ("STEWARD" in ASCII).
constexpr int64_t kMigrationLockKey = 0x53544557415244;
// Session advisory locks on Txn::SerializeOn keys live in their own space of the two-int4 form
// (first int "STEW"), apart from the migration lock's bigint key.
constexpr std::string_view kTryLockHotSpot =
    "SELECT pg_try_advisory_lock(1398031703, hashtext(?))";
constexpr std::string_view kLockHotSpot = "SELECT pg_advisory_lock(1398031703, hashtext(?))";
constexpr std::string_view kUnlockHotSpots = "SELECT pg_advisory_unlock_all()";
// A key stays hot this long after a conflict on it, or after a re-run found its lock taken;
// while hot, a first attempt that names it stops there and re-runs holding its lock, instead of
// queueing on the contended row only to fail when it gets it.
constexpr std::chrono::milliseconds kHotFor{2000};
// Hot keys remembered at most (one per tenant with concurrent writers); past it, cold ones go.
constexpr size_t kMaxHotKeys = 4096;

// Keys (Txn::SerializeOn) that saw contention recently. Thread-safe.
class HotKeys {
 public:
  void Mark(const std::vector<std::string>& keys) {
    const auto until = std::chrono::steady_clock::now() + kHotFor;
    std::lock_guard<std::mutex> lock(mu_);
    if (hot_until_.size() + keys.size() > kMaxHotKeys) {
      const auto now = std::chrono::steady_clock::now();
      std::erase_if(hot_until_, [&](const auto& kv) { return kv.second < now; });
    }
    for (const std::string& k : keys) {
      if (hot_until_.size() < kMaxHotKeys || hot_until_.count(k)) hot_until_[k] = until;
    }
  }
  bool IsHot(std::string_view key) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = hot_until_.find(std::string(key));
    return it != hot_until_.end() && it->second > std::chrono::steady_clock::now();
  }

 private:
  mutable std::mutex mu_;
  // GUARDED_BY(mu_)
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> hot_until_;
};

constexpr std::string_view kBeginWrite = "BEGIN ISOLATION LEVEL SERIALIZABLE";
constexpr std::string_view kBeginRead = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

void Backoff(int attempt) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  auto cap = std::min<int64_t>(kBackoffCap.count(), kBackoffBase.count() << std::min(attempt, 20));
  std::uniform_int_distribution<int64_t> dist(0, cap);
  std::this_thread::sleep_for(std::chrono::microseconds(dist(rng)));
}

// The transaction handed to a closure. It records what went wrong during the attempt so the
// store can decide between commit, re-run and failure.
class PgTxn final : public Txn {
 public:
  // `held`: the SerializeOn keys whose locks this attempt holds; `hot`: the store's hot keys.
  PgTxn(Conn* conn, bool writable, bool savepoints, const std::vector<std::string>* held,
        const HotKeys* hot)
      : conn_(conn), writable_(writable), savepoints_(savepoints), held_(held), hot_(hot) {}

  Result<int64_t> Exec(std::string_view sql, Params params) override {
    return Run(sql, params.begin(), params.size(), nullptr, false);
  }
  Result<int64_t> ExecV(std::string_view sql, const std::vector<Value>& params) override {
    return Run(sql, params.data(), params.size(), nullptr, false);
  }
  Result<std::vector<Row>> Query(std::string_view sql, Params params) override {
    return Collect(sql, params.begin(), params.size());
  }
  Result<std::vector<Row>> QueryV(std::string_view sql, const std::vector<Value>& params) override {
    return Collect(sql, params.data(), params.size());
  }
  Status ForEach(std::string_view sql, const std::vector<Value>& params,
                 const std::function<bool(const Row&)>& fn) override {
    auto r = Run(sql, params.data(), params.size(), &fn, true);
    return r.ok() ? Status::Ok() : r.status();
  }
  bool writable() const override { return writable_; }
  std::string_view backend() const override { return "postgresql"; }
  void NotifyOnCommit(std::string_view channel) override {
    if (!writable_ || std::find(channels_.begin(), channels_.end(), channel) != channels_.end()) {
      return;
    }
    channels_.emplace_back(channel);
  }
  // The channels to signal once this attempt commits.
  const std::vector<std::string>& channels() const { return channels_; }
  void SerializeOn(std::string_view key) override {
    if (!writable_ || std::find(hot_keys_.begin(), hot_keys_.end(), key) != hot_keys_.end()) {
      return;
    }
    hot_keys_.emplace_back(key);
    if (std::find(held_->begin(), held_->end(), key) != held_->end() || !hot_->IsHot(key)) {
      return;
    }
    // Contended and not locked by this attempt: it would most likely fail at the hot row. End
    // it here (its next statement fails) and re-run holding the key's lock.
    if (!retryable_) {
      retryable_error_ = Status::Unavailable("postgresql: '" + std::string(key) +
                                             "' is contended; re-run holding its lock");
      stopped_at_hot_key_ = true;
    }
    retryable_ = true;
  }
  // The attempt ended itself at a hot key (SerializeOn) rather than on a conflict.
  bool stopped_at_hot_key() const { return stopped_at_hot_key_; }
  // The keys the closure named with SerializeOn during this attempt.
  const std::vector<std::string>& hot_keys() const { return hot_keys_; }

  // A serialization failure, deadlock or lost connection: re-running may succeed.
  bool retryable() const { return retryable_; }
  const Status& retryable_error() const { return retryable_error_; }
  bool unique_violation() const { return unique_violation_; }
  // A statement failed outside a savepoint: PostgreSQL rejects everything after it.
  bool aborted() const { return aborted_; }
  // The closure issued another statement after a failed one (it treated the failure as a value).
  bool continued_after_error() const { return continued_after_error_; }

 private:
  Result<std::vector<Row>> Collect(std::string_view sql, const Value* p, size_t n) {
    std::vector<Row> rows;
    std::function<bool(const Row&)> fn = [&rows](const Row& r) {
      rows.push_back(r);
      return true;
    };
    auto r = Run(sql, p, n, &fn, false);
    if (!r.ok()) return r.status();
    return rows;
  }

  Status Control(std::string_view sql) {
    Failure f = Failure::kNone;
    Status st = conn_->Script(sql, &f);
    if (!st.ok()) Note(st, f);
    return st;
  }

  void Note(const Status& st, Failure f) {
    if (f == Failure::kSerialization || f == Failure::kConnection) {
      if (!retryable_) retryable_error_ = st;
      retryable_ = true;
    }
    if (f == Failure::kUniqueViolation) unique_violation_ = true;
  }

  Result<int64_t> Run(std::string_view sql, const Value* params, size_t n,
                      const std::function<bool(const Row&)>* on_row, bool stream) {
    if (aborted_ || retryable_) {
      continued_after_error_ = true;
      return Status::Internal(
          "postgresql: statement after a failed one in the same transaction (the closure is "
          "re-run)");
    }
    if (savepoints_) {
      Status st = Control("SAVEPOINT steward_stmt");
      if (!st.ok()) {
        aborted_ = true;
        return st;
      }
    }
    Failure f = Failure::kNone;
    auto r = conn_->Run(sql, params, n, on_row, stream, &f);
    if (!r.ok()) {
      Note(r.status(), f);
      if (!savepoints_ || f == Failure::kConnection ||
          !Control("ROLLBACK TO SAVEPOINT steward_stmt; RELEASE SAVEPOINT steward_stmt").ok()) {
        aborted_ = true;
      }
      return r;
    }
    if (savepoints_ && !Control("RELEASE SAVEPOINT steward_stmt").ok()) aborted_ = true;
    return r;
  }

  Conn* conn_;
  const bool writable_;
  const bool savepoints_;
  bool retryable_ = false;
  Status retryable_error_;
  bool unique_violation_ = false;
  bool aborted_ = false;
  bool continued_after_error_ = false;
  std::vector<std::string> channels_;
  std::vector<std::string> hot_keys_;
  bool stopped_at_hot_key_ = false;
  const std::vector<std::string>* held_;
  const HotKeys* hot_;
};

class PgStore final : public Store {
 public:
  PgStore(std::string url, const StoreOptions& options)
      : url_(std::move(url)), max_open_(std::max(1, options.pool_size)) {}

  Status Init() {
    STEWARD_RETURN_IF_ERROR(ApplyMigrations());
    signals_ = std::make_unique<postgres::Signals>(url_, &notifier_);
    return Status::Ok();
  }

  Result<int64_t> Subscribe(std::string channel, std::function<void()> fn) override {
    auto id = notifier_.Subscribe(std::move(channel), std::move(fn));
    if (id.ok()) signals_->Refresh();
    return id;
  }
  void Unsubscribe(int64_t id) override { notifier_.Unsubscribe(id); }

  Status Write(const std::function<Status(Txn&)>& fn) override { return Run(true, fn); }
  Status Read(const std::function<Status(Txn&)>& fn) override { return Run(false, fn); }
  std::string_view backend() const override { return "postgresql"; }

  Result<int> SchemaVersion() override {
    int version = 0;
    Status st = Read([&](Txn& txn) -> Status {
      STEWARD_ASSIGN_OR_RETURN(auto row,
                               txn.QueryOne("SELECT MAX(version) FROM schema_migrations"));
      version = row ? static_cast<int>(row->Int(0)) : 0;
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return version;
  }

  // One database transaction per committed closure: batches equal commits.
  int64_t commits() const override { return commits_.load(); }
  int64_t batches() const override { return commits_.load(); }

 private:
  // A pooled connection, returned to the pool (or dropped when unusable) on destruction.
  class Lease {
   public:
    Lease(PgStore* store, std::unique_ptr<Conn> conn) : store_(store), conn_(std::move(conn)) {}
    ~Lease() { store_->Release(std::move(conn_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Conn* operator->() const { return conn_.get(); }
    Conn* get() const { return conn_.get(); }
    // Closes the connection instead of returning it to the pool.
    void Drop() { conn_.reset(); }

   private:
    PgStore* store_;
    std::unique_ptr<Conn> conn_;
  };

  Result<std::unique_ptr<Conn>> Acquire() {
    {
      std::unique_lock<std::mutex> lock(pool_mu_);
      if (!pool_cv_.wait_for(lock, kAcquireTimeout,
                             [&] { return !idle_.empty() || open_ < max_open_; })) {
        return Status::Unavailable("postgresql: no free connection in the pool within " +
                                   std::to_string(kAcquireTimeout.count()) + " s");
      }
      if (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        return conn;
      }
      ++open_;
    }
    auto conn = Conn::Connect(url_, &sql_cache_);
    if (!conn.ok()) Release(nullptr);
    return conn;
  }

  void Release(std::unique_ptr<Conn> conn) {
    std::unique_ptr<Conn> drop;
    {
      std::lock_guard<std::mutex> lock(pool_mu_);
      if (conn && conn->reusable()) {
        idle_.push_back(std::move(conn));
      } else {
        drop = std::move(conn);
        --open_;
      }
    }
    pool_cv_.notify_one();
  }

  static void Rollback(Conn* conn) {
    Failure f = Failure::kNone;
    (void)conn->Script("ROLLBACK", &f);
  }

  // Takes the session advisory lock of each key (sorted, so two closures never wait on each
  // other's keys in opposite orders), before BEGIN: the transaction's snapshot is then taken
  // after the previous holder committed, so the re-run does not conflict with it. A lock found
  // taken keeps its key hot.
  Status LockHotSpots(Conn* conn, const std::vector<std::string>& keys, Failure* f) {
    for (const std::string& key : keys) {
      Value params[] = {key};
      bool got = false;
      std::function<bool(const Row&)> read = [&](const Row& r) {
        got = r.Int(0) != 0;
        return false;
      };
      auto r = conn->Run(kTryLockHotSpot, params, 1, &read, false, f);
      if (!r.ok()) return r.status();
      if (got) continue;
      hot_.Mark({key});
      r = conn->Run(kLockHotSpot, params, 1, nullptr, false, f);
      if (!r.ok()) return r.status();
    }
    return Status::Ok();
  }

  // Releases the session locks LockHotSpots took; a connection that cannot is closed, so no lock
  // outlives its attempt.
  static void UnlockHotSpots(Lease* conn) {
    if (conn->get() == nullptr) return;
    Failure f = Failure::kNone;
    if (!(*conn)->reusable()) Rollback(conn->get());
    if (!(*conn)->reusable() || !(*conn)->Script(kUnlockHotSpots, &f).ok()) conn->Drop();
  }

  // Runs `fn` in a transaction until it commits, fails for good, or runs out of re-runs.
  Status Run(bool writable, const std::function<Status(Txn&)>& fn) {
    bool savepoints = false;
    // Keys named by SerializeOn in attempts that conflicted; re-runs lock them first.
    std::vector<std::string> hot_keys;
    int retries = 0;
    int unique_retries = 0;
    int backoff = 0;  // > 0: sleep before the next attempt (never while holding a connection)
    Status last;
    const auto give_up_at = std::chrono::steady_clock::now() + kRetryWindow;
    while (true) {
      if (backoff > 0) Backoff(backoff);
      backoff = 0;
      if (retries > kMaxRetries ||
          (retries > 0 && std::chrono::steady_clock::now() > give_up_at)) {
        break;
      }
      auto acquired = Acquire();
      if (!acquired.ok()) {
        last = acquired.status();
        backoff = ++retries;
        continue;
      }
      Lease conn(this, std::move(acquired).value());
      Failure f = Failure::kNone;
      struct Unlock {
        Lease* conn;
        bool locked = false;
        ~Unlock() {
          if (locked) UnlockHotSpots(conn);
        }
      } unlock{&conn};
      if (writable && !hot_keys.empty()) {
        unlock.locked = true;
        Status locked = LockHotSpots(conn.get(), hot_keys, &f);
        if (!locked.ok()) {
          if (f != Failure::kConnection) return locked;
          last = locked;
          backoff = ++retries;
          continue;
        }
      }
      Status begin = conn->Script(writable ? kBeginWrite : kBeginRead, &f);
      if (!begin.ok()) {
        if (f != Failure::kConnection) return begin;
        last = begin;
        backoff = ++retries;
        continue;
      }
      PgTxn txn(conn.get(), writable, savepoints, unlock.locked ? &hot_keys : &kNoKeys, &hot_);
      Status result;
      try {
        result = fn(txn);
      } catch (const std::exception& e) {
        result = Status::Internal(std::string("transaction closure threw: ") + e.what());
      }
      if (txn.retryable()) {
        Rollback(conn.get());
        last = txn.retryable_error();
        LearnHotKeys(txn, &hot_keys);
        // Holding the keys' locks, the re-run waits its turn instead of backing off.
        ++retries;
        backoff = hot_keys.empty() ? retries : 0;
        continue;
      }
      if (txn.aborted() && !savepoints && (result.ok() || txn.continued_after_error())) {
        // The closure went on after a failed statement: give it SQLite's statement-level
        // rollback by re-running it with a savepoint around each statement.
        Rollback(conn.get());
        savepoints = true;
        continue;
      }
      if (!result.ok()) {
        Rollback(conn.get());
        if (writable && txn.unique_violation() && unique_retries < kMaxUniqueRetries) {
          backoff = ++unique_retries;
          continue;
        }
        return result;
      }
      if (!writable) {
        Rollback(conn.get());  // nothing to commit; ends the snapshot
        return Status::Ok();
      }
      std::string tag;
      Status commit = conn->Script("COMMIT", &f, &tag);
      if (!commit.ok()) {
        if (f == Failure::kSerialization) {
          last = commit;
          LearnHotKeys(txn, &hot_keys);
          ++retries;
          backoff = hot_keys.empty() ? retries : 0;
          continue;
        }
        if (f == Failure::kConnection) {
          return Status::Unavailable(
              "postgresql: connection lost during COMMIT; the transaction may or may not have "
              "committed: " +
              commit.message());
        }
        return commit;
      }
      if (tag != "COMMIT") {
        return Status::Internal("postgresql: COMMIT answered " + tag + "; nothing was written");
      }
      commits_.fetch_add(1);
      for (const std::string& channel : txn.channels()) {
        notifier_.Deliver(channel);
        signals_->Send(channel);
      }
      return Status::Ok();
    }
    return Status::Unavailable("postgresql: transaction still failing after " +
                               std::to_string(retries - 1) + " retries: " + last.message());
  }

  // After a conflict the attempt's keys are hot (an attempt that only stopped at a hot key does
  // not prolong it: contention is seen by conflicts and by locks found taken), and its re-runs
  // lock them.
  void LearnHotKeys(const PgTxn& txn, std::vector<std::string>* keys) {
    if (!txn.stopped_at_hot_key()) hot_.Mark(txn.hot_keys());
    for (const std::string& k : txn.hot_keys()) {
      if (std::find(keys->begin(), keys->end(), k) == keys->end()) keys->push_back(k);
    }
    std::sort(keys->begin(), keys->end());
  }

  Status ApplyMigrations() {
    auto acquired = Acquire();
    if (!acquired.ok()) return acquired.status();
    Lease conn(this, std::move(acquired).value());
    Failure f = Failure::kNone;
    while (true) {
      // READ COMMITTED: each statement after the lock sees what the previous holder committed.
      Status st = conn->Script(
          "BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) +
              "); CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
              "name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
          &f);
      if (!st.ok()) {
        Rollback(conn.get());
        return Status::Unavailable("cannot migrate: " + st.message());
      }
      int current = 0;
      std::function<bool(const Row&)> read = [&](const Row& r) {
        current = static_cast<int>(r.Int(0));
        return false;
      };
      auto r = conn->Run("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", nullptr, 0,
                         &read, false, &f);
      if (!r.ok()) {
        Rollback(conn.get());
        return Status::Unavailable("cannot migrate: " + r.status().message());
      }
      if (current > LatestSchemaVersion()) {
        Rollback(conn.get());
        return Status::Unavailable("database schema version " + std::to_string(current) +
                                   " is newer than this binary's " +
                                   std::to_string(LatestSchemaVersion()));
      }
      const Migration* next = nullptr;
      for (const Migration& m : Migrations()) {
        if (m.version > current) {
          next = &m;
          break;
        }
      }
      if (next == nullptr) {
        st = conn->Script("COMMIT", &f);
        return st.ok() ? Status::Ok() : Status::Unavailable("cannot migrate: " + st.message());
      }
      st = next->postgres_sql.empty() ? Status::Internal("no PostgreSQL script")
                                      : conn->Script(next->postgres_sql, &f);
      if (st.ok()) {
        Value params[] = {int64_t{next->version}, std::string(next->name),
                          SystemClock::Default()->NowMs()};
        auto ins =
            conn->Run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                      params, 3, nullptr, false, &f);
        if (!ins.ok()) st = ins.status();
      }
      if (st.ok()) st = conn->Script("COMMIT", &f);
      if (!st.ok()) {
        Rollback(conn.get());
        return Status::Unavailable("migration " + std::to_string(next->version) +
                                   " failed: " + st.message());
      }
    }
  }

  const std::string url_;
  const int max_open_;
  SqlCache sql_cache_;
  HotKeys hot_;
  static inline const std::vector<std::string> kNoKeys;
  Notifier notifier_;
  std::unique_ptr<postgres::Signals> signals_;  // set by Init; declared after notifier_

  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Conn>> idle_;  // GUARDED_BY(pool_mu_)
  int open_ = 0;                             // GUARDED_BY(pool_mu_): idle and leased

  std::atomic<int64_t> commits_{0};
};

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgres(const std::string& url, const StoreOptions& options) {
  char* err = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &err);
  if (parsed == nullptr) {
    std::string msg = err ? err : "malformed";
    PQfreemem(err);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return Status::InvalidArgument("invalid PostgreSQL URL: " + msg);
  }
  PQconninfoFree(parsed);
  if (!PQisthreadsafe()) return Status::Internal("libpq was built without thread safety");
  auto store = std::make_unique<PgStore>(url, options);
  Status st = store->Init();
  if (!st.ok()) return st;
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace steward::store
