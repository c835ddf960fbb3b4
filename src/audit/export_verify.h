#pragma once
// Offline verification of an audit export file (SPEC §8 `steward ledger verify FILE`): reads a
// CSV, JSON or NDJSON export (detected from its first byte), recomputes every row's hash with
// ledger::EntryHash and checks each row's prev_hash against the previous row's hash wherever the
// seqs are consecutive (an export filtered by account has gaps: each gap starts a new segment
// whose first link cannot be checked). The first row of seq 1 must chain from the genesis hash;
// `anchor` (the hash of the entry before the file's first row) checks the first row's link.
// The parsers take untrusted bytes: every malformed input is an error naming the row.

#include <cstdint>
#include <istream>
#include <optional>
#include <string>

#include "common/status.h"

namespace steward::audit {

struct FileVerifyResult {
  bool ok = true;
  std::string format;        // "csv", "json", "ndjson"
  int64_t rows = 0;          // rows read (the broken one included)
  int64_t segments = 0;      // runs of consecutive seqs
  std::optional<int64_t> first_broken_row;  // 1-based data row (the CSV header is row 0)
  std::optional<int64_t> first_broken_seq;
  std::string reason;        // why, when !ok
  std::string last_hash;     // hash of the last row read (an anchor for the next file)
};

// InvalidArgument for input that is not an export at all (unknown format, a CSV header that is
// not the SPEC's, malformed rows); a well-formed file whose chain is broken is ok=false.
Result<FileVerifyResult> VerifyExport(std::istream& in, std::optional<std::string> anchor);
Result<FileVerifyResult> VerifyExportFile(const std::string& path, std::optional<std::string> anchor);

}  // namespace steward::audit
