#include "store/store.h"

#include "store/sqlite/sqlite_store.h"

#ifdef STEWARD_WITH_POSTGRES
#include "store/postgres/postgres_store.h"
#endif

namespace steward::store {

int64_t Row::Int(size_t i) const {
  const Value& v = values_.at(i);
  if (auto p = std::get_if<int64_t>(&v)) return *p;
  if (auto p = std::get_if<double>(&v)) return static_cast<int64_t>(*p);
  if (auto p = std::get_if<std::string>(&v)) return std::atoll(p->c_str());
  if (auto p = std::get_if<TextRef>(&v)) return std::atoll(std::string(p->text).c_str());
  return 0;
}

double Row::Real(size_t i) const {
  const Value& v = values_.at(i);
  if (auto p = std::get_if<double>(&v)) return *p;
  if (auto p = std::get_if<int64_t>(&v)) return static_cast<double>(*p);
  if (auto p = std::get_if<std::string>(&v)) return std::atof(p->c_str());
  if (auto p = std::get_if<TextRef>(&v)) return std::atof(std::string(p->text).c_str());
  return 0.0;
}

std::string_view Row::TextView(size_t i) const {
  const Value& v = values_.at(i);
  if (auto p = std::get_if<std::string>(&v)) return *p;
  if (auto p = std::get_if<TextRef>(&v)) return p->text;
  return {};
}

std::string Row::Text(size_t i) const {
  const Value& v = values_.at(i);
  if (auto p = std::get_if<std::string>(&v)) return *p;
  if (auto p = std::get_if<TextRef>(&v)) return std::string(p->text);
  if (auto p = std::get_if<int64_t>(&v)) return std::to_string(*p);
  if (auto p = std::get_if<double>(&v)) return std::to_string(*p);
  return {};
}

std::optional<std::string> Row::OptText(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Text(i);
}

std::optional<int64_t> Row::OptInt(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Int(i);
}

std::optional<double> Row::OptReal(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Real(i);
}

Result<std::optional<Row>> Txn::QueryOne(std::string_view sql, Params params) {
  auto rows = Query(sql, params);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows->front()));
}

Result<std::optional<int64_t>> Txn::InsertId(std::string_view insert,
                                             const std::vector<Value>& params,
                                             std::string_view id_column) {
  if (backend() == "sqlite") {
    STEWARD_ASSIGN_OR_RETURN(int64_t changed, ExecV(insert, params));
    if (changed != 1) return std::optional<int64_t>();
    // The top-level statement's rowid: a trigger's inserts change it only while the trigger runs.
    STEWARD_ASSIGN_OR_RETURN(auto id, QueryOne("SELECT last_insert_rowid()"));
    return std::optional<int64_t>(id->Int(0));
  }
  STEWARD_ASSIGN_OR_RETURN(
      auto rows, QueryV(std::string(insert) + " RETURNING " + std::string(id_column), params));
  if (rows.empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(rows.front().Int(0));
}

Result<std::unique_ptr<Store>> Open(const std::string& url, const StoreOptions& options) {
  constexpr std::string_view kSqlite = "sqlite://";
  if (url.rfind(kSqlite, 0) == 0) {
    std::string path = url.substr(kSqlite.size());
    if (path.empty()) return Status::InvalidArgument("sqlite URL has no path: " + url);
    return OpenSqlite(path, options);
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
#ifdef STEWARD_WITH_POSTGRES
    return OpenPostgres(url, options);
#else
    return Status::InvalidArgument(
        "this build has no PostgreSQL backend (configure with -DSTEWARD_WITH_POSTGRES=ON)");
#endif
  }
  return Status::InvalidArgument("unknown store URL scheme (expected sqlite:// or postgresql://): " +
                                 url);
}

Result<int> Migrate(const std::string& url) {
  auto store = Open(url);
  if (!store.ok()) return store.status();
  return (*store)->SchemaVersion();
}

}  // namespace steward::store
