#include "store/postgres/connection.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "store/postgres/placeholders.h"

namespace steward::store::postgres {
namespace {

// Type OIDs of the built-in types (catalog/pg_type.h; fixed across server versions).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;
constexpr Oid kUnknownOid = 0;  // let the server infer the parameter's type

constexpr std::string_view kConnectTimeoutSeconds = "10";
// Distinct statements a connection keeps prepared; past this all are dropped and re-prepared on
// use (statements built with variable IN lists could otherwise grow the cache without bound).
constexpr size_t kMaxPrepared = 2048;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

void IgnoreNotice(void*, const char*) {}

std::string Trimmed(const char* s) {
  std::string out = s ? s : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

Value ParseInt(const char* p, size_t len) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(p, p + len, v);
  if (ec == std::errc() && end == p + len) return v;
  return std::string(p, len);
}

Value ParseDouble(const char* p, size_t len) {
  double v = 0;
  auto [end, ec] = std::from_chars(p, p + len, v);
  if (ec == std::errc() && end == p + len) return v;
  return std::string(p, len);
}

Value ColumnValue(const PGresult* res, int row, int col) {
  if (PQgetisnull(res, row, col)) return Null{};
  const char* p = PQgetvalue(res, row, col);
  size_t len = static_cast<size_t>(PQgetlength(res, row, col));
  switch (PQftype(res, col)) {
    case kInt8Oid:
    case kInt4Oid:
    case kInt2Oid:
    case kOidOid:
      return ParseInt(p, len);
    case kBoolOid:
      return int64_t{len > 0 && p[0] == 't' ? 1 : 0};
    case kFloat4Oid:
    case kFloat8Oid:
      return ParseDouble(p, len);
    case kNumericOid:
      if (std::memchr(p, '.', len) == nullptr) {
        Value v = ParseInt(p, len);
        if (std::holds_alternative<int64_t>(v)) return v;
      }
      return ParseDouble(p, len);
    default:
      return std::string(p, len);
  }
}

Row RowAt(const PGresult* res, int row) {
  int n = PQnfields(res);
  std::vector<Value> values;
  values.reserve(static_cast<size_t>(n));
  for (int c = 0; c < n; ++c) values.push_back(ColumnValue(res, row, c));
  return Row(std::move(values));
}

// Parameter i as the text libpq sends; `buf` holds the text of numbers.
const char* ParamText(const Value& v, std::string* buf) {
  if (std::holds_alternative<Null>(v)) return nullptr;
  if (auto p = std::get_if<std::string>(&v)) return p->c_str();
  if (auto p = std::get_if<TextRef>(&v)) {
    buf->assign(p->text);  // libpq's text parameters end in NUL
    return buf->c_str();
  }
  if (auto p = std::get_if<int64_t>(&v)) {
    *buf = std::to_string(*p);
    return buf->c_str();
  }
  double d = std::get<double>(v);
  if (std::isnan(d)) {
    *buf = "NaN";
  } else if (std::isinf(d)) {
    *buf = d > 0 ? "Infinity" : "-Infinity";
  } else {
    char tmp[64];
    auto [end, ec] = std::to_chars(tmp, tmp + sizeof(tmp), d);
    buf->assign(tmp, ec == std::errc() ? end : tmp);
  }
  return buf->c_str();
}

char Signature(const Value& v) {
  if (std::holds_alternative<int64_t>(v)) return 'i';
  if (std::holds_alternative<double>(v)) return 'd';
  return 'u';
}

Oid TypeOf(const Value& v) {
  if (std::holds_alternative<int64_t>(v)) return kInt8Oid;
  if (std::holds_alternative<double>(v)) return kFloat8Oid;
  return kUnknownOid;
}

int64_t CommandTuples(const PGresult* res) {
  const char* n = PQcmdTuples(const_cast<PGresult*>(res));
  return n && *n ? std::atoll(n) : 0;
}

}  // namespace

std::shared_ptr<const SqlCache::Entry> SqlCache::Get(std::string_view sql) {
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    auto it = entries_.find(sql);
    if (it != entries_.end()) return it->second;
  }
  auto entry = std::make_shared<Entry>();
  entry->sql = ToDollarPlaceholders(sql, &entry->params);
  std::unique_lock<std::shared_mutex> lock(mu_);
  return entries_.emplace(std::string(sql), std::move(entry)).first->second;
}

Result<std::unique_ptr<Conn>> Conn::Connect(const std::string& url, SqlCache* cache) {
  // Options given before "dbname" are defaults the URL may override.
  const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
  const char* values[] = {kConnectTimeoutSeconds.data(), "steward", url.c_str(), nullptr};
  PGconn* pg = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (pg == nullptr) return Status::Unavailable("postgresql: out of memory connecting");
  if (PQstatus(pg) != CONNECTION_OK) {
    std::string msg = Trimmed(PQerrorMessage(pg));
    PQfinish(pg);
    return Status::Unavailable("postgresql: cannot connect: " + msg);
  }
  // Notices (e.g. "relation already exists, skipping") would otherwise go to stderr.
  PQsetNoticeProcessor(pg, &IgnoreNotice, nullptr);
  return std::unique_ptr<Conn>(new Conn(pg, cache));
}

Conn::~Conn() { PQfinish(pg_); }

bool Conn::healthy() const { return PQstatus(pg_) == CONNECTION_OK; }

bool Conn::reusable() const { return healthy() && PQtransactionStatus(pg_) == PQTRANS_IDLE; }

Status Conn::ErrorOf(const PGresult* res, std::string_view what, Failure* failure) const {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string_view code = state ? state : "";
  std::string server = res ? Trimmed(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)) : "";
  if (server.empty()) server = Trimmed(PQerrorMessage(pg_));
  std::string msg = "postgresql: " + std::string(what) + ": " +
                    (code.empty() ? std::string() : "SQLSTATE " + std::string(code) + ": ") +
                    server;
  Failure f = Failure::kOther;
  Status st = Status::Internal(msg);
  if (!healthy() || code.empty() || StartsWith(code, "08") || code == "57P01" || code == "57P02" ||
      code == "57P03") {
    f = Failure::kConnection;
    st = Status::Unavailable(msg);
  } else if (code == "40001" || code == "40P01") {
    f = Failure::kSerialization;
    st = Status::Unavailable(msg);
  } else if (StartsWith(code, "23")) {
    f = code == "23505" ? Failure::kUniqueViolation : Failure::kOther;
    st = Status::Conflict(msg);
  } else if (StartsWith(code, "53") || code == "55P03" || code == "57014") {
    // Out of resources, lock not available, statement cancelled: the server is busy.
    st = Status::Unavailable(msg);
  }
  if (failure) *failure = f;
  return st;
}

Status Conn::Script(std::string_view sql, Failure* failure, std::string* command_tag) {
  if (failure) *failure = Failure::kNone;
  ResultPtr res(PQexec(pg_, std::string(sql).c_str()));
  ExecStatusType s = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY) {
    return ErrorOf(res.get(), "script", failure);
  }
  if (command_tag) *command_tag = PQcmdStatus(res.get());
  return Status::Ok();
}

Result<const Conn::Prepared*> Conn::Prepare(std::string_view sql, const Value* params, size_t n,
                                            Failure* failure) {
  std::string key;
  key.reserve(n + 1 + sql.size());
  for (size_t i = 0; i < n; ++i) key += Signature(params[i]);
  key += '\n';
  key += sql;
  auto it = prepared_.find(key);
  if (it != prepared_.end()) return &it->second;

  if (prepared_.size() >= kMaxPrepared) {
    STEWARD_RETURN_IF_ERROR(Script("DEALLOCATE ALL", failure));
    prepared_.clear();
  }
  auto translated = cache_->Get(sql);
  if (static_cast<size_t>(translated->params) != n) {
    if (failure) *failure = Failure::kOther;
    return Status::Internal("parameter count mismatch: statement takes " +
                            std::to_string(translated->params) + ", given " + std::to_string(n));
  }
  std::vector<Oid> types(n);
  for (size_t i = 0; i < n; ++i) types[i] = TypeOf(params[i]);
  Prepared p{"s" + std::to_string(++next_statement_), translated->params};
  ResultPtr res(PQprepare(pg_, p.name.c_str(), translated->sql.c_str(), static_cast<int>(n),
                          n ? types.data() : nullptr));
  if (!res || PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
    return ErrorOf(res.get(), "prepare", failure);
  }
  return &prepared_.emplace(std::move(key), std::move(p)).first->second;
}

Result<int64_t> Conn::Run(std::string_view sql, const Value* params, size_t n,
                          const std::function<bool(const Row&)>* on_row, bool stream,
                          Failure* failure) {
  if (failure) *failure = Failure::kNone;
  STEWARD_ASSIGN_OR_RETURN(const Prepared* p, Prepare(sql, params, n, failure));
  std::vector<std::string> buffers(n);
  std::vector<const char*> values(n);
  for (size_t i = 0; i < n; ++i) values[i] = ParamText(params[i], &buffers[i]);
  const int count = static_cast<int>(n);
  const char* const* vals = n ? values.data() : nullptr;

  if (!stream || on_row == nullptr || !*on_row) {
    ResultPtr res(PQexecPrepared(pg_, p->name.c_str(), count, vals, nullptr, nullptr, 0));
    ExecStatusType s = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) return ErrorOf(res.get(), "exec", failure);
    if (s == PGRES_TUPLES_OK && on_row && *on_row) {
      int rows = PQntuples(res.get());
      for (int r = 0; r < rows; ++r) {
        if (!(*on_row)(RowAt(res.get(), r))) break;
      }
    }
    return CommandTuples(res.get());
  }

  if (!PQsendQueryPrepared(pg_, p->name.c_str(), count, vals, nullptr, nullptr, 0)) {
    return ErrorOf(nullptr, "send", failure);
  }
  PQsetSingleRowMode(pg_);
  bool wanted = true;
  Status error;
  int64_t tuples = 0;
  // Every result must be read, even after `on_row` stops or an error, to free the connection.
  while (PGresult* raw = PQgetResult(pg_)) {
    ResultPtr res(raw);
    ExecStatusType s = PQresultStatus(res.get());
    if (s == PGRES_SINGLE_TUPLE) {
      if (wanted && error.ok()) wanted = (*on_row)(RowAt(res.get(), 0));
    } else if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK) {
      tuples = CommandTuples(res.get());
    } else if (error.ok()) {
      error = ErrorOf(res.get(), "exec", failure);
    }
  }
  if (error.ok() && !healthy()) error = ErrorOf(nullptr, "exec", failure);
  if (!error.ok()) return error;
  return tuples;
}

}  // namespace steward::store::postgres
