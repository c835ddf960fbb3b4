#include "events/cursor.h"

#include <charconv>

#include "common/crypto.h"

namespace steward::events {
namespace {

// Digits of INT64_MAX; a longer text cannot be a valid id.
constexpr size_t kMaxIdDigits = 19;

}  // namespace

std::string EncodeIdCursor(int64_t id) { return Base64UrlEncode(std::to_string(id)); }

bool DecodeIdCursor(std::string_view cursor, int64_t* id) {
  std::string text;
  if (cursor.empty() || !Base64UrlDecode(cursor, &text)) return false;
  if (text.empty() || text.size() > kMaxIdDigits) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return false;
  // Exactly one spelling per id ("007", padding or stray bits of the last base64 character
  // would otherwise name the same id).
  if (EncodeIdCursor(value) != cursor) return false;
  *id = value;
  return true;
}

}  // namespace steward::events
