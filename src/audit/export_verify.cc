#include "audit/export_verify.h"

#include <fstream>
#include <vector>

#include "common/json.h"
#include "common/time_util.h"
#include "ledger/entry.h"

namespace steward::audit {
namespace {

// Checks one parsed row against the chain state.
class ChainChecker {
 public:
  ChainChecker(FileVerifyResult* result, std::optional<std::string> anchor)
      : r_(result), anchor_(std::move(anchor)) {}

  // Returns false once the chain is broken (the result says where).
  bool Check(const ledger::Entry& e) {
    ++r_->rows;
    const int64_t row = r_->rows;
    auto fail = [&](std::string why) {
      r_->ok = false;
      r_->first_broken_row = row;
      r_->first_broken_seq = e.seq;
      r_->reason = std::move(why);
      return false;
    };
    if (ledger::EntryHash(e) != e.hash) {
      return fail("row " + std::to_string(row) + " (seq " + std::to_string(e.seq) +
                  "): the hash does not match the row's content");
    }
    if (!have_prev_) {
      ++r_->segments;
      if (anchor_ && e.prev_hash != *anchor_) {
        return fail("row 1 (seq " + std::to_string(e.seq) + "): prev_hash does not match the anchor");
      }
      if (e.seq == 1 && e.prev_hash != ledger::kGenesisHash) {
        return fail("row 1 (seq 1): the first entry must chain from the genesis hash");
      }
    } else if (e.seq <= prev_seq_) {
      return fail("row " + std::to_string(row) + " (seq " + std::to_string(e.seq) +
                  "): seq does not increase");
    } else if (e.seq == prev_seq_ + 1) {
      if (e.prev_hash != prev_hash_) {
        return fail("row " + std::to_string(row) + " (seq " + std::to_string(e.seq) +
                    "): prev_hash is not the previous row's hash");
      }
    } else {
      ++r_->segments;  // a gap (filtered export): the link cannot be checked
    }
    have_prev_ = true;
    prev_seq_ = e.seq;
    prev_hash_ = e.hash;
    r_->last_hash = e.hash;
    return true;
  }

 private:
  FileVerifyResult* r_;
  std::optional<std::string> anchor_;
  bool have_prev_ = false;
  int64_t prev_seq_ = 0;
  std::string prev_hash_;
};

Status RowError(int64_t row, const std::string& why) {
  return Status::InvalidArgument("row " + std::to_string(row) + ": " + why);
}

// RFC 4180 records, one at a time, from a stream (quoted fields may hold CR, LF, commas).
class CsvReader {
 public:
  explicit CsvReader(std::istream& in) : in_(in) {}
  // Reads the next record into `fields`; false at the end. InvalidArgument for bad quoting.
  Result<bool> Next(std::vector<std::string>* fields) {
    fields->clear();
    int c = in_.get();
    if (c == EOF) return false;
    std::string field;
    bool quoted = false, after_quote = false;
    while (true) {
      if (quoted) {
        if (c == EOF) return Status::InvalidArgument("unterminated quoted field");
        if (c == '"') {
          if (in_.peek() == '"') {
            in_.get();
            field.push_back('"');
          } else {
            quoted = false;
            after_quote = true;
          }
        } else {
          field.push_back(static_cast<char>(c));
        }
      } else if (c == '"' && field.empty() && !after_quote) {
        quoted = true;
      } else if (c == ',') {
        fields->push_back(std::move(field));
        field.clear();
        after_quote = false;
      } else if (c == '\r' || c == '\n' || c == EOF) {
        if (c == '\r' && in_.peek() == '\n') in_.get();
        fields->push_back(std::move(field));
        return true;
      } else if (after_quote) {
        return Status::InvalidArgument("text after a closing quote");
      } else {
        field.push_back(static_cast<char>(c));
      }
      c = in_.get();
    }
  }

 private:
  std::istream& in_;
};

Result<int64_t> ParseSeq(const std::string& s) {
  if (s.empty() || s.size() > 18) return Status::InvalidArgument("seq is not a number");
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return Status::InvalidArgument("seq is not a number");
    v = v * 10 + (c - '0');
  }
  return v;
}

Status VerifyCsv(std::istream& in, ChainChecker* chain, FileVerifyResult* r) {
  CsvReader reader(in);
  std::vector<std::string> fields;
  STEWARD_ASSIGN_OR_RETURN(bool any, reader.Next(&fields));
  if (!any) return Status::InvalidArgument("empty file");
  if (fields.size() != ledger::kCsvColumns.size()) {
    return Status::InvalidArgument("the CSV header is not the export header");
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i] != ledger::kCsvColumns[i]) {
      return Status::InvalidArgument("the CSV header is not the export header (column " +
                                     std::to_string(i + 1) + " is '" + fields[i] + "')");
    }
  }
  int64_t row = 0;
  while (true) {
    auto next = reader.Next(&fields);
    if (!next.ok()) return RowError(row + 1, next.status().message());
    if (!*next) break;
    ++row;
    if (fields.size() == 1 && fields[0].empty()) continue;  // a trailing empty line
    if (fields.size() != ledger::kCsvColumns.size()) {
      return RowError(row, "has " + std::to_string(fields.size()) + " fields, expected " +
                               std::to_string(ledger::kCsvColumns.size()));
    }
    ledger::Entry e;
    auto ts = ParseTimestamp(fields[0]);
    if (!ts.ok()) return RowError(row, "timestamp: " + ts.status().message());
    e.ts_ms = *ts;
    e.event_type = fields[1];
    e.entry_id = fields[2];
    e.tenant_id = fields[3];
    e.account_id = fields[4];
    e.trace_id = fields[5];
    e.action_intent_id = fields[6];
    e.actor = fields[7];
    e.data_json = fields[8];
    auto seq = ParseSeq(fields[9]);
    if (!seq.ok()) return RowError(row, seq.status().message());
    e.seq = *seq;
    e.prev_hash = fields[10];
    e.hash = fields[11];
    if (!chain->Check(e)) return Status::Ok();
  }
  (void)r;
  return Status::Ok();
}

Status CheckJsonEntry(const std::string& text, int64_t row, ChainChecker* chain, bool* go_on) {
  auto j = ParseJsonObject(text);
  if (!j.ok()) return RowError(row, j.status().message());
  ledger::Entry e;
  Status st = ledger::EntryFromJson(*j, &e);
  if (!st.ok()) return RowError(row, st.message());
  *go_on = chain->Check(e);
  return Status::Ok();
}

Status VerifyNdjson(std::istream& in, ChainChecker* chain) {
  std::string line;
  int64_t row = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ++row;
    bool go_on = true;
    STEWARD_RETURN_IF_ERROR(CheckJsonEntry(line, row, chain, &go_on));
    if (!go_on) break;
  }
  return Status::Ok();
}

// A JSON array. Our exports put one object per line, which is read line by line with bounded
// memory; any other layout is parsed whole.
Status VerifyJsonArray(std::istream& in, ChainChecker* chain) {
  std::string first;
  std::getline(in, first);
  auto trim = [](std::string s) {
    while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
    size_t b = s.find_first_not_of(" \t");
    return b == std::string::npos ? std::string() : s.substr(b);
  };
  if (trim(first) == "[") {
    std::string line;
    int64_t row = 0;
    bool closed = false;
    while (std::getline(in, line)) {
      std::string t = trim(line);
      if (t.empty()) continue;
      if (t == "]") {
        closed = true;
        break;
      }
      if (!t.empty() && t.back() == ',') t.pop_back();
      ++row;
      bool go_on = true;
      STEWARD_RETURN_IF_ERROR(CheckJsonEntry(t, row, chain, &go_on));
      if (!go_on) return Status::Ok();
    }
    if (!closed) return Status::InvalidArgument("the JSON array is not closed");
    return Status::Ok();
  }
  std::string rest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto j = ParseJson(first + "\n" + rest);
  if (!j.ok()) return Status::InvalidArgument(j.status().message());
  if (!j->is_array()) return Status::InvalidArgument("a JSON export is an array");
  int64_t row = 0;
  for (const auto& item : *j) {
    ++row;
    ledger::Entry e;
    if (!item.is_object()) return RowError(row, "not an object");
    Status st = ledger::EntryFromJson(item, &e);
    if (!st.ok()) return RowError(row, st.message());
    if (!chain->Check(e)) break;
  }
  return Status::Ok();
}

}  // namespace

Result<FileVerifyResult> VerifyExport(std::istream& in, std::optional<std::string> anchor) {
  FileVerifyResult r;
  ChainChecker chain(&r, std::move(anchor));
  int c = in.peek();
  while (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
    in.get();
    c = in.peek();
  }
  if (c == EOF) return Status::InvalidArgument("empty file");
  Status st;
  if (c == '[') {
    r.format = "json";
    st = VerifyJsonArray(in, &chain);
  } else if (c == '{') {
    r.format = "ndjson";
    st = VerifyNdjson(in, &chain);
  } else {
    r.format = "csv";
    st = VerifyCsv(in, &chain, &r);
  }
  if (!st.ok()) return st;
  return r;
}

Result<FileVerifyResult> VerifyExportFile(const std::string& path, std::optional<std::string> anchor) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open " + path);
  std::vector<char> buf(1 << 20);
  in.rdbuf()->pubsetbuf(buf.data(), static_cast<std::streamsize>(buf.size()));
  return VerifyExport(in, std::move(anchor));
}

}  // namespace steward::audit
