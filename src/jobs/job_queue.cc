#include "jobs/job_queue.h"

#include <algorithm>

#include "common/json.h"

namespace steward::jobs {
namespace {

constexpr std::string_view kColumns =
    "job_id, tenant_id, type, payload, dedupe_key, status, run_at, attempts, lease_owner, "
    "lease_expires_at, last_error, created_at, updated_at";

std::string Name(JobState s) { return std::string(JobStateName(s)); }

Job JobFromRow(const store::Row& r) {
  Job j;
  j.job_id = r.Int(0);
  j.tenant_id = r.Text(1);
  j.type = r.Text(2);
  j.payload_json = r.Text(3);
  j.dedupe_key = r.Text(4);
  j.state = ParseJobState(r.Text(5)).value_or(JobState::kFailed);
  j.run_at_ms = r.Int(6);
  j.attempts = r.Int(7);
  j.lease_owner = r.Text(8);
  j.lease_expires_at_ms = r.OptInt(9);
  j.last_error = r.Text(10);
  j.created_at_ms = r.Int(11);
  j.updated_at_ms = r.Int(12);
  return j;
}

// `error` cut to kMaxErrorLength bytes without splitting a UTF-8 sequence.
std::string Truncated(std::string_view error) {
  if (error.size() <= kMaxErrorLength) return std::string(error);
  size_t n = kMaxErrorLength;
  while (n > 0 && (static_cast<unsigned char>(error[n]) & 0xC0) == 0x80) --n;
  return std::string(error.substr(0, n));
}

// " AND type IN (?, …)" for a non-empty `types`, appending them to *params.
std::string TypeFilter(const std::vector<std::string>& types, std::vector<store::Value>* params) {
  if (types.empty()) return {};
  std::string sql = " AND type IN (";
  for (size_t i = 0; i < types.size(); ++i) {
    sql += i ? ", ?" : "?";
    params->emplace_back(types[i]);
  }
  sql += ")";
  return sql;
}

// The claim statements, one per way a job becomes claimable, each served by an index in order
// (jobs_due (status, run_at) and jobs_leases (status, lease_expires_at)) so a claim reads only
// the rows it takes, however long the queue is. PostgreSQL adds FOR UPDATE SKIP LOCKED at the
// end of the subquery, so concurrent claimers skip each other's rows instead of waiting;
// SQLite's single writer makes the UPDATE atomic already. Portable:
// UPDATE … WHERE id IN (SELECT … LIMIT ?) RETURNING.
std::string ClaimSql(bool expired_leases, bool skip_locked, const std::vector<std::string>& types,
                     std::vector<store::Value>* params) {
  std::string type_filter = TypeFilter(types, params);
  std::string which = expired_leases ? "status = 'RUNNING' AND lease_expires_at < ?" + type_filter +
                                           " ORDER BY lease_expires_at, job_id"
                                     : "status = 'PENDING' AND run_at <= ?" + type_filter +
                                           " ORDER BY run_at, job_id";
  return "UPDATE jobs SET status = 'RUNNING', lease_owner = ?, lease_expires_at = ?, "
         "attempts = attempts + 1, updated_at = ? WHERE job_id IN (SELECT job_id FROM jobs WHERE " +
         which + " LIMIT ?" + (skip_locked ? " FOR UPDATE SKIP LOCKED" : "") + ") RETURNING " +
         std::string(kColumns);
}

Result<bool> ChangedOne(const Result<int64_t>& r) {
  if (!r.ok()) return r.status();
  return *r == 1;
}

Status RequireWritable(const store::Txn& txn) {
  return txn.writable() ? Status::Ok()
                        : Status::Internal("job queue write outside a write transaction");
}

}  // namespace

Result<int64_t> Enqueue(store::Txn& txn, std::string_view tenant_id, std::string_view type,
                        std::string_view payload_json, int64_t run_at_ms, int64_t now_ms,
                        std::string_view dedupe_key) {
  STEWARD_RETURN_IF_ERROR(RequireWritable(txn));
  if (tenant_id.empty()) return Status::InvalidArgument("tenant_id is required", "tenant_id");
  if (type.empty()) return Status::InvalidArgument("job type is required", "type");
  // Validated without building it (no allocation); payloads are made by this process.
  if (!Json::accept(payload_json)) {
    return Status::InvalidArgument("job payload is not valid JSON", "payload");
  }
  // A NULL key never conflicts (NULLs are distinct in the unique index jobs_dedupe).
  constexpr std::string_view kInsert =
      "INSERT INTO jobs (tenant_id, type, payload, dedupe_key, status, run_at, attempts, "
      "created_at, updated_at) VALUES (?, ?, ?, ?, 'PENDING', ?, 0, ?, ?) "
      "ON CONFLICT (tenant_id, type, dedupe_key) DO NOTHING";
  std::vector<store::Value> values = {
      store::TextRef{tenant_id},
      store::TextRef{type},
      store::TextRef{payload_json},
      dedupe_key.empty() ? store::Value(store::Null{}) : store::TextRef{dedupe_key},
      run_at_ms,
      now_ms,
      now_ms};
  STEWARD_ASSIGN_OR_RETURN(std::optional<int64_t> inserted,
                           txn.InsertId(kInsert, values, "job_id"));
  if (inserted) {
    txn.NotifyOnCommit(kJobsChannel);
    return *inserted;
  }
  STEWARD_ASSIGN_OR_RETURN(
      auto existing,
      txn.QueryOne("SELECT job_id FROM jobs WHERE tenant_id = ? AND type = ? AND dedupe_key = ?",
                   {store::TextRef{tenant_id}, store::TextRef{type}, store::TextRef{dedupe_key}}));
  if (!existing) return Status::Internal("job dedupe conflict without an existing job");
  return existing->Int(0);
}

Result<std::vector<Job>> Claim(store::Txn& txn, std::string_view owner, int64_t now_ms,
                               int64_t lease_ms, int limit, const std::vector<std::string>& types) {
  STEWARD_RETURN_IF_ERROR(RequireWritable(txn));
  if (owner.empty()) return Status::InvalidArgument("lease owner is required", "owner");
  if (lease_ms <= 0) return Status::InvalidArgument("lease must be positive", "lease_ms");
  if (limit < 1) return Status::InvalidArgument("claim limit must be at least 1", "limit");
  std::vector<Job> jobs;
  // Jobs whose holder died first (they are the oldest work), then due pending jobs.
  for (bool expired : {true, false}) {
    int left = limit - static_cast<int>(jobs.size());
    if (left <= 0) break;
    std::vector<store::Value> params = {std::string(owner), now_ms + lease_ms, now_ms, now_ms};
    std::string sql = ClaimSql(expired, txn.backend() == "postgresql", types, &params);
    params.emplace_back(int64_t{left});
    STEWARD_ASSIGN_OR_RETURN(std::vector<store::Row> rows, txn.QueryV(sql, params));
    for (const auto& r : rows) jobs.push_back(JobFromRow(r));
  }
  // RETURNING gives no order.
  std::sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) {
    return a.run_at_ms != b.run_at_ms ? a.run_at_ms < b.run_at_ms : a.job_id < b.job_id;
  });
  return jobs;
}

Result<bool> Complete(store::Txn& txn, int64_t job_id, std::string_view owner) {
  STEWARD_RETURN_IF_ERROR(RequireWritable(txn));
  return ChangedOne(
      txn.Exec("DELETE FROM jobs WHERE job_id = ? AND status = 'RUNNING' AND lease_owner = ?",
               {job_id, std::string(owner)}));
}

Result<bool> RetryAt(store::Txn& txn, int64_t job_id, std::string_view owner, int64_t run_at_ms,
                     std::string_view error, int64_t now_ms) {
  STEWARD_RETURN_IF_ERROR(RequireWritable(txn));
  txn.NotifyOnCommit(kJobsChannel);
  return ChangedOne(txn.Exec(
      "UPDATE jobs SET status = 'PENDING', run_at = ?, lease_owner = NULL, "
      "lease_expires_at = NULL, last_error = ?, updated_at = ? "
      "WHERE job_id = ? AND status = 'RUNNING' AND lease_owner = ?",
      {run_at_ms, store::TextOrNull(Truncated(error)), now_ms, job_id, std::string(owner)}));
}

Result<bool> Fail(store::Txn& txn, int64_t job_id, std::string_view owner, std::string_view error,
                  int64_t now_ms) {
  STEWARD_RETURN_IF_ERROR(RequireWritable(txn));
  return ChangedOne(
      txn.Exec("UPDATE jobs SET status = 'FAILED', lease_owner = NULL, lease_expires_at = NULL, "
               "last_error = ?, updated_at = ? "
               "WHERE job_id = ? AND status = 'RUNNING' AND lease_owner = ?",
               {Truncated(error), now_ms, job_id, std::string(owner)}));
}

Result<bool> ExtendLease(store::Txn& txn, int64_t job_id, std::string_view owner,
                         int64_t until_ms) {
  STEWARD_RETURN_IF_ERROR(RequireWritable(txn));
  return ChangedOne(
      txn.Exec("UPDATE jobs SET lease_expires_at = ? "
               "WHERE job_id = ? AND status = 'RUNNING' AND lease_owner = ?",
               {until_ms, job_id, std::string(owner)}));
}

Result<bool> Release(store::Txn& txn, int64_t job_id, std::string_view owner, int64_t now_ms) {
  STEWARD_RETURN_IF_ERROR(RequireWritable(txn));
  txn.NotifyOnCommit(kJobsChannel);
  return ChangedOne(
      txn.Exec("UPDATE jobs SET status = 'PENDING', lease_owner = NULL, lease_expires_at = NULL, "
               "attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, updated_at = ? "
               "WHERE job_id = ? AND status = 'RUNNING' AND lease_owner = ?",
               {now_ms, job_id, std::string(owner)}));
}

Result<int64_t> ReleaseOwner(store::Txn& txn, std::string_view owner, int64_t now_ms) {
  STEWARD_RETURN_IF_ERROR(RequireWritable(txn));
  if (owner.empty()) return Status::InvalidArgument("lease owner is required", "owner");
  txn.NotifyOnCommit(kJobsChannel);
  return txn.Exec(
      "UPDATE jobs SET status = 'PENDING', lease_owner = NULL, lease_expires_at = NULL, "
      "attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, updated_at = ? "
      "WHERE status = 'RUNNING' AND lease_owner = ?",
      {now_ms, std::string(owner)});
}

Result<std::optional<Job>> Get(store::Txn& txn, int64_t job_id) {
  STEWARD_ASSIGN_OR_RETURN(
      auto row,
      txn.QueryOne("SELECT " + std::string(kColumns) + " FROM jobs WHERE job_id = ?", {job_id}));
  if (!row) return std::optional<Job>();
  return std::optional<Job>(JobFromRow(*row));
}

Result<int64_t> PendingCount(store::Txn& txn, std::string_view tenant_id, std::string_view type) {
  if (type.empty()) {
    // Kept by the triggers of schema v2; one primary-key read.
    STEWARD_ASSIGN_OR_RETURN(auto row,
                             txn.QueryOne("SELECT active FROM job_backlog WHERE tenant_id = ?",
                                          {std::string(tenant_id)}));
    return row ? row->Int(0) : int64_t{0};
  }
  // The type is written into the statement, not bound: a planner uses a partial index (schema
  // v11's jobs_webhook_backlog) only for a query that names its literal. Job types are the
  // process's own constants; anything else is refused rather than quoted.
  for (char c : type) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '.' || c == '-')) {
      return Status::InvalidArgument("job type must match [A-Za-z0-9_.-]+", "type");
    }
  }
  std::string sql =
      "SELECT COUNT(*) FROM jobs WHERE tenant_id = ? AND status IN ('PENDING', 'RUNNING') AND "
      "type = '" +
      std::string(type) + "'";
  STEWARD_ASSIGN_OR_RETURN(std::vector<store::Row> rows, txn.QueryV(sql, {std::string(tenant_id)}));
  return rows.empty() ? int64_t{0} : rows.front().Int(0);
}

Result<int64_t> CountByState(store::Txn& txn, JobState state, std::string_view type) {
  std::vector<store::Value> params = {Name(state)};
  std::string sql = "SELECT COUNT(*) FROM jobs WHERE status = ?";
  if (!type.empty()) {
    sql += " AND type = ?";
    params.emplace_back(std::string(type));
  }
  STEWARD_ASSIGN_OR_RETURN(std::vector<store::Row> rows, txn.QueryV(sql, params));
  return rows.empty() ? int64_t{0} : rows.front().Int(0);
}

Result<std::vector<TypeStateCount>> CountByTypeAndState(store::Txn& txn) {
  STEWARD_ASSIGN_OR_RETURN(
      std::vector<store::Row> rows,
      txn.Query("SELECT type, status, COUNT(*) FROM jobs GROUP BY type, status "
                "ORDER BY type, status"));
  std::vector<TypeStateCount> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    out.push_back({r.Text(0), ParseJobState(r.Text(1)).value_or(JobState::kFailed), r.Int(2)});
  }
  return out;
}

Result<std::optional<int64_t>> NextRunAt(store::Txn& txn, const std::vector<std::string>& types) {
  std::vector<store::Value> params;
  std::string sql =
      "SELECT MIN(run_at) FROM jobs WHERE status = 'PENDING'" + TypeFilter(types, &params);
  STEWARD_ASSIGN_OR_RETURN(std::vector<store::Row> rows, txn.QueryV(sql, params));
  if (rows.empty() || rows.front().IsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(rows.front().Int(0));
}

}  // namespace steward::jobs
