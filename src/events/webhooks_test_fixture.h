#pragma once
// The fixture of the webhook tests (webhooks_test.cc, webhook_delivery_test.cc): a real SQLite
// store, a manual clock, a WebhookService, and tests/webhook_receiver/webhook_receiver.py as a
// child process. Jobs are claimed and handled by hand, applying the outcome as the worker pool
// does, so backoff needs no real waiting. Header only; for tests.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "events/webhook_receiver_test_util.h"
#include "events/webhooks.h"
#include "jobs/job_queue.h"

namespace steward::events::testing {

inline constexpr int64_t kNow = 1795500000000;  // 2026-11-24
inline constexpr char kSecret[] = "webhook-signing-secret-1";

class WebhooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("steward_webhooks_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = store::Open("sqlite://" + (dir_ / "t.db").string()).value();
    std::string error = receiver_.Start(kSecret);
    ASSERT_TRUE(error.empty()) << error;
    options_.request_timeout_ms = 2000;
    MakeService();
  }
  void TearDown() override {
    svc_.reset();
    receiver_.Stop();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void MakeService() {
    svc_ = std::make_unique<WebhookService>(store_.get(), &clock_, nullptr, options_);
  }

  // Appends an event as exec::AppendEvent does; returns its event_id.
  int64_t Append(const std::string& tenant, const std::string& type, Json data = Json::object()) {
    int64_t id = 0;
    Status st = store_->Write([&](store::Txn& t) -> Status {
      STEWARD_ASSIGN_OR_RETURN(
          auto row, t.QueryOne("INSERT INTO events (tenant_id, type, account_id, action_intent_id, "
                               "data, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING event_id",
                               {tenant, type, std::string("acct-1"), std::string("ai-1"),
                                data.dump(), clock_.NowMs()}));
      id = row->Int(0);
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return id;
  }

  Json Put(const std::string& id, Json body, const Actor* actor = nullptr) {
    Json out;
    Status st = svc_->Put(actor ? *actor : admin_, id, body, &out);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }
  Json Hook(std::vector<std::string> types, const std::string& path = "/hook") {
    return Json{{"url", receiver_.Url(path)}, {"event_types", types}, {"secret", kSecret}};
  }

  // Claims every due job of `type` and handles it, applying the outcome as the worker pool does.
  std::vector<jobs::Outcome> RunDue(std::string_view type) {
    std::vector<jobs::Job> claimed;
    EXPECT_TRUE(store_
                    ->Write([&](store::Txn& t) -> Status {
                      STEWARD_ASSIGN_OR_RETURN(claimed, jobs::Claim(t, "w", clock_.NowMs(), 60000,
                                                                    100, {std::string(type)}));
                      return Status::Ok();
                    })
                    .ok());
    std::vector<jobs::Outcome> outcomes;
    for (const auto& job : claimed) {
      jobs::Outcome o =
          type == kJobWebhookDeliver ? svc_->HandleDeliver(job) : svc_->HandleDispatch(job);
      outcomes.push_back(o);
      EXPECT_TRUE(store_
                      ->Write([&](store::Txn& t) -> Status {
                        if (o.kind == jobs::Outcome::Kind::kDone)
                          return jobs::Complete(t, job.job_id, "w").status();
                        if (o.kind == jobs::Outcome::Kind::kRetryAt) {
                          return jobs::RetryAt(t, job.job_id, "w", o.run_at_ms, o.error,
                                               clock_.NowMs())
                              .status();
                        }
                        return jobs::Fail(t, job.job_id, "w", o.error, clock_.NowMs()).status();
                      })
                      .ok());
    }
    return outcomes;
  }

  // Runs delivery jobs, moving the manual clock to each next retry, until none is left (or
  // `max_rounds`). Returns how many handler runs there were.
  int DrainDeliveries(int max_rounds = 100) {
    int runs = 0;
    for (int round = 0; round < max_rounds; ++round) {
      auto outcomes = RunDue(kJobWebhookDeliver);
      runs += static_cast<int>(outcomes.size());
      if (!outcomes.empty()) continue;
      std::optional<int64_t> next;
      EXPECT_TRUE(store_
                      ->Read([&](store::Txn& t) -> Status {
                        STEWARD_ASSIGN_OR_RETURN(
                            next, jobs::NextRunAt(t, {std::string(kJobWebhookDeliver)}));
                        return Status::Ok();
                      })
                      .ok());
      if (!next) break;
      clock_.Set(std::max(clock_.NowMs(), *next));
    }
    return runs;
  }

  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    EXPECT_TRUE(store_
                    ->Read([&](store::Txn& t) -> Status {
                      STEWARD_ASSIGN_OR_RETURN(auto r, t.QueryOne(sql));
                      n = r->Int(0);
                      return Status::Ok();
                    })
                    .ok());
    return n;
  }

  Json Deliveries(const std::string& webhook_id, const std::string& status = "", int limit = 100,
                  const std::string& cursor = "") {
    Json out;
    Status st = svc_->ListDeliveries(admin_, webhook_id, status, limit, cursor, &out);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  void Control(const Json& control) {
    std::string body = control.dump();
    Reply r = Fetch(receiver_.Url("/control"), &body);
    ASSERT_EQ(r.status, 200) << r.body;
  }
  Json Stats() {
    Reply r = Fetch(receiver_.Url("/stats"));
    EXPECT_EQ(r.status, 200);
    return Json::parse(r.body);
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  ManualClock clock_{kNow};
  WebhookOptions options_;
  std::unique_ptr<WebhookService> svc_;
  ReceiverProcess receiver_;
  const Actor admin_{"tenant-a", "admin@a"};
  const Actor other_{"tenant-b", "admin@b"};
};

}  // namespace steward::events::testing
