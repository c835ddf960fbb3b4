// Fuzz target: JSON parsing and canonical JSON (common/json.h), which ledger hashes rest on.
//
// Input: any bytes, parsed with ParseJson. Properties, for every accepted document:
//   - CanonicalJson is a fixed point: its text parses, and canonicalizing that gives the same
//     text (otherwise an entry's hash would change when its data is read back and re-hashed);
//   - ParseJsonObject accepts exactly the documents whose top level is an object.
// Crashes, sanitizer reports and uncaught exceptions are findings too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/json.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using steward::fuzz::Fail;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = steward::ParseJson(text);
  auto object = steward::ParseJsonObject(text);
  if (object.ok() != (parsed.ok() && parsed->is_object())) {
    Fail("ParseJsonObject disagrees with ParseJson", text);
  }
  if (!parsed.ok()) return 0;

  const std::string canonical = steward::CanonicalJson(*parsed);
  auto again = steward::ParseJson(canonical);
  if (!again.ok()) Fail("canonical JSON does not parse", canonical);
  const std::string twice = steward::CanonicalJson(*again);
  if (twice != canonical) Fail("canonical JSON is not a fixed point", canonical + " -> " + twice);
  return 0;
}
