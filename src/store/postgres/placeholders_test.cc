#include "store/postgres/placeholders.h"

#include <gtest/gtest.h>

namespace steward::store::postgres {
namespace {

std::string Translate(std::string_view sql, int expected_count) {
  int n = -1;
  std::string out = ToDollarPlaceholders(sql, &n);
  EXPECT_EQ(n, expected_count) << sql;
  return out;
}

TEST(PlaceholdersTest, NumbersEachPlaceholderInOrder) {
  EXPECT_EQ(Translate("SELECT a FROM t WHERE b = ? AND c IN (?, ?) LIMIT ?", 4),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3) LIMIT $4");
  EXPECT_EQ(Translate("SELECT 1", 0), "SELECT 1");
  EXPECT_EQ(Translate("", 0), "");
  EXPECT_EQ(Translate("?", 1), "$1");
}

TEST(PlaceholdersTest, LeavesQuotedTextAndCommentsAlone) {
  EXPECT_EQ(Translate("SELECT '?', 'it''s ?', ? FROM t WHERE s = 'PENDING' AND x = ?", 2),
            "SELECT '?', 'it''s ?', $1 FROM t WHERE s = 'PENDING' AND x = $2");
  EXPECT_EQ(Translate("SELECT \"odd?name\" FROM t WHERE a = ?", 1),
            "SELECT \"odd?name\" FROM t WHERE a = $1");
  EXPECT_EQ(Translate("SELECT ? -- why?\n, ? /* and ? here */ , ?", 3),
            "SELECT $1 -- why?\n, $2 /* and ? here */ , $3");
  EXPECT_EQ(Translate("SELECT $$a ? b$$, $tag$ ? $tag$, ?", 1),
            "SELECT $$a ? b$$, $tag$ ? $tag$, $1");
}

TEST(PlaceholdersTest, ExistingDollarParametersAndUnterminatedTextAreSafe) {
  EXPECT_EQ(Translate("SELECT $1, ?", 1), "SELECT $1, $1");
  EXPECT_EQ(Translate("SELECT 'unterminated ?", 0), "SELECT 'unterminated ?");
  EXPECT_EQ(Translate("SELECT ? -- trailing comment ?", 1), "SELECT $1 -- trailing comment ?");
}

}  // namespace
}  // namespace steward::store::postgres
