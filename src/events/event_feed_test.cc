// The event feed against a real SQLite store: ordering, tenant isolation, cursors, type filters,
// validation, and long-poll (early wake-up, timeout, the waiter bound, Stop).
#include "events/event_feed.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "common/crypto.h"
#include "common/json.h"
#include "events/cursor.h"

namespace steward::events {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr int64_t kNow = 1795500000000;  // 2026-11-24

class EventFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("steward_event_feed_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = store::Open("sqlite://" + (dir_ / "t.db").string()).value();
  }
  void TearDown() override {
    feed_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void MakeFeed(EventFeedOptions options = {}) {
    feed_ = std::make_unique<EventFeed>(store_.get(), options);
  }

  // Appends an event as exec::AppendEvent does; returns its event_id.
  int64_t Append(const std::string& tenant, const std::string& type,
                 const std::string& account = "acct-1", Json data = Json::object()) {
    int64_t id = 0;
    Status st = store_->Write([&](store::Txn& t) -> Status {
      STEWARD_ASSIGN_OR_RETURN(
          auto row, t.QueryOne("INSERT INTO events (tenant_id, type, account_id, action_intent_id, "
                               "data, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING event_id",
                               {tenant, type, store::TextOrNull(account), std::string("ai-1"),
                                data.dump(), kNow}));
      id = row->Int(0);
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return id;
  }

  Json List(const Actor& actor, const std::string& after = "", std::vector<std::string> types = {},
            int limit = 100, int wait = 0) {
    Json out;
    Status st = feed_->List(actor, after, std::move(types), limit, wait, &out);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  Status ListStatus(std::string_view after, std::vector<std::string> types, int limit, int wait) {
    Json out;
    return feed_->List(a_, after, std::move(types), limit, wait, &out);
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<EventFeed> feed_;
  const Actor a_{"tenant-a", "agent"};
  const Actor b_{"tenant-b", "agent"};
};

std::vector<std::string> Ids(const Json& page) {
  std::vector<std::string> ids;
  for (const auto& item : page["items"]) ids.push_back(item["event_id"].get<std::string>());
  return ids;
}

std::string Evt(int64_t id) { return EventIdString(id); }

TEST_F(EventFeedTest, ItemsAreOrderedByEventIdWithTheirFields) {
  MakeFeed();
  int64_t e1 = Append("tenant-a", "EXECUTION_COMPLETED", "acct-1", {{"status", "SUCCEEDED"}});
  int64_t e2 = Append("tenant-a", "DECISION_EVALUATION_REQUESTED", "");
  int64_t e3 = Append("tenant-a", "EXECUTION_COMPLETED");
  Json page = List(a_);
  EXPECT_EQ(Ids(page), (std::vector<std::string>{Evt(e1), Evt(e2), Evt(e3)}));
  const Json& first = page["items"][0];
  EXPECT_EQ(first["event_id"], "evt_" + std::to_string(e1));
  EXPECT_EQ(first["type"], "EXECUTION_COMPLETED");
  EXPECT_EQ(first["account_id"], "acct-1");
  EXPECT_EQ(first["action_intent_id"], "ai-1");
  EXPECT_EQ(first["data"], Json({{"status", "SUCCEEDED"}}));
  EXPECT_EQ(first["created_at"], "2026-11-24T06:00:00.000Z");
  EXPECT_TRUE(page["items"][1]["account_id"].is_null());
  // The cursor is opaque, but it is the base64url of the last event_id.
  int64_t decoded = 0;
  ASSERT_TRUE(DecodeIdCursor(page["next_cursor"].get<std::string>(), &decoded));
  EXPECT_EQ(decoded, e3);
}

TEST_F(EventFeedTest, TenantsSeeOnlyTheirOwnEvents) {
  MakeFeed();
  int64_t a1 = Append("tenant-a", "X");
  int64_t b1 = Append("tenant-b", "X");
  int64_t a2 = Append("tenant-a", "X");
  EXPECT_EQ(Ids(List(a_)), (std::vector<std::string>{Evt(a1), Evt(a2)}));
  EXPECT_EQ(Ids(List(b_)), (std::vector<std::string>{Evt(b1)}));
  EXPECT_EQ(List({"tenant-c", "x"})["items"].size(), 0u);
  // Another tenant's cursor only positions; it never reveals the other tenant's events.
  Json after_b = List(a_, EncodeIdCursor(b1));
  EXPECT_EQ(Ids(after_b), (std::vector<std::string>{Evt(a2)}));
}

TEST_F(EventFeedTest, CursorPagesThroughEverythingOnce) {
  MakeFeed();
  std::vector<std::string> all;
  for (int i = 0; i < 5; ++i) all.push_back(Evt(Append("tenant-a", "X")));
  std::vector<std::string> seen;
  std::string cursor;
  for (int page = 0; page < 3; ++page) {
    Json p = List(a_, cursor, {}, 2);
    for (const auto& id : Ids(p)) seen.push_back(id);
    cursor = p["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(seen, all);
  // At the end: an empty page that hands back the same cursor.
  Json end = List(a_, cursor, {}, 2);
  EXPECT_EQ(end["items"].size(), 0u);
  EXPECT_EQ(end["next_cursor"], cursor);
  // New events continue from there.
  int64_t e6 = Append("tenant-a", "X");
  EXPECT_EQ(Ids(List(a_, cursor)), (std::vector<std::string>{Evt(e6)}));
  // No cursor and nothing at all: "" back.
  Json none = List({"tenant-z", "x"});
  EXPECT_EQ(none["next_cursor"], "");
}

TEST_F(EventFeedTest, TypeFilterSelectsTypesAndKeepsTheCursorMoving) {
  MakeFeed();
  int64_t x1 = Append("tenant-a", "X");
  Append("tenant-a", "Y");
  int64_t z1 = Append("tenant-a", "Z_TYPE");
  Append("tenant-a", "Y");
  Json p = List(a_, "", {"Z_TYPE", "X", "X"});
  EXPECT_EQ(Ids(p), (std::vector<std::string>{Evt(x1), Evt(z1)}));
  EXPECT_EQ(Ids(List(a_, "", {"NOPE"})).size(), 0u);
}

TEST_F(EventFeedTest, ValidationErrorsNameTheirField) {
  MakeFeed();
  auto field = [&](Status st) {
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << st.ToString();
    return st.field();
  };
  EXPECT_EQ(field(ListStatus("", {}, 0, 0)), "limit");
  EXPECT_EQ(field(ListStatus("", {}, 501, 0)), "limit");
  EXPECT_EQ(field(ListStatus("", {}, 10, -1)), "wait");
  EXPECT_EQ(field(ListStatus("", {}, 10, 31)), "wait");
  EXPECT_EQ(field(ListStatus("", {"lower"}, 10, 0)), "type");
  EXPECT_EQ(field(ListStatus("", {"A-B"}, 10, 0)), "type");
  EXPECT_EQ(field(ListStatus("", {""}, 10, 0)), "type");
  EXPECT_EQ(field(ListStatus("", {std::string(65, 'A')}, 10, 0)), "type");
  std::vector<std::string> many;
  for (int i = 0; i < 51; ++i) many.push_back("T" + std::string(static_cast<size_t>(i + 1), 'A'));
  EXPECT_EQ(field(ListStatus("", many, 10, 0)), "type");
  for (const std::string& bad :
       {std::string("!!!"), Base64UrlEncode("abc"), Base64UrlEncode("-1"), Base64UrlEncode("007"),
        Base64UrlEncode("99999999999999999999"), Base64UrlEncode("1 "), std::string("MQ==")}) {
    Status st = ListStatus(bad, {}, 10, 0);
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(st.field(), "cursor");
    EXPECT_EQ(st.message(), "cursor is not valid");
  }
  EXPECT_TRUE(ListStatus("", {std::string(64, 'A')}, 500, 0).ok());
  EXPECT_TRUE(ListStatus(EncodeIdCursor(0), {}, 1, 0).ok());
}

TEST_F(EventFeedTest, LongPollReturnsEarlyWhenAnEventArrives) {
  MakeFeed();
  ASSERT_TRUE(feed_->Start().ok());
  int64_t old = Append("tenant-a", "X");
  std::string cursor = EncodeIdCursor(old);
  int64_t appended = 0;
  std::thread writer([&] {
    std::this_thread::sleep_for(milliseconds(200));
    appended = Append("tenant-a", "X");
  });
  auto start = steady_clock::now();
  Json page = List(a_, cursor, {}, 100, 10);
  auto elapsed = steady_clock::now() - start;
  writer.join();
  ASSERT_EQ(page["items"].size(), 1u);
  EXPECT_EQ(page["items"][0]["event_id"], Evt(appended));
  EXPECT_GE(elapsed, milliseconds(150));
  EXPECT_LT(elapsed, milliseconds(1000));
}

TEST_F(EventFeedTest, LongPollKeepsWaitingThroughOtherTenantsAndOtherTypes) {
  MakeFeed();
  ASSERT_TRUE(feed_->Start().ok());
  int64_t mine = 0;
  std::thread writer([&] {
    std::this_thread::sleep_for(milliseconds(150));
    Append("tenant-b", "X");
    std::this_thread::sleep_for(milliseconds(150));
    Append("tenant-a", "OTHER");
    std::this_thread::sleep_for(milliseconds(150));
    mine = Append("tenant-a", "X");
  });
  auto start = steady_clock::now();
  Json page = List(a_, "", {"X"}, 100, 10);
  auto elapsed = steady_clock::now() - start;
  writer.join();
  ASSERT_EQ(page["items"].size(), 1u);
  EXPECT_EQ(page["items"][0]["event_id"], Evt(mine));
  EXPECT_GE(elapsed, milliseconds(400));
  EXPECT_LT(elapsed, milliseconds(1500));
}

TEST_F(EventFeedTest, LongPollTimesOutWithAnEmptyPageAndTheSameCursor) {
  MakeFeed();
  ASSERT_TRUE(feed_->Start().ok());
  std::string cursor = EncodeIdCursor(Append("tenant-a", "X"));
  Append("tenant-b", "X");  // not for this tenant
  auto start = steady_clock::now();
  Json page = List(a_, cursor, {}, 100, 1);
  auto elapsed = steady_clock::now() - start;
  EXPECT_EQ(page["items"].size(), 0u);
  EXPECT_EQ(page["next_cursor"], cursor);
  EXPECT_GE(elapsed, milliseconds(950));
  EXPECT_LT(elapsed, milliseconds(2000));
  EXPECT_EQ(feed_->waiters(), 0);
}

TEST_F(EventFeedTest, WaitersBeyondTheBoundAnswerAtOnceAndStopWakesTheRest) {
  EventFeedOptions options;
  options.max_waiters = 1;
  MakeFeed(options);
  ASSERT_TRUE(feed_->Start().ok());
  auto first = std::async(std::launch::async, [&] {
    auto start = steady_clock::now();
    Json page = List(a_, "", {}, 100, 20);
    return std::make_pair(page, steady_clock::now() - start);
  });
  for (int i = 0; i < 200 && feed_->waiters() < 1; ++i)
    std::this_thread::sleep_for(milliseconds(5));
  ASSERT_EQ(feed_->waiters(), 1);
  auto start = steady_clock::now();
  Json second = List(a_, "", {}, 100, 20);
  EXPECT_LT(steady_clock::now() - start, milliseconds(500));
  EXPECT_EQ(second["items"].size(), 0u);
  // Stop releases the waiter at once, with an empty page.
  std::this_thread::sleep_for(milliseconds(100));
  feed_->Stop();
  auto [page, elapsed] = first.get();
  EXPECT_EQ(page["items"].size(), 0u);
  EXPECT_LT(elapsed, milliseconds(2000));
  EXPECT_EQ(feed_->waiters(), 0);
  // Stopped: no more waiting.
  start = steady_clock::now();
  List(a_, "", {}, 100, 20);
  EXPECT_LT(steady_clock::now() - start, milliseconds(500));
}

TEST_F(EventFeedTest, WithoutTheWatcherRequestsDoNotWait) {
  MakeFeed();
  auto start = steady_clock::now();
  Json page = List(a_, "", {}, 100, 20);
  EXPECT_LT(steady_clock::now() - start, milliseconds(500));
  EXPECT_EQ(page["items"].size(), 0u);
  ASSERT_TRUE(feed_->Start().ok());
  EXPECT_EQ(feed_->Start().code(), Code::kInternal);
  feed_->Stop();
  feed_->Stop();  // idempotent
}

TEST_F(EventFeedTest, ManyConcurrentWaitersAllWakeForTheirTenant) {
  EventFeedOptions options;
  options.max_waiters = 8;
  MakeFeed(options);
  ASSERT_TRUE(feed_->Start().ok());
  std::vector<std::future<Json>> waiters;
  for (int i = 0; i < 8; ++i) {
    const Actor& who = i % 2 == 0 ? a_ : b_;
    waiters.push_back(
        std::async(std::launch::async, [&, who] { return List(who, "", {}, 100, 10); }));
  }
  for (int i = 0; i < 400 && feed_->waiters() < 8; ++i)
    std::this_thread::sleep_for(milliseconds(5));
  ASSERT_EQ(feed_->waiters(), 8);
  auto start = steady_clock::now();
  int64_t a = Append("tenant-a", "X");
  int64_t b = Append("tenant-b", "X");
  for (int i = 0; i < 8; ++i) {
    Json page = waiters[static_cast<size_t>(i)].get();
    ASSERT_EQ(page["items"].size(), 1u);
    EXPECT_EQ(page["items"][0]["event_id"], Evt(i % 2 == 0 ? a : b));
  }
  EXPECT_LT(steady_clock::now() - start, milliseconds(1500));
}

}  // namespace
}  // namespace steward::events
