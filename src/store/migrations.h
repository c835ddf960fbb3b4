#pragma once
// Versioned schema migrations. Each migration is applied once, in order, inside one transaction,
// and recorded in schema_migrations. A database newer than this binary refuses to open.
// Every version has one script per backend describing the same logical schema; the PostgreSQL
// script spells SQLite's INTEGER as BIGINT, AUTOINCREMENT keys as identity columns and triggers
// as plpgsql functions.

#include <string_view>
#include <vector>

namespace steward::store {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sqlite_sql;    // a script run by sqlite3_exec (triggers may hold ;)
  std::string_view postgres_sql;  // a script run by one simple-protocol query (PQexec)
};

// All migrations known to this binary, ascending by version.
const std::vector<Migration>& Migrations();
int LatestSchemaVersion();

}  // namespace steward::store
