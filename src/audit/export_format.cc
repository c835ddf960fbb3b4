#include "audit/export_format.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>

#include "common/json.h"
#include "common/time_util.h"

namespace steward::audit {
namespace {

constexpr size_t kFlushAt = 1 << 20;
constexpr int64_t kWritebackEvery = 8 << 20;

// JSON string literal of `s` (the entry's ids are plain ASCII ids; actor and event names too,
// but escape properly anyway).
void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out->append(buf);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void AppendOptString(std::string* out, std::string_view s) {
  if (s.empty()) {
    out->append("null");
  } else {
    AppendJsonString(out, s);
  }
}

// The entry as one JSON object in the shape of ledger::ToJson (keys sorted as the API's), with
// `data` spliced in verbatim (it is canonical JSON already).
void AppendEntryJson(std::string* out, const ledger::Entry& e, const std::string& timestamp) {
  out->append("{\"account_id\":");
  AppendOptString(out, e.account_id);
  out->append(",\"action_intent_id\":");
  AppendOptString(out, e.action_intent_id);
  out->append(",\"actor\":");
  AppendJsonString(out, e.actor);
  out->append(",\"data\":");
  out->append(e.data_json);
  out->append(",\"entry_id\":");
  AppendJsonString(out, e.entry_id);
  out->append(",\"event_type\":");
  AppendJsonString(out, e.event_type);
  out->append(",\"hash\":");
  AppendJsonString(out, e.hash);
  out->append(",\"prev_hash\":");
  AppendJsonString(out, e.prev_hash);
  out->append(",\"seq\":");
  out->append(std::to_string(e.seq));
  out->append(",\"tenant_id\":");
  AppendJsonString(out, e.tenant_id);
  out->append(",\"timestamp\":");
  AppendJsonString(out, timestamp);
  out->append(",\"trace_id\":");
  AppendOptString(out, e.trace_id);
  out->push_back('}');
}

}  // namespace

std::optional<ExportFormat> ParseExportFormat(std::string_view name) {
  if (name == "csv") return ExportFormat::kCsv;
  if (name == "json") return ExportFormat::kJson;
  if (name == "ndjson") return ExportFormat::kNdjson;
  return std::nullopt;
}

std::string_view ExportFormatName(ExportFormat f) {
  switch (f) {
    case ExportFormat::kCsv: return "csv";
    case ExportFormat::kJson: return "json";
    case ExportFormat::kNdjson: return "ndjson";
  }
  return "csv";
}

std::string_view ExportContentType(ExportFormat f) {
  switch (f) {
    case ExportFormat::kCsv: return "text/csv; charset=utf-8";
    case ExportFormat::kJson: return "application/json";
    case ExportFormat::kNdjson: return "application/x-ndjson";
  }
  return "application/octet-stream";
}

std::string_view ExportExtension(ExportFormat f) { return ExportFormatName(f); }

void AppendCsvField(std::string* out, std::string_view field) {
  bool quote = !field.empty() && (field.front() == ' ' || field.back() == ' ');
  for (size_t i = 0; i < field.size() && !quote; ++i) {
    char c = field[i];
    quote = c == ',' || c == '"' || c == '\r' || c == '\n';
  }
  if (!quote) {
    out->append(field);
    return;
  }
  out->push_back('"');
  // Copy the runs between quotes in one go; each quote is doubled.
  size_t start = 0;
  while (true) {
    size_t q = field.find('"', start);
    if (q == std::string_view::npos) {
      out->append(field.substr(start));
      break;
    }
    out->append(field.substr(start, q + 1 - start));
    out->push_back('"');
    start = q + 1;
  }
  out->push_back('"');
}

ExportWriter::ExportWriter(std::FILE* file, ExportFormat format) : file_(file), format_(format) {
  buffer_.reserve(kFlushAt + 64 * 1024);
}

Status ExportWriter::Flush() {
  if (buffer_.empty()) return Status::Ok();
  hash_.Update(buffer_);
  if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
    return Status::Unavailable(std::string("writing the export failed: ") + std::strerror(errno));
  }
  bytes_ += static_cast<int64_t>(buffer_.size());
  buffer_.clear();
  // Start the disk writeback of what was written so far (not waiting for it), so the final
  // fsync has little left to do and the disk works while the next pages are formatted.
  if (bytes_ - synced_ >= kWritebackEvery) {
    ::sync_file_range(::fileno(file_), synced_, bytes_ - synced_, SYNC_FILE_RANGE_WRITE);
    synced_ = bytes_;
  }
  return Status::Ok();
}

Status ExportWriter::Begin() {
  if (format_ == ExportFormat::kCsv) {
    for (size_t i = 0; i < ledger::kCsvColumns.size(); ++i) {
      if (i) buffer_.push_back(',');
      buffer_.append(ledger::kCsvColumns[i]);
    }
    buffer_.append("\r\n");
  } else if (format_ == ExportFormat::kJson) {
    buffer_.append("[\n");
  }
  return Status::Ok();
}

const std::string& ExportWriter::Timestamp(int64_t ms) {
  // Consecutive ledger rows often share a millisecond; format each distinct one once.
  if (ms != last_ts_ms_ || last_ts_.empty()) {
    last_ts_ms_ = ms;
    last_ts_ = FormatTimestamp(ms);
  }
  return last_ts_;
}

Status ExportWriter::Write(const ledger::Entry& e) {
  switch (format_) {
    case ExportFormat::kCsv:
      buffer_.append(Timestamp(e.ts_ms));  // digits, '-', ':', '.', 'T', 'Z': never quoted
      for (const std::string* field : {&e.event_type, &e.entry_id, &e.tenant_id, &e.account_id,
                                       &e.trace_id, &e.action_intent_id, &e.actor, &e.data_json}) {
        buffer_.push_back(',');
        AppendCsvField(&buffer_, *field);
      }
      buffer_.push_back(',');
      buffer_.append(std::to_string(e.seq));
      buffer_.push_back(',');
      buffer_.append(e.prev_hash);
      buffer_.push_back(',');
      buffer_.append(e.hash);
      buffer_.append("\r\n");
      break;
    case ExportFormat::kJson:
      if (rows_ > 0) buffer_.append(",\n");
      AppendEntryJson(&buffer_, e, Timestamp(e.ts_ms));
      break;
    case ExportFormat::kNdjson:
      AppendEntryJson(&buffer_, e, Timestamp(e.ts_ms));
      buffer_.push_back('\n');
      break;
  }
  ++rows_;
  if (buffer_.size() >= kFlushAt) return Flush();
  return Status::Ok();
}

Status ExportWriter::End() {
  if (format_ == ExportFormat::kJson) buffer_.append(rows_ > 0 ? "\n]\n" : "]\n");
  STEWARD_RETURN_IF_ERROR(Flush());
  if (std::fflush(file_) != 0) {
    return Status::Unavailable(std::string("writing the export failed: ") + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace steward::audit
