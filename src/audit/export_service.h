#pragma once
// Audit exports (SPEC §9): requests, the AUDIT_EXPORT job that writes the file, signed download
// links and the sweeper of expired files. Thread-safe; each request method is one store
// transaction.
//
// The job streams the tenant's ledger rows in seq order page by page (keyset on seq along the
// primary key, bounded memory) into `<dir>/<export_id>.<ext>.tmp`, fsyncs it, renames it to
// `<dir>/<export_id>.<ext>`, fsyncs the directory, and only then marks the export COMPLETED
// with row_count, bytes and sha256. A crash before that leaves a stale temp file that the
// re-run (the job's lease expires) truncates and rewrites: a partial file is never exposed.

#include <nlohmann/json_fwd.hpp>

#include <mutex>
#include <string>

#include "autonomy/autonomy_service.h"
#include "common/clock.h"
#include "common/status.h"
#include "jobs/job.h"
#include "store/store.h"

namespace steward::audit {

using autonomy::Actor;

inline constexpr std::string_view kJobAuditExport = "AUDIT_EXPORT";
inline constexpr std::string_view kJobExportSweep = "AUDIT_EXPORT_SWEEP";

struct ExportOptions {
  std::string directory;                                 // where files are written
  std::string public_base_url = "http://127.0.0.1:8080";  // absolute links are built on it
  std::string signing_secret;                            // HMAC key of download links
  int64_t link_ttl_ms = 3600 * 1000;                     // presigned_url lifetime (1 h)
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;         // files are removed after (7 days)
  int64_t page_rows = 10000;                             // rows per keyset page
};

class ExportService {
 public:
  ExportService(store::Store* store, const Clock* clock, jobs::Waker* waker, ExportOptions options)
      : store_(store), clock_(clock), waker_(waker), options_(std::move(options)),
        public_base_url_(options_.public_base_url) {}

  // POST /v1/autonomy/audit/exports {from, to, format?, account_id?} → 202 {export_id, status}.
  // from/to: YYYY-MM-DD (to inclusive, whole day) or RFC 3339 instants. InvalidArgument for
  // bad dates, to before from, a range over 366 days, an unknown format; nothing is written.
  Status Create(const Actor& actor, const nlohmann::json& body, nlohmann::json* out);
  // GET …/exports/{id} → {export_id, status, format, from, to, account_id, row_count, bytes,
  // sha256, presigned_url, expires_at, error_message, created_at, completed_at}; NotFound for
  // another tenant's export.
  Status Get(const Actor& actor, std::string_view export_id, nlohmann::json* out);
  // GET …/exports → {items, next_cursor}, newest first.
  Status List(const Actor& actor, int limit, std::string_view cursor, nlohmann::json* out);

  // GET /v1/downloads/{id}?expires&sig (no Authorization): checks the signature in constant
  // time (PermissionDenied when wrong), the expiry (Gone), that the export is COMPLETED and its
  // file exists (NotFound); fills the file path, content type and download name.
  struct Download {
    std::string file_path;
    std::string content_type;
    std::string file_name;
    int64_t bytes = 0;
  };
  Status Resolve(std::string_view export_id, std::string_view expires, std::string_view sig,
                 Download* out);

  // Sets the base of absolute links once the listening port is known (when no public URL was
  // configured). Thread-safe.
  void SetPublicBaseUrl(std::string url);

  // The signature of a link: hex HMAC-SHA256(secret, export_id "\n" tenant_id "\n" expires).
  std::string Sign(std::string_view export_id, std::string_view tenant_id, int64_t expires_s) const;

  // Jobs.
  jobs::Outcome HandleExport(const jobs::Job& job);
  jobs::Outcome HandleSweep(const jobs::Job& job, int64_t interval_ms);
  Status ScheduleSweeper();
  // Removes files of exports past their retention (status EXPIRED); returns how many.
  Result<int> SweepExpired(int limit = 100);

 private:
  Status Run(const std::string& tenant_id, const std::string& export_id);

  std::string PublicBaseUrl() const;

  store::Store* store_;
  const Clock* clock_;
  jobs::Waker* waker_;
  const ExportOptions options_;
  mutable std::mutex url_mu_;
  std::string public_base_url_;  // GUARDED_BY(url_mu_)
};

}  // namespace steward::audit
