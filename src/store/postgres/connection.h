#pragma once
// One libpq connection of the PostgreSQL backend, with its prepared-statement cache.
//
// Statements arrive in the store's portable form (`?` placeholders). The first time a connection
// sees a (statement, parameter types) pair it prepares it — translated to $1…$n through the
// store-wide SqlCache — and afterwards only executes it. Parameters travel as text: int64 typed
// int8, double typed float8, strings and NULLs untyped (the server infers them from the
// statement). Result columns come back as Values by their server type: int2/int4/int8/oid and
// bool (0/1) as int64, float4/float8 as double, numeric as int64 when integral and in range
// (SUM over BIGINT is numeric on PostgreSQL, an integer on SQLite) else double, SQL NULL as Null,
// everything else as text.
//
// Errors carry a Failure telling the caller whether re-running the transaction can help:
// serialization failures and deadlocks (40001, 40P01) and lost connections can be retried;
// unique violations (23505) may be a race with a concurrent insert the snapshot could not see.
// Status codes: 23xxx → Conflict; connection loss, 40001/40P01, lack of resources → Unavailable;
// anything else → Internal; messages carry the SQLSTATE and the server's message.
//
// Thread-safety: none; a Conn is used by one thread at a time (the pool hands it out).

#include <libpq-fe.h>

#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"
#include "store/store.h"

namespace steward::store::postgres {

// Why a statement failed, as far as retrying the transaction is concerned.
enum class Failure {
  kNone,
  kSerialization,    // 40001 serialization_failure, 40P01 deadlock_detected
  kConnection,       // the connection is gone; the server may or may not have seen the statement
  kUniqueViolation,  // 23505
  kOther,
};

// `?`→`$n` translations shared by all connections of a store. Thread-safe.
class SqlCache {
 public:
  struct Entry {
    std::string sql;  // with $n placeholders
    int params = 0;
  };
  // The translation of `sql`, computed once per distinct text.
  std::shared_ptr<const Entry> Get(std::string_view sql);

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::shared_mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Entry>, Hash, std::equal_to<>>
      entries_;  // GUARDED_BY(mu_)
};

class Conn {
 public:
  // Connects to `url` (a libpq URI, postgresql://…). Errors: Unavailable.
  static Result<std::unique_ptr<Conn>> Connect(const std::string& url, SqlCache* cache);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Runs a script of parameterless statements in one simple-protocol round trip. When
  // `command_tag` is given it receives the tag of the last statement (e.g. "COMMIT", or
  // "ROLLBACK" for a COMMIT of a failed transaction).
  Status Script(std::string_view sql, Failure* failure, std::string* command_tag = nullptr);

  // Runs one statement with `?` placeholders bound to params[0..n). Calls `on_row` (when not
  // null) for each result row; with `stream` the rows arrive one at a time (single-row mode,
  // bounded memory) and `on_row` returning false discards the rest. Returns the number of rows
  // the statement changed (or returned, for a SELECT).
  Result<int64_t> Run(std::string_view sql, const Value* params, size_t n,
                      const std::function<bool(const Row&)>* on_row, bool stream, Failure* failure);

  // False once the connection is lost.
  bool healthy() const;
  // True when the connection may go back to the pool: healthy and outside any transaction.
  bool reusable() const;

 private:
  struct Prepared {
    std::string name;
    int params = 0;
  };
  Conn(PGconn* pg, SqlCache* cache) : pg_(pg), cache_(cache) {}
  Result<const Prepared*> Prepare(std::string_view sql, const Value* params, size_t n,
                                  Failure* failure);
  Status ErrorOf(const PGresult* res, std::string_view what, Failure* failure) const;

  PGconn* pg_;
  SqlCache* cache_;
  std::unordered_map<std::string, Prepared> prepared_;  // key: signature + '\n' + sql
  int64_t next_statement_ = 0;
};

}  // namespace steward::store::postgres
