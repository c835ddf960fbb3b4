#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <limits>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "common/canonical_writer.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/time_util.h"

namespace steward {
namespace {

TEST(Ids, Validation) {
  EXPECT_TRUE(IsValidId("a"));
  EXPECT_TRUE(IsValidId("acct-1.x:y@z_9"));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId("-a"));
  EXPECT_FALSE(IsValidId("a b"));
  EXPECT_FALSE(IsValidId("a/b"));
  EXPECT_TRUE(IsValidId(std::string(128, 'x')));
  EXPECT_FALSE(IsValidId(std::string(129, 'x')));
  EXPECT_EQ(ValidateId("a b", "account_id").field(), "account_id");
}

TEST(Ids, UlidsAreUniqueAndOrdered) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(NewUlid(1700000000000));
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_LT(NewUlid(1700000000000).substr(0, 10), NewUlid(1700000000001).substr(0, 10));
  EXPECT_EQ(NewId("ai_", 1).size(), 29u);
  EXPECT_TRUE(IsValidId(NewId("ai_", 1)));
}

TEST(Ids, UlidsAreUniqueAcrossThreads) {
  std::mutex mu;
  std::set<std::string> seen;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      std::vector<std::string> mine;
      for (int i = 0; i < 2000; ++i) mine.push_back(NewUlid(1700000000000));
      std::lock_guard<std::mutex> lock(mu);
      seen.insert(mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(seen.size(), 16000u);
}

// Ids draw their randomness from a per-thread block (ids.cc); a forked child must not hand out
// the bytes its parent still holds, or both would make the same ids.
TEST(Ids, AForkedChildDoesNotRepeatItsParentsIds) {
  (void)NewUlid(1700000000000);  // the parent's block is now filled and partly used
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::string ids;
    for (int i = 0; i < 20; ++i) ids += NewUlid(1700000000000);
    ssize_t w = write(fds[1], ids.data(), ids.size());
    _exit(w == static_cast<ssize_t>(ids.size()) ? 0 : 1);
  }
  close(fds[1]);
  std::string child;
  char buf[1024];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) child.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_EQ(child.size(), 20u * 26u);
  std::set<std::string> parent;
  for (int i = 0; i < 20; ++i) parent.insert(NewUlid(1700000000000));
  for (size_t i = 0; i < child.size(); i += 26) {
    EXPECT_EQ(parent.count(child.substr(i, 26)), 0u) << "the child repeated a parent id";
  }
}

TEST(Crypto, KnownVectors) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HmacSha256Hex("key", "The quick brown fox jumps over the lazy dog"),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
  std::string out;
  for (std::string s : std::initializer_list<std::string>{
           "", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\xff\xfe\x00", 3)}) {
    ASSERT_TRUE(Base64UrlDecode(Base64UrlEncode(s), &out));
    EXPECT_EQ(out, s);
  }
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_FALSE(Base64UrlDecode("a+b/", &out));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

// FormatTimestamp writes digits by hand for years 0000–9999; it must agree with the calendar
// (ParseTimestamp goes back through howardhinnant-date) at every kind of boundary.
TEST(Time, FormatRoundTripsAcrossBoundaries) {
  const int64_t day = 86'400'000;
  std::vector<int64_t> samples = {0,
                                  1,
                                  999,
                                  1000,
                                  59'999,
                                  60'000,
                                  day - 1,
                                  day,
                                  951'782'400'000 /* 2000-02-29 */,
                                  4'102'444'799'999,
                                  253'402'300'799'999 /* 9999-12-31T23:59:59.999 */,
                                  -1,
                                  -day,
                                  -62'135'596'800'000 /* 0001-01-01 */};
  for (int64_t ms = 1'700'000'000'000; ms < 1'700'000'000'000 + 400 * day; ms += day / 7 + 12'345) {
    samples.push_back(ms);
  }
  for (int64_t ms : samples) {
    std::string text = FormatTimestamp(ms);
    ASSERT_EQ(text.size(), 24u) << ms;
    auto back = ParseTimestamp(text);
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_EQ(*back, ms) << text;
  }
  EXPECT_EQ(FormatTimestamp(951'782'400'000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(253'402'300'799'999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31T23:59:59.999Z");
}

TEST(Time, FormatAndParse) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00.000Z");
  auto t = ParseTimestamp("2026-11-24T08:00:00.123Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatTimestamp(*t), "2026-11-24T08:00:00.123Z");
  auto t2 = ParseTimestamp("2026-11-24T09:00:00.123+01:00");
  ASSERT_TRUE(t2.ok());
  EXPECT_EQ(*t, *t2);
  EXPECT_FALSE(ParseTimestamp("2026-11-24").ok());
  EXPECT_FALSE(ParseTimestamp("2026-13-24T08:00:00Z").ok());
  EXPECT_FALSE(ParseTimestamp("2026-11-24T08:00:00").ok());
  EXPECT_FALSE(ParseTimestamp("2026-02-30T08:00:00Z").ok());
  auto d = ParseDate("2026-11-24");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(FormatDate(*d), "2026-11-24");
  EXPECT_FALSE(ParseDate("2026-11-31").ok());
  EXPECT_FALSE(ParseDate("26-11-24").ok());
}

TEST(Time, ZonesAndLocalDays) {
  EXPECT_TRUE(IsValidTimeZone("America/New_York"));
  EXPECT_FALSE(IsValidTimeZone("Mars/Olympus"));
  auto t = ParseTimestamp("2026-11-24T03:00:00Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(LocalDay(*t, "UTC"), "2026-11-24");
  EXPECT_EQ(LocalDay(*t, "America/New_York"), "2026-11-23");
  EXPECT_EQ(LocalDay(*t, "Asia/Tokyo"), "2026-11-24");
}

TEST(Json, JsonObjectEqualsTheInitializerListForm) {
  std::string big(100, 'x');
  Json nested = Json::array({1, "two"});
  Json built = JsonObject({{"b", 1},
                           {"a", big},
                           {"n", nullptr},
                           {"o", JsonObject({{"z", true}, {"y", 2.5}})},
                           {"arr", nested},
                           {"b", 2}});
  Json reference = {
      {"b", 1}, {"a", big}, {"n", nullptr}, {"o", {{"z", true}, {"y", 2.5}}}, {"arr", nested}};
  EXPECT_EQ(built, reference);
  EXPECT_EQ(built["b"], 1);  // the first of a repeated key wins
  EXPECT_EQ(CanonicalJson(built), CanonicalJson(reference));
  EXPECT_EQ(nested.size(), 2u);  // an lvalue is copied, not moved from
  EXPECT_TRUE(JsonObject({}).is_object());
}

TEST(Json, CanonicalAndStrict) {
  auto j = ParseJson(R"({"b":1,"a":{"z":"é","y":[1,2.5,true,null]}})");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(CanonicalJson(*j), "{\"a\":{\"y\":[1,2.5,true,null],\"z\":\"é\"},\"b\":1}");
  EXPECT_FALSE(ParseJson("{").ok());
  EXPECT_FALSE(ParseJson("\"\xff\"").ok());
  EXPECT_FALSE(ParseJsonObject("[1]").ok());
  std::string deep(100, '[');
  deep += std::string(100, ']');
  EXPECT_FALSE(ParseJson(deep).ok());
  Json o = *ParseJsonObject(R"({"n":1.5,"i":3,"s":"x","extra":1})");
  int64_t i = 0;
  EXPECT_FALSE(GetOptionalInt(o, "n", &i, 0, 10).ok());
  EXPECT_TRUE(GetOptionalInt(o, "i", &i, 0, 10).ok());
  EXPECT_EQ(i, 3);
  EXPECT_FALSE(GetOptionalInt(o, "i", &i, 0, 2).ok());
  EXPECT_EQ(RejectUnknownFields(o, {"n", "i", "s"}).field(), "extra");
  std::string s;
  EXPECT_FALSE(GetString(o, "missing", &s).ok());
  EXPECT_FALSE(GetString(o, "i", &s).ok());
}

// Writes `v` with the writer, member by member, in the order CanonicalJson sorts them.
void WriteValue(CanonicalWriter& w, const Json& v);

void WriteMember(CanonicalWriter& w, const std::string& key, const Json& v) {
  switch (v.type()) {
    case Json::value_t::object:
      w.BeginObject(key);
      for (auto it = v.begin(); it != v.end(); ++it) WriteMember(w, it.key(), it.value());
      w.EndObject();
      break;
    case Json::value_t::array:
      w.BeginArray(key);
      for (const Json& e : v) WriteValue(w, e);
      w.EndArray();
      break;
    case Json::value_t::string:
      w.Str(key, v.get_ref<const std::string&>());
      break;
    case Json::value_t::number_integer:
      w.Int(key, v.get<int64_t>());
      break;
    case Json::value_t::number_float:
      w.Num(key, v.get<double>());
      break;
    case Json::value_t::boolean:
      w.Bool(key, v.get<bool>());
      break;
    case Json::value_t::null:
      w.Null(key);
      break;
    default:
      FAIL() << "unexpected type";
  }
}

void WriteValue(CanonicalWriter& w, const Json& v) {
  if (v.is_object()) {
    w.BeginObject();
    for (auto it = v.begin(); it != v.end(); ++it) WriteMember(w, it.key(), it.value());
    w.EndObject();
  } else if (v.is_array()) {
    w.BeginArray();
    for (const Json& e : v) WriteValue(w, e);
    w.EndArray();
  } else if (v.is_string()) {
    w.StrItem(v.get_ref<const std::string&>());
  } else {
    w.RawItem(CanonicalJson(v));
  }
}

std::string RandomText(std::mt19937_64& rng) {
  static const char* const kPieces[] = {
      "a",  "Z",  "0",    " ",    "\"",       "\\",           "/",       "\n",
      "\t", "\b", "\f",   "\r",   "\x01",     "\x1f",         "\x7f",    "é",
      "€",  "😀",  "\xff", "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xc0\xaf"};
  std::string s;
  int n = static_cast<int>(rng() % 12);
  bool plain = rng() % 2 == 0;
  for (int i = 0; i < n; ++i) {
    s += plain ? std::string(1, static_cast<char>('a' + rng() % 26))
               : kPieces[rng() % (sizeof(kPieces) / sizeof(kPieces[0]))];
  }
  return s;
}

Json RandomJson(std::mt19937_64& rng, int depth) {
  uint64_t kind = depth == 0 ? 6 + rng() % 2 : rng() % (depth > 3 ? 6 : 8);
  switch (kind) {
    case 0:
      return RandomText(rng);
    case 1: {
      int64_t extremes[] = {0, -1, 1, std::numeric_limits<int64_t>::min(),
                            std::numeric_limits<int64_t>::max()};
      return rng() % 3 == 0 ? extremes[rng() % 5] : static_cast<int64_t>(rng());
    }
    case 2: {
      double extremes[] = {0.0,
                           -0.0,
                           0.7,
                           0.6999,
                           1.0,
                           100.0,
                           1e-07,
                           1e21,
                           1e15,
                           5e-324,
                           std::numeric_limits<double>::max(),
                           std::numeric_limits<double>::quiet_NaN(),
                           std::numeric_limits<double>::infinity()};
      if (rng() % 2 == 0) return extremes[rng() % (sizeof(extremes) / sizeof(double))];
      uint64_t bits = rng();
      double d;
      std::memcpy(&d, &bits, sizeof(d));
      return d;
    }
    case 3:
      return rng() % 2 == 0;
    case 4:
      return nullptr;
    case 5:
      return static_cast<int64_t>(rng() % 1000);
    case 6: {
      Json o = Json::object();
      int n = static_cast<int>(rng() % 6);
      for (int i = 0; i < n; ++i) {
        std::string key;
        int len = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < len; ++k) key += "ab_Z09"[rng() % 6];
        o[key] = RandomJson(rng, depth + 1);
      }
      return o;
    }
    default: {
      Json a = Json::array();
      int n = static_cast<int>(rng() % 5);
      for (int i = 0; i < n; ++i) a.push_back(RandomJson(rng, depth + 1));
      return a;
    }
  }
}

TEST(CanonicalWriter, WritesWhatCanonicalJsonWrites) {
  std::mt19937_64 rng(20261128);
  for (int i = 0; i < 20000; ++i) {
    Json v = RandomJson(rng, 0);
    CanonicalWriter w;
    WriteValue(w, v);
    ASSERT_EQ(w.Take(), CanonicalJson(v)) << "case " << i;
  }
}

TEST(CanonicalWriter, TheHelpersWriteTheirValues) {
  CanonicalWriter w;
  w.BeginObject()
      .StrArray("a", {"x", "y\"z"})
      .OptInt("b", std::nullopt)
      .OptInt("c", 7)
      .OptNum("d", 0.7)
      .OptNum("e", std::nullopt)
      .OptStr("f", std::string("é"))
      .OptStr("g", std::nullopt)
      .Raw("h", R"({"k":[1,2]})")
      .BeginArray("i")
      .RawItem("1")
      .BeginObject()
      .EndObject()
      .EndArray()
      .EndObject();
  EXPECT_EQ(w.Take(), R"({"a":["x","y\"z"],"b":null,"c":7,"d":0.7,"e":null,"f":"é","g":null,)"
                      R"("h":{"k":[1,2]},"i":[1,{}]})");
}

TEST(CanonicalWriter, RefusesWhatWouldNotBeCanonical) {
  {
    CanonicalWriter w;
    w.BeginObject().Str("b", "1");
    EXPECT_THROW(w.Str("a", "2"), std::logic_error);  // out of order
  }
  {
    CanonicalWriter w;
    w.BeginObject().Str("a", "1");
    EXPECT_THROW(w.Int("a", 2), std::logic_error);  // repeated
  }
  {
    CanonicalWriter w;
    w.BeginObject().Str("ab", "1");
    EXPECT_NO_THROW(w.Str("b", "2"));                   // byte order, not length
    EXPECT_THROW(w.Str("a\"", "3"), std::logic_error);  // not plain
    EXPECT_THROW(w.StrItem("x"), std::logic_error);     // no key in an object
    EXPECT_THROW(w.Take(), std::logic_error);           // still open
    EXPECT_THROW(w.EndArray(), std::logic_error);       // unbalanced
    w.EndObject();
    EXPECT_THROW(w.BeginObject(), std::logic_error);  // a second top-level value
    EXPECT_EQ(w.Take(), R"({"ab":"1","b":"2"})");
  }
  {
    CanonicalWriter w;
    EXPECT_THROW(w.Str("a", "1"), std::logic_error);  // a member outside an object
  }
}

}  // namespace
}  // namespace steward
