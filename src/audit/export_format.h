#pragma once
// Audit export file formats (SPEC §9, docs/AUDIT_EXPORT.md): CSV (RFC 4180, CRLF line ends, the
// header of ledger::kCsvColumns, `data` as one quoted JSON field), JSON (one array, one entry
// object per line) and NDJSON (one entry object per line). ExportWriter streams entries to a
// file with bounded memory and hashes exactly the bytes it writes. Not thread-safe.

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "common/crypto.h"
#include "common/status.h"
#include "ledger/entry.h"

namespace steward::audit {

enum class ExportFormat { kCsv, kJson, kNdjson };

std::optional<ExportFormat> ParseExportFormat(std::string_view name);  // "csv", "json", "ndjson"
std::string_view ExportFormatName(ExportFormat f);
std::string_view ExportContentType(ExportFormat f);
std::string_view ExportExtension(ExportFormat f);  // "csv", "json", "ndjson"

// Appends `field` to `out` as one RFC 4180 field: quoted (with quotes doubled) when it holds a
// comma, a quote, CR or LF, or starts or ends with a space; verbatim otherwise.
void AppendCsvField(std::string* out, std::string_view field);

class ExportWriter {
 public:
  // Writes to `file` (owned by the caller, opened for writing).
  ExportWriter(std::FILE* file, ExportFormat format);
  Status Begin();
  Status Write(const ledger::Entry& entry);
  // Writes the trailer and flushes; the caller fsyncs and closes.
  Status End();

  int64_t rows() const { return rows_; }
  int64_t bytes() const { return bytes_; }
  // The SHA-256 of every byte written. REQUIRES: End() succeeded; call once.
  std::string Sha256Hex() { return hash_.FinalHex(); }

 private:
  Status Flush();
  const std::string& Timestamp(int64_t ms);

  std::FILE* file_;
  const ExportFormat format_;
  std::string buffer_;
  Sha256Stream hash_;
  int64_t rows_ = 0;
  int64_t bytes_ = 0;
  int64_t synced_ = 0;  // bytes whose writeback has been started
  int64_t last_ts_ms_ = 0;
  std::string last_ts_;
};

}  // namespace steward::audit
