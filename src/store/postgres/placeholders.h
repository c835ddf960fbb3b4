#pragma once
// Translation of the store's portable `?` placeholders to PostgreSQL's `$1 … $n`.

#include <string>
#include <string_view>

namespace steward::store::postgres {

// `sql` with each `?` placeholder replaced by $1, $2, … in order of appearance. A `?` inside a
// single-quoted literal ('it''s?'), a double-quoted identifier, a dollar-quoted string ($$…$$ or
// $tag$…$tag$), a -- line comment or a /* block comment */ is left alone. Sets *count to the
// number of placeholders. Pure; thread-safe.
std::string ToDollarPlaceholders(std::string_view sql, int* count);

}  // namespace steward::store::postgres
