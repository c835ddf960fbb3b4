#pragma once
// Shared bits of the libFuzzer targets: how a target reports a broken property (a crash that
// libFuzzer records with its input) and how inputs are cut into text lines.

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace steward::fuzz {

// Prints `what` and `detail` to stderr and aborts, so libFuzzer saves the input as a crash.
[[noreturn]] inline void Fail(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "FUZZ PROPERTY BROKEN: %.*s\n  %.*s\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// Takes the text up to the first '\n' off the front of `*rest` (without the '\n', and without a
// '\r' before it) and returns it; the whole of `*rest` when there is no '\n'.
inline std::string_view NextLine(std::string_view* rest) {
  size_t nl = rest->find('\n');
  std::string_view line = rest->substr(0, nl);
  rest->remove_prefix(nl == std::string_view::npos ? rest->size() : nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace steward::fuzz
