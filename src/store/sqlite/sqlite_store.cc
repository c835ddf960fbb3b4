#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "common/clock.h"
#include "store/migrations.h"
#include "store/notifier.h"
#include "store/sqlite/page_cache.h"
#include "store/sqlite/wal_vfs.h"

namespace steward::store {
namespace {

constexpr int kBusyTimeoutMs = 10000;

// Process-wide SQLite settings, applied once before the first connection opens. Memory
// statistics are off: with them on, every SQLite allocation takes one global mutex, which
// the writer thread and every reader would contend on.
void ConfigureSqliteOnce() {
  static std::once_flag once;
  // Fails (SQLITE_MISUSE) when another part of the process initialised SQLite first; its
  // settings then stay, which is harmless.
  std::call_once(once, [] {
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)InstallPageCache();  // page_cache.h: no hash-table scan at every commit
  });
}

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  int primary = rc & 0xFF;
  if (primary == SQLITE_CONSTRAINT) return Status::Conflict(msg);
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_FULL ||
      primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY) {
    return Status::Unavailable(msg);
  }
  return Status::Internal(msg);
}

// One connection and its prepared-statement cache. Used by one thread at a time.
class Conn {
 public:
  ~Conn() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    if (db_) sqlite3_close_v2(db_);
  }

  Status Open(const std::string& path, bool readonly, Durability durability) {
    ConfigureSqliteOnce();
    int flags = SQLITE_OPEN_NOMUTEX | (readonly ? SQLITE_OPEN_READONLY
                                                : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    // WAL writes coalesced per commit (wal_vfs.h); nullptr (the default VFS) if it is missing.
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, WalCoalescingVfs());
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "open " + path);
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    sqlite3_extended_result_codes(db_, 1);
    if (!readonly) {
      STEWARD_RETURN_IF_ERROR(ExecScript("PRAGMA journal_mode=WAL"));
    }
    STEWARD_RETURN_IF_ERROR(ExecScript(durability == Durability::kFull ? "PRAGMA synchronous=FULL"
                                                                       : "PRAGMA synchronous=NORMAL"));
    STEWARD_RETURN_IF_ERROR(ExecScript("PRAGMA foreign_keys=ON"));
    STEWARD_RETURN_IF_ERROR(ExecScript("PRAGMA temp_store=MEMORY"));
    STEWARD_RETURN_IF_ERROR(ExecScript("PRAGMA cache_size=-32768"));
    return Status::Ok();
  }

  Status ExecScript(const std::string& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      Status st = SqliteError(nullptr, rc, "exec");
      return Status(st.code(), "sqlite: " + msg);
    }
    return Status::Ok();
  }

  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "prepare");
    cache_.emplace(std::string(sql), stmt);
    return stmt;
  }

  Status Bind(sqlite3_stmt* stmt, const Value* params, size_t n) {
    if (static_cast<int>(n) != sqlite3_bind_parameter_count(stmt)) {
      return Status::Internal("parameter count mismatch: statement takes " +
                              std::to_string(sqlite3_bind_parameter_count(stmt)) + ", given " +
                              std::to_string(n));
    }
    for (size_t i = 0; i < n; ++i) {
      int idx = static_cast<int>(i) + 1;
      const Value& v = params[i];
      int rc = SQLITE_OK;
      if (std::holds_alternative<Null>(v)) {
        rc = sqlite3_bind_null(stmt, idx);
      } else if (auto p = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, idx, *p);
      } else if (auto p = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, idx, *p);
      } else {
        // The parameters outlive the statement's run (Run resets and clears the bindings before
        // it returns), so SQLite need not copy them.
        std::string_view s = std::holds_alternative<std::string>(v) ? std::get<std::string>(v)
                                                                    : std::get<TextRef>(v).text;
        rc = sqlite3_bind_text(stmt, idx, s.data() ? s.data() : "", static_cast<int>(s.size()),
                               SQLITE_STATIC);
      }
      if (rc != SQLITE_OK) return SqliteError(db_, rc, "bind");
    }
    return Status::Ok();
  }

  static Row ReadRow(sqlite3_stmt* stmt) {
    int n = sqlite3_column_count(stmt);
    std::vector<Value> values;
    values.reserve(n);
    for (int c = 0; c < n; ++c) {
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_NULL: values.emplace_back(Null{}); break;
        case SQLITE_INTEGER: values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c))); break;
        case SQLITE_FLOAT: values.emplace_back(sqlite3_column_double(stmt, c)); break;
        default: {
          const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          int len = sqlite3_column_bytes(stmt, c);
          values.emplace_back(std::string(p ? p : "", static_cast<size_t>(len)));
        }
      }
    }
    return Row(std::move(values));
  }

  // Runs `sql`; calls on_row for each row (may be null), or else appends each row to *rows (may
  // be null). Returns rows changed.
  Result<int64_t> Run(std::string_view sql, const Value* params, size_t n,
                      const std::function<bool(const Row&)>* on_row,
                      std::vector<Row>* rows = nullptr) {
    STEWARD_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    struct Reset {
      sqlite3_stmt* s;
      ~Reset() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } reset{stmt};
    STEWARD_RETURN_IF_ERROR(Bind(stmt, params, n));
    while (true) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc == SQLITE_ROW) {
        if (rows != nullptr) {
          rows->push_back(ReadRow(stmt));
        } else if (on_row && *on_row && !(*on_row)(ReadRow(stmt))) {
          break;
        }
        continue;
      }
      return SqliteError(db_, rc, "step");
    }
    return static_cast<int64_t>(sqlite3_changes64(db_));
  }

  // Runs a parameterless control statement (BEGIN, SAVEPOINT, COMMIT…) from the statement
  // cache, so the hot path of group commit parses nothing.
  Status Control(std::string_view sql) {
    auto r = Run(sql, nullptr, 0, nullptr);
    return r.ok() ? Status::Ok() : r.status();
  }

  sqlite3* db() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, sqlite3_stmt*, Hash, std::equal_to<>> cache_;
};

class SqliteTxn final : public Txn {
 public:
  SqliteTxn(Conn* conn, bool writable) : conn_(conn), writable_(writable) {}

  Result<int64_t> Exec(std::string_view sql, Params params) override {
    return conn_->Run(sql, params.begin(), params.size(), nullptr);
  }
  Result<int64_t> ExecV(std::string_view sql, const std::vector<Value>& params) override {
    return conn_->Run(sql, params.data(), params.size(), nullptr);
  }
  Result<std::vector<Row>> Query(std::string_view sql, Params params) override {
    return Collect(sql, params.begin(), params.size());
  }
  Result<std::vector<Row>> QueryV(std::string_view sql, const std::vector<Value>& params) override {
    return Collect(sql, params.data(), params.size());
  }
  Status ForEach(std::string_view sql, const std::vector<Value>& params,
                 const std::function<bool(const Row&)>& fn) override {
    auto r = conn_->Run(sql, params.data(), params.size(), &fn);
    return r.ok() ? Status::Ok() : r.status();
  }
  bool writable() const override { return writable_; }
  std::string_view backend() const override { return "sqlite"; }
  void NotifyOnCommit(std::string_view channel) override {
    if (!writable_) return;
    for (const std::string& c : channels_) {
      if (c == channel) return;
    }
    channels_.emplace_back(channel);
  }

  // The channels the current closure notified; the writer collects them per closure.
  std::vector<std::string> TakeChannels() { return std::exchange(channels_, {}); }

 private:
  Result<std::vector<Row>> Collect(std::string_view sql, const Value* p, size_t n) {
    std::vector<Row> rows;
    auto r = conn_->Run(sql, p, n, nullptr, &rows);
    if (!r.ok()) return r.status();
    return rows;
  }

  Conn* conn_;
  bool writable_;
  std::vector<std::string> channels_;
};

struct WriteRequest {
  const std::function<Status(Txn&)>* fn;
  std::promise<Status> done;  // Write: the caller waits on it
  // WriteAsync: the request owns the closure, is heap-allocated, and is answered through
  // `on_done` and then deleted by whoever answers it.
  std::function<Status(Txn&)> owned_fn;
  std::function<void(Status)> on_done;
};

// Answers one request (see WriteRequest).
void AnswerRequest(WriteRequest* req, Status st) {
  if (req->on_done) {
    auto done = std::move(req->on_done);
    delete req;
    done(std::move(st));
  } else {
    req->done.set_value(std::move(st));
  }
}

// One committed batch waiting for the WAL sync that makes it durable (see SyncLoop).
struct SyncGroup {
  int64_t seq = 0;  // the batch's number (committing_seq_ when it committed)
  bool committed = false;
  std::vector<WriteRequest*> requests;
  std::vector<Status> results;
  std::vector<std::string> channels;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, StoreOptions options)
      : path_(std::move(path)), options_(options) {}

  ~SqliteStore() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (writer_.joinable()) writer_.join();
    {
      // After the writer: the syncer makes durable, and answers, every batch it committed.
      std::lock_guard<std::mutex> lock(sync_mu_);
      sync_stopping_ = true;
    }
    sync_cv_.notify_all();
    if (syncer_.joinable()) syncer_.join();
    if (wal_fd_ >= 0) ::close(wal_fd_);
    {
      std::lock_guard<std::mutex> lock(ckpt_mu_);
      ckpt_stopping_ = true;
    }
    ckpt_cv_.notify_all();
    if (checkpointer_.joinable()) checkpointer_.join();
  }

  Status Init() {
    writer_conn_ = std::make_unique<Conn>();
    STEWARD_RETURN_IF_ERROR(writer_conn_->Open(path_, false, options_.durability));
    STEWARD_RETURN_IF_ERROR(ApplyMigrations());
    // Checkpoints run on their own thread and connection so the writer never pays for copying
    // WAL frames into the database file (and its fsync): the writer's WAL hook only signals.
    STEWARD_RETURN_IF_ERROR(writer_conn_->ExecScript("PRAGMA wal_autocheckpoint=0"));
    checkpoint_conn_ = std::make_unique<Conn>();
    STEWARD_RETURN_IF_ERROR(checkpoint_conn_->Open(path_, false, options_.durability));
    STEWARD_RETURN_IF_ERROR(SetUpOverlappedSync());
    sqlite3_wal_hook(writer_conn_->db(), &SqliteStore::OnWalCommit, this);
    checkpointer_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "sqlite-ckpt");
      CheckpointLoop();
    });
    if (wal_fd_ >= 0) {
      syncer_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "sqlite-sync");
        SyncLoop();
      });
    }
    writer_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "sqlite-writer");
      WriterLoop();
    });
    return Status::Ok();
  }

  Status Write(const std::function<Status(Txn&)>& fn) override {
    if (poisoned_.load()) return PoisonedError();
    WriteRequest req{&fn, {}, {}, {}};
    auto fut = req.done.get_future();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return Status::Unavailable("store is closing");
      queue_.push_back(&req);
    }
    cv_.notify_one();
    return fut.get();
  }

  void WriteAsync(std::function<Status(Txn&)> fn, std::function<void(Status)> done) override {
    if (poisoned_.load()) return done(PoisonedError());
    auto* req = new WriteRequest{nullptr, {}, std::move(fn), std::move(done)};
    req->fn = &req->owned_fn;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!stopping_) {
        queue_.push_back(req);
        req = nullptr;
      }
    }
    if (req) return AnswerRequest(req, Status::Unavailable("store is closing"));
    cv_.notify_one();
  }

  bool async_writes() const override { return true; }

  Status Read(const std::function<Status(Txn&)>& fn) override {
    std::unique_ptr<Conn> conn;
    {
      std::lock_guard<std::mutex> lock(readers_mu_);
      if (!readers_.empty()) {
        conn = std::move(readers_.back());
        readers_.pop_back();
      }
    }
    if (!conn) {
      conn = std::make_unique<Conn>();
      STEWARD_RETURN_IF_ERROR(conn->Open(path_, true, options_.durability));
    }
    Status st = conn->ExecScript("BEGIN");
    if (st.ok()) {
      SqliteTxn txn(conn.get(), false);
      try {
        st = fn(txn);
      } catch (const std::exception& e) {
        st = Status::Internal(std::string("read transaction threw: ") + e.what());
      }
      (void)conn->ExecScript("COMMIT");
    }
    {
      std::lock_guard<std::mutex> lock(readers_mu_);
      if (static_cast<int>(readers_.size()) < options_.pool_size) readers_.push_back(std::move(conn));
    }
    // The snapshot may hold batches committed but not yet durable: answer only once they are,
    // so nobody is ever shown a write that a power loss could take back.
    if (wal_fd_ >= 0) {
      int64_t target = committing_seq_.load();
      if (synced_seq_.load() < target) {
        std::unique_lock<std::mutex> lock(sync_mu_);
        durable_cv_.wait(lock, [&] { return synced_seq_.load() >= target || poisoned_.load(); });
      }
      if (poisoned_.load()) return PoisonedError();
    }
    return st;
  }

  std::string_view backend() const override { return "sqlite"; }

  Result<int> SchemaVersion() override {
    int version = 0;
    Status st = Read([&](Txn& txn) -> Status {
      STEWARD_ASSIGN_OR_RETURN(auto row, txn.QueryOne("SELECT MAX(version) FROM schema_migrations"));
      version = row ? static_cast<int>(row->Int(0)) : 0;
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return version;
  }

  Result<int64_t> Subscribe(std::string channel, std::function<void()> fn) override {
    return notifier_.Subscribe(std::move(channel), std::move(fn));
  }
  void Unsubscribe(int64_t id) override { notifier_.Unsubscribe(id); }

  int64_t commits() const override { return commits_.load(); }
  int64_t batches() const override { return batches_.load(); }
  int64_t batch_reruns() const override { return rerun_closures_.load(); }
  int64_t checkpoints() const override { return checkpoints_.load(); }
  int64_t wal_restarts() const override { return wal_restarts_.load(); }

 private:
  Status ApplyMigrations() {
    Conn& c = *writer_conn_;
    STEWARD_RETURN_IF_ERROR(c.ExecScript(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
        "name TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
    int current = 0;
    std::function<bool(const Row&)> fn = [&](const Row& r) {
      current = static_cast<int>(r.Int(0));
      return false;
    };
    auto r = c.Run("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", nullptr, 0, &fn);
    if (!r.ok()) return r.status();
    if (current > LatestSchemaVersion()) {
      return Status::Unavailable("database schema version " + std::to_string(current) +
                                 " is newer than this binary's " +
                                 std::to_string(LatestSchemaVersion()));
    }
    for (const Migration& m : Migrations()) {
      if (m.version <= current) continue;
      STEWARD_RETURN_IF_ERROR(c.ExecScript("BEGIN IMMEDIATE"));
      // Another process may have applied it while we waited for the write lock.
      int now_current = 0;
      std::function<bool(const Row&)> again = [&](const Row& row) {
        now_current = static_cast<int>(row.Int(0));
        return false;
      };
      auto check = c.Run("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", nullptr, 0, &again);
      if (!check.ok() || now_current >= m.version) {
        (void)c.ExecScript("ROLLBACK");
        if (!check.ok()) return check.status();
        current = now_current;
        continue;
      }
      Status st = c.ExecScript(std::string(m.sqlite_sql));
      if (st.ok()) {
        Value params[] = {int64_t{m.version}, std::string(m.name),
                          SystemClock::Default()->NowMs()};
        auto ins = c.Run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                         params, 3, nullptr);
        if (!ins.ok()) st = ins.status();
      }
      if (!st.ok()) {
        (void)c.ExecScript("ROLLBACK");
        return Status::Unavailable("migration " + std::to_string(m.version) + " failed: " +
                                   st.message());
      }
      STEWARD_RETURN_IF_ERROR(c.ExecScript("COMMIT"));
    }
    return Status::Ok();
  }

  // Checkpoints and WAL restarts.
  //
  // The checkpointer copies WAL frames into the database once checkpoint_pages of them are not
  // yet there (the backlog). A page rewritten by many batches (an index's append point, a ledger
  // head, a budget row) is copied once per checkpoint, so fewer, larger checkpoints copy less; but
  // a large checkpoint's fdatasync of the database writes many scattered pages at once, and the
  // syncer's fdatasync of the WAL waits behind it. 250 frames (about three batches under load)
  // was the best of 125-1,000 in the HTTP benchmark (docs/BENCHMARKS.md).
  //
  // SQLite starts the WAL over only when a write transaction begins with every frame already
  // copied. The writer begins its next batch right after the last, so under load a PASSIVE
  // checkpoint on another thread never ends before a new commit: the WAL would only grow, and the
  // checkpointer used to chase it with one small checkpoint after every commit, each with two
  // fdatasyncs and another copy of the hot pages (about 14 KiB copied per created intent). So
  // once the WAL reaches wal_restart_pages frames the checkpointer catches up until at most
  // kHeldPages frames are left (more as the WAL grows further), and the writer copies those
  // itself, after its commit, and then starts the WAL over with its next batch. That held
  // checkpoint waits for two fdatasyncs (about 1-7 ms here, docs/BENCHMARKS.md), so it is kept
  // for long WALs. A lightly loaded store needs none of this: a checkpoint ends between two
  // commits, and the next one starts the WAL over, every checkpoint_pages frames or so.
  // (Restarting at once whenever the writer found nothing queued, tried first, held the writer
  // several times a second under load, where its queue is briefly empty between batches.)
  //
  // If the checkpointer falls behind (a reader holding an old snapshot stops every checkpoint
  // short of it), the writer checkpoints itself at kWriterCheckpointFactor times
  // wal_restart_pages so the WAL stays bounded.
  static constexpr int kHeldPages = 256;
  static constexpr int kWriterCheckpointFactor = 3;

  static int OnWalCommit(void* self, sqlite3* db, const char*, int pages) {
    auto* store = static_cast<SqliteStore*>(self);
    const StoreOptions& o = store->options_;
    if (pages < store->wal_pages_) store->wal_restarts_.fetch_add(1);
    store->wal_pages_ = pages;
    int copied = store->ckpt_copied_.load();
    if (pages < copied) copied = 0;  // the WAL started over since the last checkpoint
    int backlog = pages - copied;
    bool restart = pages >= o.wal_restart_pages;
    // Catch-up checkpoints each wait for two fdatasyncs while the writer keeps committing, so the
    // backlog may not get that low; the further the WAL grows past the mark, the more the writer
    // copies itself rather than let it grow on.
    int held = kHeldPages + std::max(0, pages - o.wal_restart_pages) / 8;
    if ((restart && backlog <= held) || pages >= o.wal_restart_pages * kWriterCheckpointFactor) {
      // SQLITE_BUSY (the checkpointer is running) leaves this to a later commit.
      store->Checkpoint(db);
    } else if (backlog >= o.checkpoint_pages || (restart && backlog > 0)) {
      {
        std::lock_guard<std::mutex> lock(store->ckpt_mu_);
        store->ckpt_wanted_ = true;
      }
      store->ckpt_cv_.notify_one();
    }
    return SQLITE_OK;
  }

  // A PASSIVE checkpoint on `db`, recorded for OnWalCommit and the metrics. PASSIVE never blocks
  // the writer or readers; frames still in use are copied next time.
  void Checkpoint(sqlite3* db) {
    int log = 0, done = 0;
    if (sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done) !=
            SQLITE_OK ||
        done < 0) {
      return;
    }
    ckpt_copied_.store(done);
    checkpoints_.fetch_add(1);
  }

  void CheckpointLoop() {
    while (true) {
      {
        std::unique_lock<std::mutex> lock(ckpt_mu_);
        ckpt_cv_.wait(lock, [&] { return ckpt_stopping_ || ckpt_wanted_; });
        if (ckpt_stopping_) break;
        ckpt_wanted_ = false;
      }
      Checkpoint(checkpoint_conn_->db());
    }
    checkpoint_conn_.reset();
  }

  // With default durability the writer commits with synchronous=NORMAL (no fsync) and the
  // syncer thread makes each committed batch durable with one fdatasync of the WAL before its
  // callers are answered, so the writer runs the next batch while the disk syncs the last one.
  // SQLite's WAL stays consistent at NORMAL (it syncs the WAL header on restart and the WAL
  // before every checkpoint); the fdatasync adds what FULL would: the commit's frames on disk.
  Status SetUpOverlappedSync() {
    if (options_.durability != Durability::kFull) return Status::Ok();
    const char* file = sqlite3_db_filename(writer_conn_->db(), "main");
    if (file == nullptr || *file == '\0') return Status::Ok();  // in-memory: nothing to sync
    // Only a WAL has a log to sync; where WAL mode is unavailable SQLite keeps its rollback
    // journal, and synchronous=FULL stays as it is.
    std::string mode;
    std::function<bool(const Row&)> read_mode = [&](const Row& r) {
      mode = r.Text(0);
      return false;
    };
    auto jm = writer_conn_->Run("PRAGMA journal_mode", nullptr, 0, &read_mode);
    if (!jm.ok()) return jm.status();
    if (mode != "wal") return Status::Ok();
    std::string wal = std::string(file) + "-wal";
    // SQLite opened (created) the WAL when the migrations read the database; it keeps that
    // file while a connection is open, and the writer's connection lives as long as the store.
    wal_fd_ = ::open(wal.c_str(), O_RDONLY | O_CLOEXEC);
    if (wal_fd_ < 0) {
      return Status::Unavailable("cannot open the write-ahead log " + wal + ": " +
                                 std::strerror(errno));
    }
    return writer_conn_->ExecScript("PRAGMA synchronous=NORMAL");
  }

  Status PoisonedError() const {
    return Status::Unavailable(
        "the store could not make a commit durable (fdatasync of the write-ahead log failed: " +
        std::string(std::strerror(sync_errno_.load())) +
        ") and accepts nothing more; restart the server");
  }

  void WriterLoop() {
    std::vector<WriteRequest*> batch;
    std::vector<Status> results;
    while (true) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty() && stopping_) return;
        size_t n = std::min(queue_.size(), static_cast<size_t>(std::max(1, options_.max_batch)));
        batch.assign(queue_.begin(), queue_.begin() + static_cast<long>(n));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(n));
      }
      bool committed = false;
      if (poisoned_.load()) {
        results.assign(batch.size(), PoisonedError());
      } else {
        committed = RunBatch(batch, &results);
      }
      SyncGroup group;
      group.seq = committing_seq_.load();
      group.committed = committed;
      group.requests = std::move(batch);
      group.results = std::move(results);
      group.channels = std::move(committed_channels_);
      batch.clear();
      results.clear();
      committed_channels_.clear();
      if (wal_fd_ < 0) {
        Answer(&group, 1, false);  // durable once committed (or durability=process)
        continue;
      }
      {
        std::lock_guard<std::mutex> lock(sync_mu_);
        sync_queue_.push_back(std::move(group));
      }
      sync_cv_.notify_one();
    }
  }

  // Answers the callers of `n` groups (with the store's error when `failed`, for those that had
  // succeeded) and then delivers the channels their commits notified, each once.
  void Answer(SyncGroup* groups, size_t n, bool failed) {
    std::vector<std::string> delivered;
    for (size_t k = 0; k < n; ++k) {
      SyncGroup& g = groups[k];
      for (size_t i = 0; i < g.requests.size(); ++i) {
        Status st = failed && g.results[i].ok() ? PoisonedError() : std::move(g.results[i]);
        AnswerRequest(g.requests[i], std::move(st));
      }
      if (failed) continue;
      for (std::string& ch : g.channels) {
        if (std::find(delivered.begin(), delivered.end(), ch) == delivered.end()) {
          delivered.push_back(std::move(ch));
        }
      }
    }
    for (const std::string& channel : delivered) notifier_.Deliver(channel);
  }

  // Makes committed batches durable, then answers their callers and wakes waiting readers.
  // One fdatasync covers every batch committed before it started (the WAL is appended in
  // commit order), so while one sync runs the next batches queue up behind it.
  void SyncLoop() {
    std::vector<SyncGroup> groups;
    while (true) {
      {
        std::unique_lock<std::mutex> lock(sync_mu_);
        sync_cv_.wait(lock, [&] { return sync_stopping_ || !sync_queue_.empty(); });
        if (sync_queue_.empty() && sync_stopping_) return;
        groups.swap(sync_queue_);
      }
      bool need = false;
      for (const SyncGroup& g : groups) need |= g.committed;
      if (need && !poisoned_.load()) {
        int rc;
        do {
          rc = ::fdatasync(wal_fd_);
        } while (rc != 0 && errno == EINTR);
        // After a failed fsync the kernel may have dropped the dirty pages: what was committed
        // is visible but maybe not on disk, and a later sync would not tell. Stop accepting
        // anything, as PostgreSQL does; a restart recovers from what the disk holds.
        if (rc != 0) {
          sync_errno_.store(errno);
          poisoned_.store(true);
        }
      }
      bool failed = poisoned_.load();
      {
        std::lock_guard<std::mutex> lock(sync_mu_);
        synced_seq_.store(groups.back().seq);
      }
      durable_cv_.notify_all();
      Answer(groups.data(), groups.size(), failed);
      groups.clear();
    }
  }

  // Returns whether the batch's COMMIT succeeded.
  //
  // A closure that fails must leave no writes while the others in its batch commit. Closures
  // normally run without a savepoint each (a savepoint copies every page a closure first touches
  // into a sub-journal: about 6 % of the writer's CPU per gate decision). When one fails, the
  // transaction is rolled back: if the failing closure was the first in it, nothing else was
  // lost and its error stands; otherwise the closures before it run again, each in its own
  // savepoint (the closure contract allows re-runs, store.h), and so do the next
  // kSavepointBatches batches, since failures tend to come together.
  bool RunBatch(const std::vector<WriteRequest*>& batch, std::vector<Status>* results) {
    Conn& c = *writer_conn_;
    results->assign(batch.size(), Status::Ok());
    Status begin = c.Control("BEGIN IMMEDIATE");
    if (!begin.ok()) {
      for (auto& r : *results) r = Status::Unavailable("cannot begin transaction: " + begin.message());
      return false;
    }
    bool savepoints = savepoint_batches_ > 0;
    if (savepoints) --savepoint_batches_;
    SqliteTxn txn(&c, true);
    size_t committed_from = 0;  // the first closure of the current database transaction
    std::vector<std::vector<std::string>> channels(batch.size());
    size_t i = 0;
    while (i < batch.size()) {
      Status st = savepoints ? c.Control("SAVEPOINT w") : Status::Ok();
      if (st.ok()) {
        try {
          st = (*batch[i]->fn)(txn);
        } catch (const std::exception& e) {
          st = Status::Internal(std::string("write transaction threw: ") + e.what());
        }
      }
      channels[i] = txn.TakeChannels();
      if (sqlite3_get_autocommit(c.db())) {
        // SQLite rolled the whole transaction back (disk full, I/O error): the closures run so
        // far in this batch lost their writes. Fail them and continue in a new transaction.
        for (size_t j = committed_from; j <= i; ++j) {
          if ((*results)[j].ok()) {
            (*results)[j] = Status::Unavailable("transaction rolled back by the database: " +
                                                (st.ok() ? std::string("I/O error") : st.message()));
          }
        }
        if (!st.ok()) (*results)[i] = st;
        committed_from = i + 1;
        Status again = c.Control("BEGIN IMMEDIATE");
        if (!again.ok()) {
          for (size_t j = i + 1; j < batch.size(); ++j) {
            (*results)[j] = Status::Unavailable("cannot begin transaction: " + again.message());
          }
          return false;
        }
        ++i;
        continue;
      }
      if (savepoints) {
        if (st.ok()) {
          st = c.Control("RELEASE w");
        } else {
          (void)c.Control("ROLLBACK TO w");
          (void)c.Control("RELEASE w");
        }
        (*results)[i] = st;
        ++i;
        continue;
      }
      (*results)[i] = st;
      if (st.ok()) {
        ++i;
        continue;
      }
      // Without savepoints a failed closure's writes go only with the whole transaction.
      (void)c.Control("ROLLBACK");
      Status again = c.Control("BEGIN IMMEDIATE");
      if (!again.ok()) {
        for (size_t j = committed_from; j < batch.size(); ++j) {
          if (j != i || (*results)[j].ok()) {
            (*results)[j] = Status::Unavailable("cannot begin transaction: " + again.message());
          }
        }
        return false;
      }
      if (i == committed_from) {  // it was alone in the transaction: nothing else to redo
        committed_from = ++i;
        continue;
      }
      savepoints = true;
      savepoint_batches_ = kSavepointBatches;
      for (size_t j = committed_from; j <= i; ++j) {
        (*results)[j] = Status::Ok();
        channels[j].clear();
      }
      i = committed_from;
      rerun_closures_.fetch_add(1);
    }
    // Numbered before it commits, so a reader whose snapshot holds this batch then sees a
    // committing_seq_ at least this batch's (see Read).
    committing_seq_.fetch_add(1);
    Status commit = c.Control("COMMIT");
    if (!commit.ok()) {
      (void)c.ExecScript("ROLLBACK");
      for (size_t j = committed_from; j < batch.size(); ++j) {
        if ((*results)[j].ok()) {
          (*results)[j] = Status::Unavailable("commit failed: " + commit.message());
        }
      }
      return false;
    }
    int64_t ok = 0;
    for (size_t j = committed_from; j < batch.size(); ++j) {
      if (!(*results)[j].ok()) continue;
      ++ok;
      for (std::string& ch : channels[j]) {
        if (std::find(committed_channels_.begin(), committed_channels_.end(), ch) ==
            committed_channels_.end()) {
          committed_channels_.push_back(std::move(ch));
        }
      }
    }
    commits_.fetch_add(ok);
    batches_.fetch_add(1);
    return true;
  }

  const std::string path_;
  const StoreOptions options_;
  Notifier notifier_;
  std::vector<std::string> committed_channels_;  // used only by writer_: to signal after a batch
  std::unique_ptr<Conn> writer_conn_;  // used only by writer_ after Init
  std::thread writer_;
  std::unique_ptr<Conn> checkpoint_conn_;  // used only by checkpointer_ after Init
  std::thread checkpointer_;
  std::mutex ckpt_mu_;
  std::condition_variable ckpt_cv_;
  bool ckpt_wanted_ = false;    // GUARDED_BY(ckpt_mu_)
  bool ckpt_stopping_ = false;  // GUARDED_BY(ckpt_mu_)
  // Frames of the WAL copied into the database as of the last checkpoint (may be stale: a
  // restart since then makes the WAL shorter than this).
  std::atomic<int> ckpt_copied_{0};
  int wal_pages_ = 0;  // the WAL's length at the last commit (writer_ only, in OnWalCommit)
  std::atomic<int64_t> checkpoints_{0};
  std::atomic<int64_t> wal_restarts_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<WriteRequest*> queue_;  // GUARDED_BY(mu_)
  bool stopping_ = false;            // GUARDED_BY(mu_)

  // Overlapped sync (default durability on a file): the WAL's descriptor and the syncer.
  int wal_fd_ = -1;  // set by Init
  std::thread syncer_;
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;     // the syncer waits for committed batches
  std::condition_variable durable_cv_;  // readers wait for a sync
  std::vector<SyncGroup> sync_queue_;  // GUARDED_BY(sync_mu_)
  bool sync_stopping_ = false;        // GUARDED_BY(sync_mu_)
  std::atomic<int64_t> committing_seq_{0};  // the last batch the writer began to commit
  std::atomic<int64_t> synced_seq_{0};      // every batch up to this one is durable
  std::atomic<bool> poisoned_{false};       // a WAL sync failed: nothing more is accepted
  std::atomic<int> sync_errno_{0};          // why (set before poisoned_)

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<Conn>> readers_;  // GUARDED_BY(readers_mu_)

  std::atomic<int64_t> commits_{0};
  std::atomic<int64_t> batches_{0};
  // Batches still to run with a savepoint per closure after a closure failed (writer_ only).
  static constexpr int kSavepointBatches = 64;
  int savepoint_batches_ = 0;
  std::atomic<int64_t> rerun_closures_{0};  // batches whose first closures ran again
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqlite(const std::string& path, const StoreOptions& options) {
  if (sqlite3_threadsafe() == 0) return Status::Internal("SQLite was built without thread support");
  StoreOptions opts = options;
  opts.checkpoint_pages = std::clamp(opts.checkpoint_pages, 1, 1 << 20);
  opts.wal_restart_pages = std::clamp(opts.wal_restart_pages, opts.checkpoint_pages, 1 << 24);
  auto store = std::make_unique<SqliteStore>(path, opts);
  Status st = store->Init();
  if (!st.ok()) return st;
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace steward::store
