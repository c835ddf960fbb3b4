// Webhooks: configuration (validation, the secret never shown, the ledger), dispatch (one
// delivery per matching event of the tenant, no replay of history, the periodic job, the
// per-tenant bound) and the deliveries listing. Delivery itself is in webhook_delivery_test.cc.
#include "events/webhooks.h"

#include <gtest/gtest.h>

#include "common/json.h"
#include "events/event_feed.h"
#include "events/webhooks_test_fixture.h"

namespace steward::events {
namespace {

using testing::kNow;
using testing::kSecret;
using testing::WebhooksTest;

// ---- configuration --------------------------------------------------------------------------

TEST_F(WebhooksTest, PutValidatesEveryField) {
  auto field = [&](const std::string& id, Json body) {
    Json out;
    Status st = svc_->Put(admin_, id, body, &out);
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << body.dump();
    return st.field();
  };
  Json good = Hook({"EXECUTION_COMPLETED"});
  EXPECT_EQ(field("bad id!", good), "webhook_id");
  EXPECT_EQ(field("", good), "webhook_id");
  auto with = [&](const char* key, Json value) {
    Json b = good;
    if (value.is_null()) {
      b.erase(key);
    } else {
      b[key] = value;
    }
    return b;
  };
  EXPECT_EQ(field("w1", with("url", nullptr)), "url");
  EXPECT_EQ(field("w1", with("url", "ftp://example.com/x")), "url");
  EXPECT_EQ(field("w1", with("url", "http://exa mple.com/")), "url");
  EXPECT_EQ(field("w1", with("url", "http://example.com/" + std::string(2100, 'a'))), "url");
  EXPECT_EQ(field("w1", with("url", 7)), "url");
  EXPECT_EQ(field("w1", with("event_types", nullptr)), "event_types");
  EXPECT_EQ(field("w1", with("event_types", Json::array())), "event_types");
  EXPECT_EQ(field("w1", with("event_types", {"execution_completed"})), "event_types");
  EXPECT_EQ(field("w1", with("event_types", {"A-B"})), "event_types");
  EXPECT_EQ(field("w1", with("event_types", {std::string(65, 'A')})), "event_types");
  EXPECT_EQ(field("w1", with("event_types", {1})), "event_types");
  EXPECT_EQ(field("w1", with("secret", "short")), "secret");
  EXPECT_EQ(field("w1", with("secret", std::string(513, 's'))), "secret");
  EXPECT_EQ(field("w1", with("secret", nullptr)), "secret");  // required when creating
  EXPECT_EQ(field("w1", with("enabled", "yes")), "enabled");
  EXPECT_EQ(field("w1", with("tenant_id", "tenant-b")), "tenant_id");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM webhooks"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ledger"), 0);
}

TEST_F(WebhooksTest, SecretIsNeverShownAndUpdatesKeepIt) {
  Json created = Put("w1", Hook({"X", "EXECUTION_COMPLETED", "X"}));
  EXPECT_EQ(created["created"], true);
  EXPECT_EQ(created["secret_set"], true);
  EXPECT_FALSE(created.contains("secret"));
  EXPECT_EQ(created["event_types"], Json({"EXECUTION_COMPLETED", "X"}));
  EXPECT_EQ(created["enabled"], true);
  Json got;
  ASSERT_TRUE(svc_->Get(admin_, "w1", &got).ok());
  EXPECT_FALSE(got.contains("secret"));
  EXPECT_EQ(got["secret_set"], true);
  EXPECT_EQ(got["url"], receiver_.Url("/hook"));
  EXPECT_EQ(got["updated_by"], "admin@a");
  EXPECT_EQ(got["created_at"], "2026-11-24T06:00:00.000Z");
  EXPECT_EQ(got.dump().find(kSecret), std::string::npos);

  // Update without a secret keeps the stored one.
  clock_.Advance(1000);
  Json body = Hook({"X"});
  body.erase("secret");
  Json updated = Put("w1", body);
  EXPECT_EQ(updated["created"], false);
  EXPECT_EQ(updated["created_at"], "2026-11-24T06:00:00.000Z");
  EXPECT_EQ(updated["updated_at"], "2026-11-24T06:00:01.000Z");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM webhooks WHERE secret = 'webhook-signing-secret-1'"), 1);

  // The ledger records both changes, never the secret.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ledger WHERE event_type = 'CONFIG_CHANGED' AND "
                  "tenant_id = 'tenant-a' AND data LIKE '%\"setting\":\"webhook\"%'"),
            2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ledger WHERE data LIKE '%webhook-signing-secret%'"), 0);

  // Other tenants see nothing.
  Json out;
  EXPECT_EQ(svc_->Get(other_, "w1", &out).code(), Code::kNotFound);
  EXPECT_EQ(svc_->Delete(other_, "w1", &out).code(), Code::kNotFound);
  EXPECT_EQ(svc_->ListDeliveries(other_, "w1", "", 10, "", &out).code(), Code::kNotFound);
  EXPECT_EQ(svc_->Get(admin_, "nope", &out).code(), Code::kNotFound);

  ASSERT_TRUE(svc_->Delete(admin_, "w1", &out).ok());
  EXPECT_EQ(out["deleted"], true);
  EXPECT_EQ(svc_->Get(admin_, "w1", &out).code(), Code::kNotFound);
  EXPECT_EQ(svc_->Delete(admin_, "w1", &out).code(), Code::kNotFound);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ledger WHERE event_type = 'CONFIG_CHANGED'"), 3);
}

// ---- dispatch -------------------------------------------------------------------------------

TEST_F(WebhooksTest, NewWebhooksDoNotReplayHistory) {
  Append("tenant-a", "X");
  Append("tenant-a", "X");
  Put("w1", Hook({"X"}));
  EXPECT_EQ(svc_->DispatchOnce().value(), 0);
  int64_t fresh = Append("tenant-a", "X");
  EXPECT_EQ(svc_->DispatchOnce().value(), 1);
  Json list = Deliveries("w1");
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(list["items"][0]["event_id"], EventIdString(fresh));
}

TEST_F(WebhooksTest, DispatchCreatesOneDeliveryPerMatchingEventOfTheTenant) {
  Put("w1", Hook({"EXECUTION_COMPLETED", "X"}));
  int64_t e1 = Append("tenant-a", "EXECUTION_COMPLETED");
  Append("tenant-a", "OTHER");
  Append("tenant-b", "EXECUTION_COMPLETED");
  int64_t e4 = Append("tenant-a", "X");
  Append("tenant-b", "X");
  EXPECT_EQ(svc_->DispatchOnce().value(), 2);
  EXPECT_EQ(svc_->DispatchOnce().value(), 0);  // idempotent: the cursor moved
  EXPECT_EQ(Count("SELECT COUNT(*) FROM webhook_deliveries"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE type = 'WEBHOOK_DELIVER' AND tenant_id = "
                  "'tenant-a' AND status = 'PENDING'"),
            2);
  EXPECT_EQ(Count("SELECT cursor_event_id FROM webhooks WHERE webhook_id = 'w1'"), e4);
  Json list = Deliveries("w1");
  ASSERT_EQ(list["items"].size(), 2u);
  // Newest first.
  EXPECT_EQ(list["items"][0]["event_id"], EventIdString(e4));
  EXPECT_EQ(list["items"][0]["event_type"], "X");
  EXPECT_EQ(list["items"][1]["event_id"], EventIdString(e1));
  for (const auto& d : list["items"]) {
    EXPECT_EQ(d["status"], "PENDING");
    EXPECT_EQ(d["attempts"], 0);
    EXPECT_TRUE(d["last_status_code"].is_null());
    EXPECT_TRUE(d["delivered_at"].is_null());
  }
  // A second webhook of the same tenant gets its own deliveries; the first one none again.
  Put("w2", Hook({"OTHER"}));
  Append("tenant-a", "OTHER");
  EXPECT_EQ(svc_->DispatchOnce().value(), 1);
  EXPECT_EQ(Deliveries("w1")["items"].size(), 2u);
  EXPECT_EQ(Deliveries("w2")["items"].size(), 1u);
}

TEST_F(WebhooksTest, DispatcherIsOnePeriodicJob) {
  ASSERT_TRUE(svc_->ScheduleDispatcher().ok());
  ASSERT_TRUE(svc_->ScheduleDispatcher().ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE type = 'WEBHOOK_DISPATCH' AND tenant_id = "
                  "'_system' AND dedupe_key = 'webhook-dispatch'"),
            1);
  Put("w1", Hook({"X"}));
  Append("tenant-a", "X");
  auto outcomes = RunDue(kJobWebhookDispatch);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, jobs::Outcome::Kind::kRetryAt);
  EXPECT_EQ(outcomes[0].run_at_ms, kNow + 500);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM webhook_deliveries"), 1);
  EXPECT_TRUE(RunDue(kJobWebhookDispatch).empty());  // not due again yet
  clock_.Advance(500);
  EXPECT_EQ(RunDue(kJobWebhookDispatch).size(), 1u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE type = 'WEBHOOK_DISPATCH'"), 1);
}

TEST_F(WebhooksTest, PendingDeliveriesPerTenantAreBounded) {
  options_.max_pending_deliveries = 2;
  MakeService();
  Put("w1", Hook({"X"}));
  std::vector<std::string> all;
  for (int i = 0; i < 5; ++i) all.push_back(EventIdString(Append("tenant-a", "X")));
  EXPECT_EQ(svc_->DispatchOnce().value(), 2);
  EXPECT_EQ(svc_->DispatchOnce().value(), 0);  // full until they drain
  DrainDeliveries();
  EXPECT_EQ(svc_->DispatchOnce().value(), 2);
  DrainDeliveries();
  EXPECT_EQ(svc_->DispatchOnce().value(), 1);
  DrainDeliveries();
  Json stats = Stats();
  EXPECT_EQ(stats["event_ids"], Json(all));
  EXPECT_EQ(stats["unique_event_ids"], 5);
}

// ---- listing --------------------------------------------------------------------------------

TEST_F(WebhooksTest, DeliveriesAreListedByStatusAndPaged) {
  Put("w1", Hook({"X"}));
  std::vector<int64_t> events;
  for (int i = 0; i < 3; ++i) events.push_back(Append("tenant-a", "X"));
  ASSERT_EQ(svc_->DispatchOnce().value(), 3);
  Control({{"mode", "500"}, {"times", 1}});
  RunDue(kJobWebhookDeliver);  // the first fails, the other two succeed
  EXPECT_EQ(Deliveries("w1", "PENDING")["items"].size(), 1u);
  EXPECT_EQ(Deliveries("w1", "DELIVERED")["items"].size(), 2u);
  EXPECT_EQ(Deliveries("w1", "DEAD")["items"].size(), 0u);

  std::vector<std::string> seen;
  std::string cursor;
  for (int page = 0; page < 3; ++page) {
    Json p = Deliveries("w1", "", 1, cursor);
    ASSERT_EQ(p["items"].size(), 1u);
    seen.push_back(p["items"][0]["event_id"]);
    if (page < 2) {
      ASSERT_TRUE(p["next_cursor"].is_string());
      cursor = p["next_cursor"];
    } else {
      EXPECT_TRUE(p["next_cursor"].is_null());
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{EventIdString(events[2]), EventIdString(events[1]),
                                            EventIdString(events[0])}));
  Json out;
  EXPECT_EQ(svc_->ListDeliveries(admin_, "w1", "DONE", 10, "", &out).field(), "status");
  EXPECT_EQ(svc_->ListDeliveries(admin_, "w1", "", 0, "", &out).field(), "limit");
  EXPECT_EQ(svc_->ListDeliveries(admin_, "w1", "", 501, "", &out).field(), "limit");
  EXPECT_EQ(svc_->ListDeliveries(admin_, "w1", "", 10, "zz!", &out).field(), "cursor");
  EXPECT_EQ(svc_->ListDeliveries(admin_, "never", "", 10, "", &out).code(), Code::kNotFound);
}

}  // namespace
}  // namespace steward::events
