#include "audit/export_service.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "audit/export_format.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/log.h"
#include "common/time_util.h"
#include "jobs/job_queue.h"
#include "ledger/event_types.h"
#include "ledger/ledger.h"

namespace steward::audit {
namespace {

constexpr int64_t kDayMs = 86400LL * 1000;
constexpr int64_t kMaxRangeMs = 366 * kDayMs;

// A date (YYYY-MM-DD: the whole UTC day) or an RFC 3339 instant. `end` picks the day's last ms.
Result<int64_t> ParseBound(const Json& body, const char* field, bool end) {
  std::string text;
  STEWARD_RETURN_IF_ERROR(GetString(body, field, &text));
  if (text.size() == 10) {
    auto d = ParseDate(text);
    if (!d.ok()) return Status::InvalidArgument(std::string(field) + " is not a valid date (YYYY-MM-DD)", field);
    return end ? *d + kDayMs - 1 : *d;
  }
  auto t = ParseTimestamp(text);
  if (!t.ok()) {
    return Status::InvalidArgument(std::string(field) + " must be a date (YYYY-MM-DD) or an RFC 3339 instant", field);
  }
  return *t;
}

Status SyncFile(std::FILE* f) {
  if (std::fflush(f) != 0 || ::fsync(::fileno(f)) != 0) {
    return Status::Unavailable(std::string("fsync of the export failed: ") + std::strerror(errno));
  }
  return Status::Ok();
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Status::Unavailable("cannot open " + dir + ": " + std::strerror(errno));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::Unavailable("fsync of " + dir + " failed: " + std::strerror(errno));
  return Status::Ok();
}

struct ExportRow {
  std::string export_id, tenant_id, account_id, format, status, sha256, file_path, error, by;
  int64_t from_ms = 0, to_ms = 0, created_at = 0;
  std::optional<int64_t> row_count, bytes, started_at, completed_at, file_expires_at;
};

constexpr std::string_view kCols =
    "SELECT export_id, tenant_id, account_id, from_ms, to_ms, format, status, row_count, bytes, "
    "sha256, file_path, error_message, requested_by, created_at, started_at, completed_at, "
    "file_expires_at FROM audit_exports ";

ExportRow FromRow(const store::Row& r) {
  ExportRow e;
  e.export_id = r.Text(0);
  e.tenant_id = r.Text(1);
  e.account_id = r.Text(2);
  e.from_ms = r.Int(3);
  e.to_ms = r.Int(4);
  e.format = r.Text(5);
  e.status = r.Text(6);
  e.row_count = r.OptInt(7);
  e.bytes = r.OptInt(8);
  e.sha256 = r.Text(9);
  e.file_path = r.Text(10);
  e.error = r.Text(11);
  e.by = r.Text(12);
  e.created_at = r.Int(13);
  e.started_at = r.OptInt(14);
  e.completed_at = r.OptInt(15);
  e.file_expires_at = r.OptInt(16);
  return e;
}

Json OptTime(std::optional<int64_t> ms) { return ms ? Json(FormatTimestamp(*ms)) : Json(nullptr); }
Json OptInt(std::optional<int64_t> v) { return v ? Json(*v) : Json(nullptr); }
Json OptText(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

}  // namespace

void ExportService::SetPublicBaseUrl(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  std::lock_guard<std::mutex> lock(url_mu_);
  public_base_url_ = std::move(url);
}

std::string ExportService::PublicBaseUrl() const {
  std::lock_guard<std::mutex> lock(url_mu_);
  return public_base_url_;
}

std::string ExportService::Sign(std::string_view export_id, std::string_view tenant_id,
                                int64_t expires_s) const {
  return HmacSha256Hex(options_.signing_secret, std::string(export_id) + "\n" +
                                                    std::string(tenant_id) + "\n" +
                                                    std::to_string(expires_s));
}

Status ExportService::Create(const Actor& actor, const Json& body, Json* out) {
  STEWARD_RETURN_IF_ERROR(RejectUnknownFields(body, {"from", "to", "format", "account_id"}));
  STEWARD_ASSIGN_OR_RETURN(int64_t from, ParseBound(body, "from", false));
  STEWARD_ASSIGN_OR_RETURN(int64_t to, ParseBound(body, "to", true));
  if (to < from) return Status::InvalidArgument("to is before from", "to");
  if (to - from >= kMaxRangeMs) return Status::InvalidArgument("the range is longer than 366 days", "to");
  std::string format_name = "csv", account;
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "format", &format_name));
  auto format = ParseExportFormat(format_name);
  if (!format) return Status::InvalidArgument("format must be csv, json or ndjson", "format");
  bool has_account = false;
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "account_id", &account, &has_account));
  if (has_account) STEWARD_RETURN_IF_ERROR(ValidateId(account, "account_id"));
  const int64_t now = clock_->NowMs();
  const std::string id = NewId("exp", now);
  Status st = store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_RETURN_IF_ERROR(
        txn.Exec("INSERT INTO audit_exports (export_id, tenant_id, account_id, from_ms, to_ms, "
                 "format, status, requested_by, created_at) VALUES (?, ?, ?, ?, ?, ?, 'PENDING', ?, ?)",
                 {id, actor.tenant_id, store::TextOrNull(account), from, to,
                  std::string(ExportFormatName(*format)), actor.subject, now})
            .status());
    ledger::AppendRequest meta;
    meta.event_type = std::string(ledger::kAuditExportRequested);
    meta.account_id = account;
    meta.actor = actor.subject;
    auto e = ledger::Append(txn, actor.tenant_id, now, meta,
                            Json{{"export_id", id},
                                 {"from", FormatTimestamp(from)},
                                 {"to", FormatTimestamp(to)},
                                 {"format", ExportFormatName(*format)},
                                 {"account_id", OptText(account)}});
    if (!e.ok()) return e.status();
    Json payload = {{"export_id", id}};
    return jobs::Enqueue(txn, actor.tenant_id, kJobAuditExport, payload.dump(), now, now, id).status();
  });
  if (!st.ok()) return st;
  if (waker_) waker_->Wake();
  *out = Json{{"export_id", id},
              {"status", "PENDING"},
              {"format", ExportFormatName(*format)},
              {"from", FormatTimestamp(from)},
              {"to", FormatTimestamp(to)},
              {"account_id", OptText(account)},
              {"created_at", FormatTimestamp(now)}};
  return Status::Ok();
}

Status ExportService::Get(const Actor& actor, std::string_view export_id, Json* out) {
  STEWARD_RETURN_IF_ERROR(ValidateId(export_id, "export_id"));
  const int64_t now = clock_->NowMs();
  return store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto row, txn.QueryOne(std::string(kCols) + "WHERE tenant_id = ? AND export_id = ?",
                                                    {actor.tenant_id, std::string(export_id)}));
    if (!row) return Status::NotFound("export " + std::string(export_id) + " not found");
    ExportRow e = FromRow(*row);
    Json url = nullptr, expires = nullptr;
    if (e.status == "COMPLETED") {
      int64_t exp_ms = now + options_.link_ttl_ms;
      if (e.file_expires_at) exp_ms = std::min(exp_ms, *e.file_expires_at);
      int64_t exp_s = exp_ms / 1000;
      url = PublicBaseUrl() + "/v1/downloads/" + e.export_id + "?expires=" +
            std::to_string(exp_s) + "&sig=" + Sign(e.export_id, e.tenant_id, exp_s);
      expires = FormatTimestamp(exp_s * 1000);
    }
    *out = Json{{"export_id", e.export_id},
                {"status", e.status},
                {"format", e.format},
                {"from", FormatTimestamp(e.from_ms)},
                {"to", FormatTimestamp(e.to_ms)},
                {"account_id", OptText(e.account_id)},
                {"row_count", OptInt(e.row_count)},
                {"bytes", OptInt(e.bytes)},
                {"sha256", OptText(e.sha256)},
                {"presigned_url", url},
                {"expires_at", expires},
                {"error_message", OptText(e.error)},
                {"requested_by", e.by},
                {"created_at", FormatTimestamp(e.created_at)},
                {"started_at", OptTime(e.started_at)},
                {"completed_at", OptTime(e.completed_at)},
                {"file_expires_at", OptTime(e.file_expires_at)}};
    return Status::Ok();
  });
}

Status ExportService::List(const Actor& actor, int limit, std::string_view cursor, Json* out) {
  std::vector<store::Value> params = {actor.tenant_id};
  std::string sql = std::string(kCols) + "WHERE tenant_id = ?";
  if (!cursor.empty()) {
    std::string text;
    size_t bar = std::string::npos;
    int64_t at = 0;
    if (!Base64UrlDecode(cursor, &text) || (bar = text.find('|')) == std::string::npos) {
      return Status::InvalidArgument("cursor is not valid", "cursor");
    }
    try {
      at = std::stoll(text.substr(0, bar));
    } catch (const std::exception&) {
      return Status::InvalidArgument("cursor is not valid", "cursor");
    }
    sql += " AND (created_at < ? OR (created_at = ? AND export_id < ?))";
    params.insert(params.end(), {at, at, text.substr(bar + 1)});
  }
  sql += " ORDER BY created_at DESC, export_id DESC LIMIT ?";
  params.emplace_back(int64_t{limit} + 1);
  std::vector<std::string> ids;
  std::string next;
  Status st = store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto rows, txn.QueryV(sql, params));
    for (size_t i = 0; i < rows.size() && static_cast<int>(i) < limit; ++i) {
      ExportRow e = FromRow(rows[i]);
      ids.push_back(e.export_id);
      if (static_cast<int>(i) == limit - 1 && static_cast<int>(rows.size()) > limit) {
        next = Base64UrlEncode(std::to_string(e.created_at) + "|" + e.export_id);
      }
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  Json items = Json::array();
  for (const auto& id : ids) {
    Json one;
    STEWARD_RETURN_IF_ERROR(Get(actor, id, &one));
    items.push_back(std::move(one));
  }
  *out = Json{{"items", items}, {"next_cursor", next.empty() ? Json(nullptr) : Json(next)}};
  return Status::Ok();
}

Status ExportService::Resolve(std::string_view export_id, std::string_view expires,
                              std::string_view sig, Download* out) {
  STEWARD_RETURN_IF_ERROR(ValidateId(export_id, "export_id"));
  if (expires.empty() || sig.empty()) {
    return Status::InvalidArgument("a download link needs expires and sig", expires.empty() ? "expires" : "sig");
  }
  int64_t exp_s = 0;
  for (char c : expires) {
    if (c < '0' || c > '9' || exp_s > (int64_t{1} << 40)) {
      return Status::InvalidArgument("expires must be a Unix time in seconds", "expires");
    }
    exp_s = exp_s * 10 + (c - '0');
  }
  const int64_t now = clock_->NowMs();
  ExportRow e;
  bool found = false;
  STEWARD_RETURN_IF_ERROR(store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto row, txn.QueryOne(std::string(kCols) + "WHERE export_id = ?",
                                                    {std::string(export_id)}));
    if (row) {
      e = FromRow(*row);
      found = true;
    }
    return Status::Ok();
  }));
  // The signature covers the tenant, so a link re-signed for another tenant never matches; an
  // unknown id answers the same 403 as a bad signature (ids are not disclosed).
  if (!found || !ConstantTimeEquals(Sign(e.export_id, e.tenant_id, exp_s), sig)) {
    return Status::PermissionDenied("the download link's signature is not valid");
  }
  if (exp_s * 1000 < now) return Status(Code::kGone, "the download link expired; ask for a new one");
  if (e.status == "EXPIRED") return Status(Code::kGone, "the export file was removed after its retention");
  if (e.status != "COMPLETED") return Status::NotFound("the export is " + e.status + ", not ready");
  std::error_code ec;
  auto size = std::filesystem::file_size(e.file_path, ec);
  if (ec) return Status::NotFound("the export file is missing");
  auto format = ParseExportFormat(e.format).value_or(ExportFormat::kCsv);
  out->file_path = e.file_path;
  out->content_type = std::string(ExportContentType(format));
  out->file_name = "steward-audit-" + e.export_id + "." + std::string(ExportExtension(format));
  out->bytes = static_cast<int64_t>(size);
  return Status::Ok();
}

Status ExportService::Run(const std::string& tenant_id, const std::string& export_id) {
  ExportRow e;
  bool found = false;
  const int64_t started = clock_->NowMs();
  STEWARD_RETURN_IF_ERROR(store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto row, txn.QueryOne(std::string(kCols) + "WHERE tenant_id = ? AND export_id = ?",
                                                    {tenant_id, export_id}));
    if (!row) return Status::Ok();
    e = FromRow(*row);
    found = true;
    if (e.status != "PENDING" && e.status != "RUNNING") return Status::Ok();
    return txn.Exec("UPDATE audit_exports SET status = 'RUNNING', started_at = ? WHERE tenant_id = ? "
                    "AND export_id = ?",
                    {started, tenant_id, export_id})
        .status();
  }));
  if (!found || (e.status != "PENDING" && e.status != "RUNNING")) return Status::Ok();
  auto format = ParseExportFormat(e.format).value_or(ExportFormat::kCsv);

  std::error_code ec;
  std::filesystem::create_directories(options_.directory, ec);
  if (ec) return Status::Unavailable("cannot create " + options_.directory + ": " + ec.message());
  const std::string final_path =
      options_.directory + "/" + export_id + "." + std::string(ExportExtension(format));
  const std::string tmp_path = final_path + ".tmp";
  std::FILE* f = std::fopen(tmp_path.c_str(), "wb");  // truncates what a crashed run left
  if (!f) return Status::Unavailable("cannot write " + tmp_path + ": " + std::strerror(errno));
  std::setvbuf(f, nullptr, _IONBF, 0);  // the writer buffers 1 MiB itself
  ExportWriter writer(f, format);
  Status st = writer.Begin();
  std::optional<std::pair<int64_t, int64_t>> range;
  if (st.ok()) {
    st = store_->Read([&](store::Txn& txn) -> Status {
      STEWARD_ASSIGN_OR_RETURN(range, ledger::SeqRangeOf(txn, tenant_id, e.from_ms, e.to_ms));
      return Status::Ok();
    });
  }
  ledger::Filter filter;
  filter.account_id = e.account_id;
  filter.from_ms = e.from_ms;
  filter.to_ms = e.to_ms;
  int64_t after = range ? range->first - 1 : 0;
  const int64_t last = range ? range->second : 0;
  while (st.ok() && range && after < last) {
    int64_t got = 0;
    st = store_->Read([&](store::Txn& txn) -> Status {
      Status inner;
      Status scan = ledger::ScanSeqRange(txn, tenant_id, filter, after, last, options_.page_rows,
                                         [&](const ledger::Entry& entry) {
                                           ++got;
                                           after = entry.seq;
                                           inner = writer.Write(entry);
                                           return inner.ok();
                                         });
      return scan.ok() ? inner : scan;
    });
    if (got < options_.page_rows) break;
  }
  if (st.ok()) st = writer.End();
  if (st.ok()) st = SyncFile(f);
  std::fclose(f);
  if (st.ok() && std::rename(tmp_path.c_str(), final_path.c_str()) != 0) {
    st = Status::Unavailable("cannot rename the export into place: " + std::string(std::strerror(errno)));
  }
  if (st.ok()) st = SyncDir(options_.directory);
  if (!st.ok()) {
    std::remove(tmp_path.c_str());
    return st;
  }
  const int64_t done = clock_->NowMs();
  const std::string sha = writer.Sha256Hex();
  STEWARD_RETURN_IF_ERROR(store_->Write([&](store::Txn& txn) -> Status {
    return txn.Exec("UPDATE audit_exports SET status = 'COMPLETED', row_count = ?, bytes = ?, "
                    "sha256 = ?, file_path = ?, completed_at = ?, file_expires_at = ?, "
                    "error_message = NULL WHERE tenant_id = ? AND export_id = ?",
                    {writer.rows(), writer.bytes(), sha, final_path, done,
                     done + options_.retention_ms, tenant_id, export_id})
        .status();
  }));
  log::Event(log::Level::kInfo, "audit_export_completed",
             {{"tenant_id", tenant_id}, {"export_id", export_id}, {"rows", writer.rows()},
              {"bytes", writer.bytes()}, {"ms", done - started}});
  return Status::Ok();
}

jobs::Outcome ExportService::HandleExport(const jobs::Job& job) {
  auto payload = ParseJsonObject(job.payload_json);
  if (!payload.ok()) return jobs::Outcome::Failed("AUDIT_EXPORT payload: " + payload.status().message());
  const std::string id = payload->value("export_id", "");
  Status st = Run(job.tenant_id, id);
  if (st.ok()) return jobs::Outcome::Done();
  // Transient (disk, store): retry a few times; then the export is FAILED for good.
  if (st.code() == Code::kUnavailable && job.attempts < 5) {
    return jobs::Outcome::Retry(clock_->NowMs() + 1000 * job.attempts, st.message());
  }
  const int64_t now = clock_->NowMs();
  (void)store_->Write([&](store::Txn& txn) -> Status {
    return txn.Exec("UPDATE audit_exports SET status = 'FAILED', error_message = ?, completed_at = ? "
                    "WHERE tenant_id = ? AND export_id = ? AND status IN ('PENDING', 'RUNNING')",
                    {st.message(), now, job.tenant_id, id})
        .status();
  });
  log::Event(log::Level::kError, "audit_export_failed",
             {{"tenant_id", job.tenant_id}, {"export_id", id}, {"error", st.message()}});
  return jobs::Outcome::Done();
}

Result<int> ExportService::SweepExpired(int limit) {
  const int64_t now = clock_->NowMs();
  std::vector<std::pair<std::string, std::string>> victims;  // (export_id, path)
  STEWARD_RETURN_IF_ERROR(store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT export_id, file_path FROM audit_exports "
                                                  "WHERE status = 'COMPLETED' AND file_expires_at <= ? "
                                                  "LIMIT ?",
                                                  {now, int64_t{limit}}));
    for (const auto& r : rows) victims.emplace_back(r.Text(0), r.Text(1));
    return Status::Ok();
  }));
  int removed = 0;
  for (const auto& victim : victims) {
    // Named copies, not structured bindings: clang before 16 cannot capture those (fuzz build).
    const std::string& id = victim.first;
    const std::string& path = victim.second;
    // Mark first: a link can no longer resolve to a file that is about to go.
    STEWARD_RETURN_IF_ERROR(store_->Write([&](store::Txn& txn) -> Status {
      return txn.Exec("UPDATE audit_exports SET status = 'EXPIRED' WHERE export_id = ? AND status = 'COMPLETED'",
                      {id})
          .status();
    }));
    std::error_code ec;
    std::filesystem::remove(path, ec);
    ++removed;
  }
  return removed;
}

jobs::Outcome ExportService::HandleSweep(const jobs::Job&, int64_t interval_ms) {
  auto n = SweepExpired();
  if (!n.ok()) {
    log::Event(log::Level::kWarn, "export_sweep_failed", {{"error", n.status().message()}});
  } else if (*n > 0) {
    log::Event(log::Level::kInfo, "export_files_removed", {{"count", *n}});
  }
  return jobs::Outcome::Retry(clock_->NowMs() + interval_ms, "");
}

Status ExportService::ScheduleSweeper() {
  const int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    return jobs::Enqueue(txn, "_system", kJobExportSweep, "{}", now, now, "export-sweep").status();
  });
}

}  // namespace steward::audit
