// Fuzz target: the offline verifier of audit exports (audit/export_verify.h, `steward ledger
// verify FILE`): its CSV, JSON-array and NDJSON parsers and the chain checks behind them.
//
// Input: the bytes of an export file, verified twice: without an anchor and with the genesis
// hash as the anchor. Properties of every answer:
//   - the format is the one the first non-blank byte selects ('[' json, '{' ndjson, else csv);
//   - a broken chain names a row within the rows read, a seq and a reason; an intact one none;
//   - the segments never outnumber the rows, and last_hash is set once a row passed.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "audit/export_verify.h"
#include "fuzz/fuzz_util.h"
#include "ledger/entry.h"

namespace {

using steward::fuzz::Fail;

std::string_view ExpectedFormat(std::string_view text) {
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  if (text[first] == '[') return "json";
  if (text[first] == '{') return "ndjson";
  return "csv";
}

void VerifyOnce(std::string_view text, std::optional<std::string> anchor) {
  std::istringstream in{std::string(text)};
  auto r = steward::audit::VerifyExport(in, std::move(anchor));
  if (!r.ok()) {
    if (r.status().message().empty()) Fail("an error without a message", text);
    return;
  }
  if (r->format != ExpectedFormat(text)) Fail("wrong format detected", r->format);
  if (r->rows < 0 || r->segments < 0 || r->segments > r->rows) {
    Fail("impossible row or segment count", text);
  }
  if (r->ok) {
    if (r->first_broken_row || r->first_broken_seq || !r->reason.empty()) {
      Fail("an intact chain reports a break", r->reason);
    }
  } else if (!r->first_broken_row || *r->first_broken_row < 1 || *r->first_broken_row > r->rows ||
             !r->first_broken_seq || r->reason.empty()) {
    Fail("a broken chain without row, seq or reason", r->reason);
  }
  const bool passed_a_row = r->rows > (r->ok ? 0 : 1);
  if (passed_a_row && r->last_hash.empty()) Fail("rows passed but no last_hash", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  VerifyOnce(text, std::nullopt);
  VerifyOnce(text, std::string(steward::ledger::kGenesisHash));
  return 0;
}
