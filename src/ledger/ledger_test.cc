// Ledger tests against a real SQLite store: chain integrity, tamper detection, the documented
// worked example, queries and pagination, rollback and concurrency.
#include "ledger/ledger.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "common/crypto.h"
#include "common/json.h"
#include "ledger/event_types.h"

namespace steward::ledger {
namespace {

constexpr int64_t kT0 = 1795500000000;  // 2026-11-24T06:00:00.000Z

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("steward_ledger_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = store::Open("sqlite://" + (dir_ / "t.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  static AppendRequest Req(std::string_view type, std::string account = "acct-1",
                           std::string intent = "", std::string trace = "") {
    AppendRequest r;
    r.event_type = std::string(type);
    r.account_id = std::move(account);
    r.action_intent_id = std::move(intent);
    r.trace_id = std::move(trace);
    r.actor = "tester";
    return r;
  }

  Entry AppendOne(const std::string& tenant, int64_t ts, const AppendRequest& req,
                  const Json& data = Json::object()) {
    Entry out;
    Status st = store_->Write([&](store::Txn& t) -> Status {
      STEWARD_ASSIGN_OR_RETURN(out, Append(t, tenant, ts, req, data));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  VerifyResult DoVerify(const std::string& tenant, std::optional<int64_t> from = std::nullopt,
                        std::optional<int64_t> to = std::nullopt) {
    VerifyResult v;
    Status st = store_->Read([&](store::Txn& t) -> Status {
      STEWARD_ASSIGN_OR_RETURN(v, Verify(t, tenant, from, to));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return v;
  }

  void Sql(const std::string& sql) {
    Status st = store_->Write([&](store::Txn& t) -> Status {
      auto r = t.Exec(sql);
      return r.ok() ? Status::Ok() : r.status();
    });
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  std::vector<int64_t> Seqs(const std::string& tenant) {
    std::vector<int64_t> seqs;
    EXPECT_TRUE(store_
                    ->Read([&](store::Txn& t) -> Status {
                      Filter f;
                      f.newest_first = false;
                      return ForEachEntry(t, tenant, f, [&](const Entry& e) {
                        seqs.push_back(e.seq);
                        return true;
                      });
                    })
                    .ok());
    return seqs;
  }

  Result<Page> ListPage(const std::string& tenant, const Filter& f, int limit,
                        const std::string& cursor = "") {
    Result<Page> out = Status::Internal("not run");
    Status st = store_->Read([&](store::Txn& t) -> Status {
      out = List(t, tenant, f, limit, cursor);
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok());
    return out;
  }

  // All seqs matching `f`, page by page; fails the test on a repeated seq.
  std::vector<int64_t> ListAll(const std::string& tenant, const Filter& f, int limit) {
    std::vector<int64_t> seqs;
    std::string cursor;
    for (int pages = 0; pages < 10000; ++pages) {
      auto page = ListPage(tenant, f, limit, cursor);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      EXPECT_LE(page->entries.size(), static_cast<size_t>(limit));
      for (const auto& e : page->entries) seqs.push_back(e.seq);
      if (page->next_cursor.empty()) break;
      cursor = page->next_cursor;
    }
    return seqs;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

std::vector<int64_t> Iota(int64_t from, int64_t to) {
  std::vector<int64_t> v;
  for (int64_t i = from; i <= to; ++i) v.push_back(i);
  return v;
}

TEST_F(LedgerTest, ThousandEntriesTwoTenantsGapFreeAndVerified) {
  constexpr int kBatches = 10;
  constexpr int kPerBatch = 100;
  int64_t ts = kT0;
  for (int b = 0; b < kBatches; ++b) {
    Status st = store_->Write([&](store::Txn& t) -> Status {
      for (int i = 0; i < kPerBatch; ++i) {
        // Two thirds to tenant a, one third to tenant b.
        std::string tenant = (i % 3 == 2) ? "tenant-b" : "tenant-a";
        Json data = {{"batch", b}, {"i", i}, {"note", "ünïcode ✓"}, {"score", 0.25 * i}};
        STEWARD_ASSIGN_OR_RETURN(Entry e, Append(t, tenant, ts + i, Req(kIntentCreated), data));
        (void)e;
      }
      return Status::Ok();
    });
    ASSERT_TRUE(st.ok()) << st.ToString();
    ts += kPerBatch;
  }
  auto a = Seqs("tenant-a");
  auto b = Seqs("tenant-b");
  EXPECT_EQ(a.size() + b.size(), static_cast<size_t>(kBatches * kPerBatch));
  EXPECT_EQ(a, Iota(1, static_cast<int64_t>(a.size())));
  EXPECT_EQ(b, Iota(1, static_cast<int64_t>(b.size())));
  for (const std::string tenant : {"tenant-a", "tenant-b"}) {
    VerifyResult v = DoVerify(tenant);
    EXPECT_TRUE(v.ok) << v.reason;
    EXPECT_EQ(v.checked, static_cast<int64_t>(Seqs(tenant).size()));
  }
  ASSERT_TRUE(store_
                  ->Read([&](store::Txn& t) -> Status {
                    STEWARD_ASSIGN_OR_RETURN(auto head, GetHead(t, "tenant-a"));
                    EXPECT_TRUE(head.has_value());
                    EXPECT_EQ(head->seq, static_cast<int64_t>(a.size()));
                    STEWARD_ASSIGN_OR_RETURN(auto none, GetHead(t, "tenant-none"));
                    EXPECT_FALSE(none.has_value());
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_TRUE(DoVerify("tenant-none").ok);
}

TEST_F(LedgerTest, FirstEntryChainsFromZerosAndEachFromItsPredecessor) {
  Entry e1 = AppendOne("t", kT0, Req(kConfigChanged), {{"k", 1}});
  Entry e2 = AppendOne("t", kT0 + 1, Req(kConfigChanged), {{"k", 2}});
  EXPECT_EQ(e1.seq, 1);
  EXPECT_EQ(e1.prev_hash, std::string(kGenesisHash));
  EXPECT_EQ(e1.hash, EntryHash(e1));
  EXPECT_EQ(e2.seq, 2);
  EXPECT_EQ(e2.prev_hash, e1.hash);
  EXPECT_EQ(e1.entry_id.rfind("le_", 0), 0u);
  EXPECT_EQ(e1.hash.size(), 64u);
}

TEST_F(LedgerTest, TamperedDataIsReportedAtItsSeq) {
  for (int i = 0; i < 100; ++i) AppendOne("t", kT0 + i, Req(kPolicyEvaluated), {{"i", i}});
  ASSERT_TRUE(DoVerify("t").ok);
  Sql("UPDATE ledger SET data = '{\"i\":999}' WHERE tenant_id = 't' AND seq = 37");
  VerifyResult v = DoVerify("t");
  EXPECT_FALSE(v.ok);
  ASSERT_TRUE(v.first_broken_seq.has_value());
  EXPECT_EQ(*v.first_broken_seq, 37);
  EXPECT_EQ(v.checked, 37);
  EXPECT_FALSE(v.reason.empty());
}

TEST_F(LedgerTest, TamperedHashIsReportedAtItsSeq) {
  for (int i = 0; i < 60; ++i) AppendOne("t", kT0 + i, Req(kPolicyEvaluated), {{"i", i}});
  Sql("UPDATE ledger SET hash = '" + std::string(64, 'a') + "' WHERE tenant_id = 't' AND seq = 42");
  VerifyResult v = DoVerify("t");
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_seq.value_or(-1), 42);
}

TEST_F(LedgerTest, TamperedMetadataAndRelinkedChainAreReported) {
  for (int i = 0; i < 30; ++i) AppendOne("t", kT0 + i, Req(kPolicyEvaluated), {{"i", i}});
  Sql("UPDATE ledger SET actor = 'someone-else' WHERE tenant_id = 't' AND seq = 5");
  EXPECT_EQ(DoVerify("t").first_broken_seq.value_or(-1), 5);
}

TEST_F(LedgerTest, DeletedMiddleRowIsReported) {
  for (int i = 0; i < 100; ++i) AppendOne("t", kT0 + i, Req(kActionExecuted), {{"i", i}});
  Sql("DELETE FROM ledger WHERE tenant_id = 't' AND seq = 50");
  VerifyResult v = DoVerify("t");
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_seq.value_or(-1), 50);
  EXPECT_NE(v.reason.find("missing"), std::string::npos) << v.reason;
}

TEST_F(LedgerTest, DeletedFirstAndLastRowsAreReported) {
  for (int i = 0; i < 10; ++i) AppendOne("t", kT0 + i, Req(kActionExecuted), {{"i", i}});
  Sql("DELETE FROM ledger WHERE tenant_id = 't' AND seq = 10");
  EXPECT_EQ(DoVerify("t").first_broken_seq.value_or(-1), 10);  // truncation, caught by the head
  Sql("DELETE FROM ledger WHERE tenant_id = 't' AND seq = 1");
  EXPECT_EQ(DoVerify("t").first_broken_seq.value_or(-1), 1);
}

TEST_F(LedgerTest, VerifyRangeAnchorsMidChain) {
  for (int i = 0; i < 50; ++i) AppendOne("t", kT0 + 1000 * i, Req(kActionExecuted), {{"i", i}});
  // Entries 21..30 (ts kT0+20000 … kT0+29000).
  VerifyResult v = DoVerify("t", kT0 + 20000, kT0 + 29000);
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.checked, 10);
  // Tampering outside the range is not seen; inside it is.
  Sql("UPDATE ledger SET data = '{}' WHERE tenant_id = 't' AND seq = 40");
  EXPECT_TRUE(DoVerify("t", kT0 + 20000, kT0 + 29000).ok);
  EXPECT_EQ(DoVerify("t", kT0 + 20000, std::nullopt).first_broken_seq.value_or(-1), 40);
  Sql("UPDATE ledger SET data = '{}' WHERE tenant_id = 't' AND seq = 25");
  EXPECT_EQ(DoVerify("t", kT0 + 20000, kT0 + 29000).first_broken_seq.value_or(-1), 25);
  // An empty range is fine.
  VerifyResult empty = DoVerify("t", kT0 + 500000, std::nullopt);
  EXPECT_TRUE(empty.ok);
  EXPECT_EQ(empty.checked, 0);
}

// The worked example of docs/LEDGER_FORMAT.md. If this test changes, the document changes too.
TEST(LedgerFormatTest, WorkedExample) {
  Entry e;
  e.tenant_id = "acme";
  e.seq = 1;
  e.entry_id = "le_01KAT3ZG00J3V5W6X7Y8Z9A0BC";
  e.ts_ms = kT0;
  e.event_type = "INTENT_CREATED";
  e.account_id = "acct-1";
  e.trace_id = "";
  e.action_intent_id = "ai_42";
  e.actor = "agent@acme";
  e.data_json = CanonicalJson(Json::parse(
      R"({"confidence_score":0.92,"action_type":"CREATE_INTERNAL_TASK","title":"Call Zoë"})"));
  e.prev_hash = std::string(kGenesisHash);
  const std::string text = CanonicalEntryText(e);
  EXPECT_EQ(text, R"({"account_id":"acct-1","action_intent_id":"ai_42","actor":"agent@acme",)"
                  R"("data":{"action_type":"CREATE_INTERNAL_TASK","confidence_score":0.92,)"
                  R"("title":"Call Zoë"},"entry_id":"le_01KAT3ZG00J3V5W6X7Y8Z9A0BC",)"
                  R"("event_type":"INTENT_CREATED","prev_hash":")" +
                      std::string(kGenesisHash) +
                      R"(","seq":1,"tenant_id":"acme","timestamp":"2026-11-24T06:00:00.000Z",)"
                      R"("trace_id":""})");
  e.hash = EntryHash(e);
  EXPECT_EQ(e.hash, "47ceb9523c2d688615ce33435c42246a2d9df24eeb1418e32301eb27893e4b82");

  Entry e2 = e;
  e2.seq = 2;
  e2.entry_id = "le_01KAT3ZG1R5N8Q2W4E6R8T0Y2U";
  e2.ts_ms = kT0 + 1500;
  e2.event_type = "POLICY_EVALUATED";
  e2.trace_id = "tr-7";
  e2.actor = "system";
  e2.data_json = R"({"decision":"AUTO_EXECUTE","reason":null})";
  e2.prev_hash = e.hash;
  EXPECT_EQ(CanonicalEntryText(e2),
            R"({"account_id":"acct-1","action_intent_id":"ai_42","actor":"system",)"
            R"("data":{"decision":"AUTO_EXECUTE","reason":null},)"
            R"("entry_id":"le_01KAT3ZG1R5N8Q2W4E6R8T0Y2U","event_type":"POLICY_EVALUATED",)"
            R"("prev_hash":"47ceb9523c2d688615ce33435c42246a2d9df24eeb1418e32301eb27893e4b82",)"
            R"("seq":2,"tenant_id":"acme","timestamp":"2026-11-24T06:00:01.500Z",)"
            R"("trace_id":"tr-7"})");
  e2.hash = EntryHash(e2);
  EXPECT_EQ(e2.hash, "3b08b1c2e9ca01093dcc8a2deb1362893849bb4c64bc1e2db547abaf2e4441ac");
}

// The hand-spliced text equals the canonical JSON of the full entry object, for any data.
TEST(LedgerFormatTest, SplicedTextEqualsCanonicalJsonOfTheObject) {
  std::vector<Json> datas = {
      Json::object(),
      {{"z", 1}, {"a", {{"y", nullptr}, {"b", {1, 2.5, "x"}}}}, {"ü", "\"quoted\"\n\t\x01"}},
      {{"big", 9007199254740993LL}, {"neg", -1}, {"f", 1e-7}, {"g", 1e21}, {"t", true}},
  };
  for (const Json& data : datas) {
    Entry e;
    e.tenant_id = "t\"1";
    e.seq = 12345678901LL;
    e.entry_id = "le_x";
    e.ts_ms = kT0 + 7;
    e.event_type = "CONFIG_CHANGED";
    e.actor = "a\\b";
    e.trace_id = "tr";
    e.data_json = CanonicalJson(data);
    e.prev_hash = std::string(kGenesisHash);
    Json obj = {{"tenant_id", e.tenant_id},   {"seq", e.seq},
                {"entry_id", e.entry_id},     {"timestamp", "2026-11-24T06:00:00.007Z"},
                {"event_type", e.event_type}, {"account_id", ""},
                {"trace_id", e.trace_id},     {"action_intent_id", ""},
                {"actor", e.actor},           {"data", data},
                {"prev_hash", e.prev_hash}};
    EXPECT_EQ(CanonicalEntryText(e), CanonicalJson(obj));
    // Round trip through the API/JSON-export shape keeps the hash.
    e.hash = EntryHash(e);
    Json j;
    ToJson(e, &j);
    EXPECT_TRUE(j["account_id"].is_null());
    EXPECT_TRUE(j["data"].is_object());
    Entry back;
    ASSERT_TRUE(EntryFromJson(j, &back).ok());
    EXPECT_EQ(EntryHash(back), e.hash);
    EXPECT_EQ(back.hash, e.hash);
  }
}

// Header strings take a fast path when they are plain printable ASCII; every other byte goes
// through the library. Both must give exactly CanonicalJson's text.
TEST(LedgerFormatTest, HeaderStringsOfEveryKindMatchCanonicalJson) {
  std::vector<std::string> strings = {"",       "plain-id_1.2:3@x", " ~",     "a\"b",   "a\\b",
                                      "tab\there", "nl\n",            "\x01\x1f", "del\x7f", "Zoë",
                                      "\xff\xfe bad utf8"};
  for (const std::string& s : strings) {
    Entry e;
    e.tenant_id = s;
    e.seq = 1;
    e.entry_id = s;
    e.ts_ms = kT0;
    e.event_type = s;
    e.account_id = s;
    e.trace_id = s;
    e.action_intent_id = s;
    e.actor = s;
    e.data_json = "{}";
    e.prev_hash = s;
    Json obj = {{"tenant_id", s},  {"seq", 1},         {"entry_id", s},
                {"timestamp", "2026-11-24T06:00:00.000Z"},
                {"event_type", s}, {"account_id", s},  {"trace_id", s},
                {"action_intent_id", s}, {"actor", s}, {"data", Json::object()},
                {"prev_hash", s}};
    EXPECT_EQ(CanonicalEntryText(e), CanonicalJson(obj)) << "string: " << s;
  }
}

TEST_F(LedgerTest, AppendValidatesItsArguments) {
  Status st = store_->Write([&](store::Txn& t) -> Status {
    EXPECT_EQ(Append(t, "t", kT0, Req(kIntentCreated), Json::array()).status().code(),
              Code::kInvalidArgument);
    EXPECT_EQ(Append(t, "t", kT0, Req(kIntentCreated), Json(nullptr)).status().code(),
              Code::kInvalidArgument);
    EXPECT_EQ(Append(t, "t", kT0, Req("NOT_A_TYPE"), Json::object()).status().code(),
              Code::kInvalidArgument);
    EXPECT_EQ(Append(t, "", kT0, Req(kIntentCreated), Json::object()).status().code(),
              Code::kInvalidArgument);
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok());
  st = store_->Read([&](store::Txn& t) -> Status {
    EXPECT_FALSE(Append(t, "t", kT0, Req(kIntentCreated), Json::object()).ok());
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(Seqs("t").empty());
  EXPECT_TRUE(IsKnownEventType("AUDIT_EXPORT_REQUESTED"));
  EXPECT_TRUE(IsKnownEventType(kReplayStarted));
  EXPECT_FALSE(IsKnownEventType("intent_created"));
}

TEST_F(LedgerTest, RolledBackWriteLeavesNoEntryAndNoHeadChange) {
  Entry first = AppendOne("t", kT0, Req(kIntentCreated));
  Status st = store_->Write([&](store::Txn& t) -> Status {
    STEWARD_ASSIGN_OR_RETURN(Entry e, Append(t, "t", kT0 + 1, Req(kIntentCreated), {{"x", 1}}));
    EXPECT_EQ(e.seq, 2);
    return Status::Conflict("caller changed its mind");
  });
  EXPECT_EQ(st.code(), Code::kConflict);
  EXPECT_EQ(Seqs("t"), std::vector<int64_t>{1});
  ASSERT_TRUE(store_
                  ->Read([&](store::Txn& t) -> Status {
                    STEWARD_ASSIGN_OR_RETURN(auto head, GetHead(t, "t"));
                    EXPECT_EQ(head->seq, 1);
                    EXPECT_EQ(head->hash, first.hash);
                    return Status::Ok();
                  })
                  .ok());
  Entry next = AppendOne("t", kT0 + 2, Req(kIntentCreated));
  EXPECT_EQ(next.seq, 2);
  EXPECT_EQ(next.prev_hash, first.hash);
  EXPECT_TRUE(DoVerify("t").ok);
}

TEST_F(LedgerTest, ConcurrentAppendsFromEightThreadsAreGapFree) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      for (int i = 0; i < kPerThread; ++i) {
        Status st = store_->Write([&](store::Txn& t) -> Status {
          std::string tenant = (i % 2 == 0) ? "shared" : "tenant-" + std::to_string(th % 2);
          auto e = Append(t, tenant, kT0 + i, Req(kActionExecuted), {{"th", th}, {"i", i}});
          return e.ok() ? Status::Ok() : e.status();
        });
        if (!st.ok()) failures.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  size_t total = 0;
  for (const std::string tenant : {"shared", "tenant-0", "tenant-1"}) {
    auto seqs = Seqs(tenant);
    total += seqs.size();
    EXPECT_EQ(seqs, Iota(1, static_cast<int64_t>(seqs.size()))) << tenant;
    VerifyResult v = DoVerify(tenant);
    EXPECT_TRUE(v.ok) << tenant << ": " << v.reason;
  }
  EXPECT_EQ(total, static_cast<size_t>(kThreads * kPerThread));
}

class LedgerQueryTest : public LedgerTest {
 protected:
  // 120 entries: event types cycle over 3, accounts over 2, intents over 4 (every 5th entry has
  // none), trace "tr-even"/"tr-odd", one entry per second.
  void SetUp() override {
    LedgerTest::SetUp();
    const std::string_view types[] = {kIntentCreated, kPolicyEvaluated, kActionExecuted};
    Status st = store_->Write([&](store::Txn& t) -> Status {
      for (int i = 0; i < kN; ++i) {
        std::string intent = i % 5 == 0 ? "" : "ai_" + std::to_string(i % 4);
        auto req = Req(types[i % 3], i % 2 ? "acct-odd" : "acct-even", intent,
                       i % 2 ? "tr-odd" : "tr-even");
        auto e = Append(t, "t", kT0 + 1000 * i, req, {{"i", i}});
        if (!e.ok()) return e.status();
      }
      // Another tenant's entries never show up.
      auto other =
          Append(t, "other", kT0, Req(kIntentCreated, "acct-even", "ai_0"), Json::object());
      return other.ok() ? Status::Ok() : other.status();
    });
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  // Seqs (1-based) of entries i in [0, kN) satisfying pred, ascending.
  template <typename Pred>
  std::vector<int64_t> Expected(Pred pred) {
    std::vector<int64_t> out;
    for (int i = 0; i < kN; ++i) {
      if (pred(i)) out.push_back(i + 1);
    }
    return out;
  }
  static std::vector<int64_t> Reversed(std::vector<int64_t> v) {
    std::reverse(v.begin(), v.end());
    return v;
  }
  static constexpr int kN = 120;
};

TEST_F(LedgerQueryTest, PaginationCoversAllRowsExactlyOnceInBothOrders) {
  Filter f;
  for (int limit : {1, 7, 50, 120, 1000}) {
    f.newest_first = true;
    EXPECT_EQ(ListAll("t", f, limit), Reversed(Iota(1, kN))) << limit;
    f.newest_first = false;
    EXPECT_EQ(ListAll("t", f, limit), Iota(1, kN)) << limit;
  }
  // The last page has no cursor; a page ending exactly at the end has none either.
  auto page = ListPage("t", f, kN);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->next_cursor.empty());
  EXPECT_EQ(page->entries.size(), static_cast<size_t>(kN));
  EXPECT_EQ(page->entries.front().tenant_id, "t");
}

TEST_F(LedgerQueryTest, Filters) {
  Filter f;
  f.newest_first = false;
  f.event_type = std::string(kPolicyEvaluated);
  EXPECT_EQ(ListAll("t", f, 9), Expected([](int i) { return i % 3 == 1; }));
  f = Filter{};
  f.newest_first = false;
  f.account_id = "acct-odd";
  EXPECT_EQ(ListAll("t", f, 9), Expected([](int i) { return i % 2 == 1; }));
  f = Filter{};
  f.newest_first = false;
  f.action_intent_id = "ai_2";
  EXPECT_EQ(ListAll("t", f, 4), Expected([](int i) { return i % 5 != 0 && i % 4 == 2; }));
  f = Filter{};
  f.newest_first = false;
  f.trace_id = "tr-even";
  EXPECT_EQ(ListAll("t", f, 1000), Expected([](int i) { return i % 2 == 0; }));
  f = Filter{};
  f.newest_first = true;
  f.from_ms = kT0 + 10000;
  f.to_ms = kT0 + 19000;
  EXPECT_EQ(ListAll("t", f, 3), Reversed(Iota(11, 20)));
  // Combined: account and event type and time.
  f.account_id = "acct-even";
  f.event_type = std::string(kIntentCreated);
  f.from_ms = kT0;
  f.to_ms = kT0 + 59000;
  EXPECT_EQ(ListAll("t", f, 2),
            Reversed(Expected([](int i) { return i < 60 && i % 2 == 0 && i % 3 == 0; })));
  f = Filter{};
  f.account_id = "nobody";
  auto none = ListPage("t", f, 10);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->entries.empty());
  EXPECT_TRUE(none->next_cursor.empty());
}

TEST_F(LedgerQueryTest, ForIntentIsOrderedBySeq) {
  std::vector<Entry> entries;
  ASSERT_TRUE(store_
                  ->Read([&](store::Txn& t) -> Status {
                    STEWARD_ASSIGN_OR_RETURN(entries, ForIntent(t, "t", "ai_1"));
                    return Status::Ok();
                  })
                  .ok());
  std::vector<int64_t> seqs;
  for (const auto& e : entries) {
    seqs.push_back(e.seq);
    EXPECT_EQ(e.action_intent_id, "ai_1");
  }
  EXPECT_EQ(seqs, Expected([](int i) { return i % 5 != 0 && i % 4 == 1; }));
}

TEST_F(LedgerQueryTest, BadCursorAndLimitAreInvalidArgument) {
  Filter f;
  for (const std::string& bad : std::vector<std::string>{
           "%%%", "bm9wZQ", Base64UrlEncode("d:"), Base64UrlEncode("d:-3"), Base64UrlEncode("d:0"),
           Base64UrlEncode("x:5"), Base64UrlEncode("d:5x"),
           Base64UrlEncode("d:99999999999999999999"), std::string(100, 'A')}) {
    auto page = ListPage("t", f, 10, bad);
    EXPECT_EQ(page.status().code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(page.status().field(), "cursor");
  }
  // A cursor from one order does not continue the other.
  auto first = ListPage("t", f, 10);
  ASSERT_TRUE(first.ok());
  f.newest_first = false;
  EXPECT_EQ(ListPage("t", f, 10, first->next_cursor).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ListPage("t", f, 0).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ListPage("t", f, 1001).status().field(), "limit");
}

TEST_F(LedgerQueryTest, ApiShapeUsesNullForAbsentIds) {
  Filter f;
  f.newest_first = false;
  auto page = ListPage("t", f, 1);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 1u);
  Json j;
  ToJson(page->entries[0], &j);
  EXPECT_EQ(j["seq"], 1);
  EXPECT_EQ(j["timestamp"], "2026-11-24T06:00:00.000Z");
  EXPECT_TRUE(j["action_intent_id"].is_null());  // entry 0 has no intent
  EXPECT_EQ(j["account_id"], "acct-even");
  EXPECT_EQ(j["data"], Json({{"i", 0}}));
  EXPECT_EQ(j["prev_hash"], std::string(kGenesisHash));
  EXPECT_EQ(j.size(), 12u);
}

}  // namespace
}  // namespace steward::ledger
