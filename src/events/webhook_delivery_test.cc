// Webhook delivery against a real receiver (tests/webhook_receiver): signatures and payload,
// retries with backoff and a stable event id, dead letters, timeouts and unreachable receivers,
// deleted and disabled webhooks, and the worker pool end to end.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "common/crypto.h"
#include "common/json.h"
#include "events/event_feed.h"
#include "events/webhooks_test_fixture.h"
#include "jobs/worker_pool.h"

namespace steward::events {
namespace {

using testing::kNow;
using testing::kSecret;
using testing::WebhooksTest;

// ---- delivery -------------------------------------------------------------------------------

TEST_F(WebhooksTest, DeliveryIsSignedAndCarriesTheEvent) {
  Put("w1", Hook({"EXECUTION_COMPLETED"}));
  int64_t e = Append("tenant-a", "EXECUTION_COMPLETED", {{"status", "SUCCEEDED"}});
  ASSERT_EQ(svc_->DispatchOnce().value(), 1);
  auto outcomes = RunDue(kJobWebhookDeliver);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, jobs::Outcome::Kind::kDone);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE type = 'WEBHOOK_DELIVER'"), 0);

  Json stats = Stats();
  EXPECT_EQ(stats["received"], 1);
  EXPECT_EQ(stats["valid_signatures"], 1);
  EXPECT_EQ(stats["invalid_signatures"], 0);
  const Json& got = stats["deliveries"][0];
  EXPECT_EQ(got["event_id"], EventIdString(e));
  const Json& h = got["headers"];
  EXPECT_EQ(h["content-type"], "application/json");
  EXPECT_EQ(h["x-steward-event-id"], EventIdString(e));
  EXPECT_EQ(h["x-steward-timestamp"], std::to_string(kNow / 1000));
  // Recompute the signature here too, independently of the receiver.
  std::string body = got["body"];
  EXPECT_EQ(h["x-steward-signature"],
            "sha256=" + HmacSha256Hex(kSecret, std::to_string(kNow / 1000) + "." + body));
  Json message = Json::parse(body);
  EXPECT_EQ(message, Json({{"event_id", EventIdString(e)},
                           {"type", "EXECUTION_COMPLETED"},
                           {"tenant_id", "tenant-a"},
                           {"account_id", "acct-1"},
                           {"action_intent_id", "ai-1"},
                           {"data", {{"status", "SUCCEEDED"}}},
                           {"created_at", "2026-11-24T06:00:00.000Z"}}));

  Json list = Deliveries("w1");
  ASSERT_EQ(list["items"].size(), 1u);
  const Json& d = list["items"][0];
  EXPECT_EQ(d["status"], "DELIVERED");
  EXPECT_EQ(d["attempts"], 1);
  EXPECT_EQ(d["last_status_code"], 200);
  EXPECT_TRUE(d["last_error"].is_null());
  EXPECT_TRUE(d["next_attempt_at"].is_null());
  EXPECT_EQ(d["delivered_at"], "2026-11-24T06:00:00.000Z");
  EXPECT_EQ(h["x-steward-delivery-id"], d["delivery_id"]);
}

TEST_F(WebhooksTest, RetriesAfterServerErrorsWithTheSameEventIdThenSucceeds) {
  Put("w1", Hook({"X"}));
  int64_t e = Append("tenant-a", "X");
  ASSERT_EQ(svc_->DispatchOnce().value(), 1);
  Control({{"mode", "500"}, {"times", 2}});

  auto first = RunDue(kJobWebhookDeliver);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(first[0].kind, jobs::Outcome::Kind::kRetryAt);
  // First backoff: the 1 s base, jittered down by at most half.
  EXPECT_GE(first[0].run_at_ms, kNow + 500);
  EXPECT_LE(first[0].run_at_ms, kNow + 1000);
  Json d = Deliveries("w1")["items"][0];
  EXPECT_EQ(d["status"], "PENDING");
  EXPECT_EQ(d["attempts"], 1);
  EXPECT_EQ(d["last_status_code"], 500);
  EXPECT_EQ(d["last_error"].get<std::string>().rfind("HTTP 500", 0), 0u) << d["last_error"];
  EXPECT_FALSE(d["next_attempt_at"].is_null());
  // Not due before its time.
  EXPECT_TRUE(RunDue(kJobWebhookDeliver).empty());

  EXPECT_EQ(DrainDeliveries(), 2);
  Json stats = Stats();
  EXPECT_EQ(stats["received"], 3);
  EXPECT_EQ(stats["valid_signatures"], 3);
  EXPECT_EQ(stats["unique_event_ids"], 1);
  EXPECT_EQ(stats["event_ids"], Json({EventIdString(e), EventIdString(e), EventIdString(e)}));
  // The body is byte-identical on every try.
  EXPECT_EQ(stats["deliveries"][0]["body"], stats["deliveries"][2]["body"]);
  d = Deliveries("w1")["items"][0];
  EXPECT_EQ(d["status"], "DELIVERED");
  EXPECT_EQ(d["attempts"], 3);
  EXPECT_EQ(d["last_status_code"], 200);
  EXPECT_TRUE(d["last_error"].is_null());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs"), 0);
}

TEST_F(WebhooksTest, TenFailuresMakeADeadLetterWithCappedBackoff) {
  options_.backoff_cap_ms = 60000;
  MakeService();
  Put("w1", Hook({"X"}));
  int64_t e = Append("tenant-a", "X");
  ASSERT_EQ(svc_->DispatchOnce().value(), 1);
  Control({{"mode", "503"}});
  std::vector<int64_t> delays;
  for (int i = 0; i < 20; ++i) {
    auto outcomes = RunDue(kJobWebhookDeliver);
    if (outcomes.empty()) break;
    ASSERT_EQ(outcomes.size(), 1u);
    if (outcomes[0].kind != jobs::Outcome::Kind::kRetryAt) {
      EXPECT_EQ(outcomes[0].kind, jobs::Outcome::Kind::kDone);
      break;
    }
    delays.push_back(outcomes[0].run_at_ms - clock_.NowMs());
    clock_.Set(outcomes[0].run_at_ms);
  }
  ASSERT_EQ(delays.size(), 9u);  // tries 1..9 retry; the 10th is final
  for (size_t i = 0; i < delays.size(); ++i) {
    int64_t nominal = std::min<int64_t>(int64_t{1000} << i, 60000);
    EXPECT_GE(delays[i], nominal / 2) << i;
    EXPECT_LE(delays[i], nominal) << i;
  }
  Json d = Deliveries("w1")["items"][0];
  EXPECT_EQ(d["status"], "DEAD");
  EXPECT_EQ(d["attempts"], 10);
  EXPECT_EQ(d["last_status_code"], 503);
  EXPECT_TRUE(d["next_attempt_at"].is_null());
  EXPECT_TRUE(d["delivered_at"].is_null());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs"), 0);
  Json stats = Stats();
  EXPECT_EQ(stats["received"], 10);
  EXPECT_EQ(stats["unique_event_ids"], 1);
  EXPECT_EQ(stats["event_ids"][9], EventIdString(e));
  EXPECT_EQ(Deliveries("w1", "DEAD")["items"].size(), 1u);
  EXPECT_EQ(Deliveries("w1", "PENDING")["items"].size(), 0u);
}

TEST_F(WebhooksTest, TimeoutsAndUnreachableReceiversAreFailedTries) {
  options_.request_timeout_ms = 300;
  MakeService();
  Put("w1", Hook({"X"}));
  Append("tenant-a", "X");
  ASSERT_EQ(svc_->DispatchOnce().value(), 1);
  Control({{"mode", "timeout"}, {"times", 1}, {"hang_seconds", 5}});
  auto outcomes = RunDue(kJobWebhookDeliver);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, jobs::Outcome::Kind::kRetryAt);
  Json d = Deliveries("w1")["items"][0];
  EXPECT_TRUE(d["last_status_code"].is_null());
  EXPECT_EQ(d["last_error"], "timed out after 300 ms");

  Control({{"mode", "close"}, {"times", 1}});
  clock_.Set(outcomes[0].run_at_ms);
  outcomes = RunDue(kJobWebhookDeliver);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, jobs::Outcome::Kind::kRetryAt);
  d = Deliveries("w1")["items"][0];
  EXPECT_EQ(d["attempts"], 2);
  EXPECT_TRUE(d["last_status_code"].is_null());
  EXPECT_EQ(d["last_error"].get<std::string>().rfind("connection failed", 0), 0u) << d;

  // The URL now points at a port nothing listens on.
  Json body = Hook({"X"});
  body["url"] = "http://127.0.0.1:1/hook";
  Put("w1", body);
  clock_.Set(outcomes[0].run_at_ms);
  outcomes = RunDue(kJobWebhookDeliver);
  ASSERT_EQ(outcomes.size(), 1u);
  d = Deliveries("w1")["items"][0];
  EXPECT_EQ(d["attempts"], 3);
  EXPECT_EQ(d["last_error"].get<std::string>().rfind("connection failed", 0), 0u) << d;

  // Back to the receiver: delivered on the 4th try.
  Put("w1", Hook({"X"}));
  EXPECT_EQ(DrainDeliveries(), 1);
  d = Deliveries("w1")["items"][0];
  EXPECT_EQ(d["status"], "DELIVERED");
  EXPECT_EQ(d["attempts"], 4);
}

TEST_F(WebhooksTest, AWrongSecretIsSeenByTheReceiver) {
  Json body = Hook({"X"});
  body["secret"] = "a-different-secret-0123";
  Put("w1", body);
  Append("tenant-a", "X");
  ASSERT_EQ(svc_->DispatchOnce().value(), 1);
  auto outcomes = RunDue(kJobWebhookDeliver);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, jobs::Outcome::Kind::kRetryAt);
  Json stats = Stats();
  EXPECT_EQ(stats["invalid_signatures"], 1);
  EXPECT_EQ(Deliveries("w1")["items"][0]["last_status_code"], 401);
  // Rotating to the right secret fixes the next try.
  Put("w1", Hook({"X"}));
  EXPECT_EQ(DrainDeliveries(), 1);
  EXPECT_EQ(Stats()["valid_signatures"], 1);
  EXPECT_EQ(Deliveries("w1")["items"][0]["status"], "DELIVERED");
}

TEST_F(WebhooksTest, ADeletedWebhooksPendingDeliveryEndsDead) {
  Put("w1", Hook({"X"}));
  Append("tenant-a", "X");
  ASSERT_EQ(svc_->DispatchOnce().value(), 1);
  Control({{"mode", "500"}, {"times", 1}});
  ASSERT_EQ(RunDue(kJobWebhookDeliver).size(), 1u);
  Json out;
  ASSERT_TRUE(svc_->Delete(admin_, "w1", &out).ok());
  EXPECT_EQ(out["dead_deliveries"], 1);
  // Its job still runs once, finds the delivery finished and ends without sending.
  EXPECT_EQ(DrainDeliveries(), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs"), 0);
  EXPECT_EQ(Stats()["received"], 1);
  // The deliveries of a deleted webhook stay visible.
  Json d = Deliveries("w1")["items"][0];
  EXPECT_EQ(d["status"], "DEAD");
  EXPECT_EQ(d["last_error"], "webhook was deleted");
  EXPECT_EQ(d["attempts"], 1);
  // Re-created under the same id: the old backlog is not delivered to it.
  Put("w1", Hook({"X"}));
  EXPECT_EQ(svc_->DispatchOnce().value(), 0);
}

TEST_F(WebhooksTest, TheHandlerBuriesDeliveriesWhoseWebhookVanished) {
  Put("w1", Hook({"X"}));
  Put("w2", Hook({"X"}));
  Append("tenant-a", "X");
  ASSERT_EQ(svc_->DispatchOnce().value(), 2);
  // Behind the service's back (as a concurrent change between dispatch and delivery would).
  ASSERT_TRUE(
      store_
          ->Write([&](store::Txn& t) -> Status {
            STEWARD_RETURN_IF_ERROR(
                t.Exec("DELETE FROM webhooks WHERE webhook_id = 'w1'").status());
            return t.Exec("UPDATE webhooks SET enabled = 0 WHERE webhook_id = 'w2'").status();
          })
          .ok());
  auto outcomes = RunDue(kJobWebhookDeliver);
  ASSERT_EQ(outcomes.size(), 2u);
  for (const auto& o : outcomes) EXPECT_EQ(o.kind, jobs::Outcome::Kind::kDone);
  EXPECT_EQ(Stats()["received"], 0);
  EXPECT_EQ(Deliveries("w1")["items"][0]["last_error"], "webhook was deleted");
  EXPECT_EQ(Deliveries("w2")["items"][0]["last_error"], "webhook is disabled");
  EXPECT_EQ(Deliveries("w2")["items"][0]["status"], "DEAD");
}

TEST_F(WebhooksTest, DisablingEndsPendingDeliveriesAndReEnablingDoesNotReplay) {
  Put("w1", Hook({"X"}));
  Append("tenant-a", "X");
  ASSERT_EQ(svc_->DispatchOnce().value(), 1);
  Json body = Hook({"X"});
  body["enabled"] = false;
  Json out = Put("w1", body);
  EXPECT_EQ(out["enabled"], false);
  EXPECT_EQ(Deliveries("w1", "DEAD")["items"][0]["last_error"], "webhook was disabled");
  Append("tenant-a", "X");  // while disabled
  EXPECT_EQ(svc_->DispatchOnce().value(), 0);
  Put("w1", Hook({"X"}));  // enabled again
  EXPECT_EQ(svc_->DispatchOnce().value(), 0);
  int64_t later = Append("tenant-a", "X");
  EXPECT_EQ(svc_->DispatchOnce().value(), 1);
  EXPECT_EQ(Deliveries("w1", "PENDING")["items"][0]["event_id"], EventIdString(later));
  DrainDeliveries();
  EXPECT_EQ(Stats()["event_ids"], Json({EventIdString(later)}));
}

TEST_F(WebhooksTest, MalformedDeliverPayloadFails) {
  jobs::Job job;
  job.tenant_id = "tenant-a";
  job.type = std::string(kJobWebhookDeliver);
  job.payload_json = R"({"delivery":"x"})";
  EXPECT_EQ(svc_->HandleDeliver(job).kind, jobs::Outcome::Kind::kFailed);
  job.payload_json = R"({"delivery_id":12345})";  // unknown: nothing to do
  EXPECT_EQ(svc_->HandleDeliver(job).kind, jobs::Outcome::Kind::kDone);
}

TEST(WebhookBackoffTest, DoublesFromTheBaseUpToTheCap) {
  WebhookOptions options;
  options.jitter = 0;
  options.backoff_base_ms = 1000;
  options.backoff_cap_ms = 300000;
  WebhookService svc(nullptr, nullptr, nullptr, options);
  EXPECT_EQ(svc.BackoffMs(1), 1000);
  EXPECT_EQ(svc.BackoffMs(2), 2000);
  EXPECT_EQ(svc.BackoffMs(9), 256000);
  EXPECT_EQ(svc.BackoffMs(10), 300000);
  EXPECT_EQ(svc.BackoffMs(1000), 300000);
}

// ---- end to end with the worker pool --------------------------------------------------------

TEST_F(WebhooksTest, TheWorkerPoolDeliversAndRetriesOnItsOwn) {
  const Clock* clock = SystemClock::Default();
  jobs::WorkerPool::Options po;
  po.threads = 2;
  po.poll_interval_ms = 50;
  jobs::WorkerPool pool(store_.get(), clock, po);
  WebhookService svc(store_.get(), clock, &pool, options_);
  pool.Register(std::string(kJobWebhookDispatch),
                [&](const jobs::Job& j) { return svc.HandleDispatch(j); });
  pool.Register(std::string(kJobWebhookDeliver),
                [&](const jobs::Job& j) { return svc.HandleDeliver(j); });
  ASSERT_TRUE(svc.ScheduleDispatcher().ok());
  Json out;
  ASSERT_TRUE(svc.Put(admin_, "w1", Hook({"X"}), &out).ok());
  ASSERT_TRUE(pool.Start().ok());
  Control({{"mode", "500"}, {"times", 1}});
  // The first try fails; the retry comes ~0.5..1 s later and succeeds.
  int64_t e = Append("tenant-a", "X");
  auto start = std::chrono::steady_clock::now();
  Json stats;
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(10)) {
    stats = Stats();
    if (stats["valid_signatures"] >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  pool.Stop();
  EXPECT_EQ(stats["received"], 2);
  EXPECT_EQ(stats["unique_event_ids"], 1);
  EXPECT_EQ(stats["event_ids"][0], EventIdString(e));
  ASSERT_TRUE(svc.ListDeliveries(admin_, "w1", "DELIVERED", 10, "", &out).ok());
  EXPECT_EQ(out["items"].size(), 1u);
}

}  // namespace
}  // namespace steward::events
