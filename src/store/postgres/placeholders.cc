#include "store/postgres/placeholders.h"

#include <cctype>

namespace steward::store::postgres {
namespace {

// Length of the dollar-quote tag starting at sql[i] ('$' … '$'), or 0 when there is none there.
// A tag is $$ or $identifier$; $1 (a parameter) is not a tag.
size_t DollarTagLength(std::string_view sql, size_t i) {
  size_t j = i + 1;
  if (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) return 0;
  while (j < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '_')) {
    ++j;
  }
  return j < sql.size() && sql[j] == '$' ? j - i + 1 : 0;
}

}  // namespace

std::string ToDollarPlaceholders(std::string_view sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  size_t i = 0;
  // Copies sql[i] up to and including the first `close` found from `from`, or to the end.
  auto copy_through = [&](size_t from, std::string_view close) {
    size_t end = sql.find(close, from);
    end = end == std::string_view::npos ? sql.size() : end + close.size();
    out.append(sql.substr(i, end - i));
    i = end;
  };
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      // A doubled quote inside the literal closes and reopens it, which this loop handles as
      // two adjacent literals.
      copy_through(i + 1, std::string_view(&sql[i], 1));
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      copy_through(i + 2, "\n");
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      copy_through(i + 2, "*/");
    } else if (c == '$' && DollarTagLength(sql, i) > 0) {
      size_t len = DollarTagLength(sql, i);
      std::string tag(sql.substr(i, len));
      copy_through(i + len, tag);
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++n);
      ++i;
    } else {
      out += c;
      ++i;
    }
  }
  if (count) *count = n;
  return out;
}

}  // namespace steward::store::postgres
