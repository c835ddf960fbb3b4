// WebhookService: the delivery pipeline (WEBHOOK_DISPATCH and WEBHOOK_DELIVER handlers). The
// contract is in webhooks.h; the configuration methods are in webhooks.cc.
#include <algorithm>
#include <map>
#include <optional>
#include <random>

#include "common/crypto.h"
#include "common/json.h"
#include "common/log.h"
#include "common/time_util.h"
#include "events/event_feed.h"
#include "events/webhook_internal.h"
#include "events/webhooks.h"
#include "jobs/job_queue.h"

namespace steward::events {
namespace {

// How soon a handler tries again when the store itself failed (not the receiver).
constexpr int64_t kStoreRetryMs = 1000;
// last_error is cut to this many bytes.
constexpr size_t kMaxErrorLength = 1024;
constexpr std::string_view kUserAgent = "steward-webhooks/1";

std::string Truncate(std::string s) {
  if (s.size() > kMaxErrorLength) s.resize(kMaxErrorLength);
  return s;
}

// The events selected for one webhook in one dispatch run.
struct Pending {
  int64_t event_id = 0;
  std::string type;
};

}  // namespace

struct WebhookService::Delivery {
  int64_t delivery_id = 0;
  std::string tenant_id;
  std::string webhook_id;
  int64_t event_id = 0;
  std::string event_type;
  std::string status;
  int64_t attempts = 0;
  std::optional<int64_t> next_attempt_at;
};

int64_t WebhookService::BackoffMs(int64_t failures) const {
  const int64_t cap = std::max<int64_t>(options_.backoff_cap_ms, 1);
  int64_t delay = std::clamp<int64_t>(options_.backoff_base_ms, 1, cap);
  for (int64_t i = 1; i < failures && delay < cap; ++i) delay = std::min(cap, delay * 2);
  const double jitter = std::clamp(options_.jitter, 0.0, 1.0);
  if (jitter <= 0.0) return delay;
  // Spreads the retries of many deliveries that failed together (a receiver outage).
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> dist(1.0 - jitter, 1.0);
  return std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(delay) * dist(rng)));
}

Status WebhookService::ScheduleDispatcher() {
  const int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    auto job =
        jobs::Enqueue(txn, kSystemTenant, kJobWebhookDispatch, "{}", now, now, kDispatchDedupeKey);
    return job.ok() ? Status::Ok() : job.status();
  });
}

Result<int> WebhookService::DispatchOnce() {
  // A read first, so an idle tick (nothing new for any webhook) writes nothing.
  std::vector<std::pair<std::string, std::string>> due;
  STEWARD_RETURN_IF_ERROR(store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(
        auto rows, txn.Query("SELECT w.tenant_id, w.webhook_id FROM webhooks w WHERE w.enabled = 1 "
                             "AND EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = w.tenant_id "
                             "AND e.event_id > w.cursor_event_id) ORDER BY w.tenant_id, "
                             "w.webhook_id"));
    due.clear();
    for (const auto& r : rows) due.emplace_back(r.Text(0), r.Text(1));
    return Status::Ok();
  }));
  const size_t per_txn = static_cast<size_t>(std::max(options_.webhooks_per_transaction, 1));
  const int64_t per_webhook = std::max(options_.events_per_webhook, 1);
  int created_total = 0;
  for (size_t start = 0; start < due.size(); start += per_txn) {
    const size_t end = std::min(due.size(), start + per_txn);
    int created = 0;
    const int64_t now = clock_->NowMs();
    Status st = store_->Write([&](store::Txn& txn) -> Status {
      created = 0;
      // Deliveries each tenant may still get this run (max_pending_deliveries minus its
      // outstanding WEBHOOK_DELIVER jobs), read once per tenant.
      std::map<std::string, int64_t> room;
      for (size_t i = start; i < end; ++i) {
        const auto& [tenant, webhook_id] = due[i];
        STEWARD_ASSIGN_OR_RETURN(
            auto hook, txn.QueryOne("SELECT event_types, cursor_event_id, enabled FROM webhooks "
                                    "WHERE tenant_id = ? AND webhook_id = ?",
                                    {tenant, webhook_id}));
        if (!hook || hook->Int(2) == 0) continue;  // deleted or disabled since the read
        auto types = ParseJson(hook->Text(0));
        if (!types.ok() || !types->is_array() || types->empty()) continue;
        const int64_t cursor = hook->Int(1);
        if (!room.count(tenant)) {
          STEWARD_ASSIGN_OR_RETURN(int64_t outstanding,
                                   jobs::PendingCount(txn, tenant, kJobWebhookDeliver));
          room[tenant] = options_.max_pending_deliveries - outstanding;
        }
        const int64_t take = std::min(per_webhook, room[tenant]);
        if (take <= 0) continue;  // the tenant's deliveries must drain first

        std::string sql =
            "SELECT event_id, type FROM events WHERE tenant_id = ? AND event_id > ? AND type IN (";
        std::vector<store::Value> params = {tenant, cursor};
        for (size_t t = 0; t < types->size(); ++t) {
          if (!(*types)[t].is_string()) continue;
          sql += params.size() == 2 ? "?" : ", ?";
          params.emplace_back((*types)[t].get<std::string>());
        }
        if (params.size() == 2) continue;
        sql += ") ORDER BY event_id LIMIT ?";
        params.emplace_back(take);
        STEWARD_ASSIGN_OR_RETURN(auto rows, txn.QueryV(sql, params));
        std::vector<Pending> events;
        for (const auto& r : rows) events.push_back({r.Int(0), r.Text(1)});

        for (const auto& e : events) {
          STEWARD_ASSIGN_OR_RETURN(
              std::optional<int64_t> inserted,
              txn.InsertId(
                  "INSERT INTO webhook_deliveries (tenant_id, webhook_id, event_id, "
                  "event_type, status, attempts, created_at, updated_at) VALUES (?, ?, "
                  "?, ?, ?, 0, ?, ?) ON CONFLICT (tenant_id, webhook_id, event_id) DO "
                  "NOTHING",
                  {tenant, webhook_id, e.event_id, e.type, std::string(kDeliveryPending), now, now},
                  "delivery_id"));
          // A repeat: the row, and its job, were made by an earlier run.
          if (!inserted) continue;
          const int64_t delivery_id = *inserted;
          Json payload = {{"delivery_id", delivery_id}};
          auto job = jobs::Enqueue(txn, tenant, kJobWebhookDeliver, payload.dump(), now, now,
                                   "wh-" + std::to_string(delivery_id));
          if (!job.ok()) return job.status();
          ++created;
          --room[tenant];
        }
        // A short page means every matching event up to the tenant's newest is handled, so the
        // cursor may jump past the non-matching ones too (the next run reads none of them).
        int64_t next_cursor = events.empty() ? cursor : events.back().event_id;
        if (static_cast<int64_t>(events.size()) < take) {
          STEWARD_ASSIGN_OR_RETURN(auto newest,
                                   txn.QueryOne("SELECT MAX(event_id) FROM events WHERE "
                                                "tenant_id = ?",
                                                {tenant}));
          if (newest && !newest->IsNull(0)) next_cursor = std::max(next_cursor, newest->Int(0));
        }
        if (next_cursor > cursor) {
          auto moved = txn.Exec(
              "UPDATE webhooks SET cursor_event_id = ? WHERE tenant_id = ? AND "
              "webhook_id = ? AND cursor_event_id = ?",
              {next_cursor, tenant, webhook_id, cursor});
          if (!moved.ok()) return moved.status();
        }
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
    created_total += created;
  }
  if (created_total > 0) Wake();
  return created_total;
}

jobs::Outcome WebhookService::HandleDispatch(const jobs::Job&) {
  auto created = DispatchOnce();
  std::string error;
  if (!created.ok()) {
    error = created.status().ToString();
    log::Event(log::Level::kWarn, "webhook_dispatch_failed", {{"error", error}});
  } else if (*created > 0) {
    log::Event(log::Level::kDebug, "webhook_deliveries_created", {{"count", *created}});
  }
  return jobs::Outcome::Retry(clock_->NowMs() + options_.dispatch_interval_ms, error);
}

jobs::Outcome WebhookService::HandleDeliver(const jobs::Job& job) {
  auto payload = ParseJsonObject(job.payload_json);
  if (!payload.ok() || !payload->contains("delivery_id") ||
      !(*payload)["delivery_id"].is_number_integer()) {
    return jobs::Outcome::Failed("payload must be {\"delivery_id\": <integer>}");
  }
  Delivery d;
  d.delivery_id = (*payload)["delivery_id"].get<int64_t>();
  std::optional<store::Row> hook, event;
  bool found = false;
  Status st = store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(
        auto row, txn.QueryOne("SELECT tenant_id, webhook_id, event_id, event_type, status, "
                               "attempts, next_attempt_at FROM webhook_deliveries WHERE "
                               "delivery_id = ? AND tenant_id = ?",
                               {d.delivery_id, job.tenant_id}));
    found = row.has_value();
    if (!found) return Status::Ok();
    d.tenant_id = row->Text(0);
    d.webhook_id = row->Text(1);
    d.event_id = row->Int(2);
    d.event_type = row->Text(3);
    d.status = row->Text(4);
    d.attempts = row->Int(5);
    d.next_attempt_at = row->OptInt(6);
    STEWARD_ASSIGN_OR_RETURN(hook, txn.QueryOne("SELECT url, secret, enabled FROM webhooks WHERE "
                                                "tenant_id = ? AND webhook_id = ?",
                                                {d.tenant_id, d.webhook_id}));
    STEWARD_ASSIGN_OR_RETURN(event, txn.QueryOne("SELECT type, account_id, action_intent_id, "
                                                 "data, created_at FROM events WHERE event_id = "
                                                 "? AND tenant_id = ?",
                                                 {d.event_id, d.tenant_id}));
    return Status::Ok();
  });
  const int64_t now = clock_->NowMs();
  if (!st.ok()) return jobs::Outcome::Retry(now + kStoreRetryMs, st.ToString());
  if (!found || d.status != kDeliveryPending) return jobs::Outcome::Done();
  // Claimed early (e.g. again after a lost lease): keep the backoff the last failure set.
  if (d.next_attempt_at && *d.next_attempt_at > now) {
    return jobs::Outcome::Retry(*d.next_attempt_at, "not due yet");
  }
  if (!hook) return Bury(d, "webhook was deleted");
  if (hook->Int(2) == 0) return Bury(d, "webhook is disabled");
  if (!event) return Bury(d, "event no longer exists");

  const std::string event_id = EventIdString(d.event_id);
  auto data = ParseJson(event->Text(3));
  Json message = {{"event_id", event_id},
                  {"type", event->Text(0)},
                  {"tenant_id", d.tenant_id},
                  {"account_id", event->IsNull(1) ? Json(nullptr) : Json(event->Text(1))},
                  {"action_intent_id", event->IsNull(2) ? Json(nullptr) : Json(event->Text(2))},
                  {"data", data.ok() ? *data : Json::object()},
                  {"created_at", FormatTimestamp(event->Int(4))}};
  // Canonical, so every try sends the same bytes.
  const std::string body = CanonicalJson(message);
  const std::string timestamp = std::to_string(now / kMsPerSecond);
  const std::string secret = hook->Text(1);
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "application/json"},
      {"User-Agent", std::string(kUserAgent)},
      {std::string(kHeaderEventId), event_id},
      {std::string(kHeaderDeliveryId), DeliveryIdString(d.delivery_id)},
      {std::string(kHeaderTimestamp), timestamp},
      {std::string(kHeaderSignature), "sha256=" + HmacSha256Hex(secret, timestamp + "." + body)}};
  SendResult result = sender_->Post(hook->Text(0), headers, body, options_.request_timeout_ms);
  return Record(d, result);
}

jobs::Outcome WebhookService::Record(const Delivery& d, const SendResult& r) {
  const int64_t now = clock_->NowMs();
  const int64_t attempts = d.attempts + 1;
  const bool delivered = r.error.empty() && r.status_code >= 200 && r.status_code < 300;
  std::string error;
  if (!delivered) {
    error = !r.error.empty() ? r.error : "HTTP " + std::to_string(r.status_code);
    if (r.error.empty() && !r.body_excerpt.empty()) error += ": " + r.body_excerpt;
    error = Truncate(std::move(error));
  }
  const bool dead = !delivered && attempts >= options_.max_attempts;
  const int64_t next_at = delivered || dead ? 0 : now + BackoffMs(attempts);
  const store::Value code = r.status_code > 0 ? store::Value(r.status_code) : store::Value();
  int64_t changed = 0;
  Status st = store_->Write([&](store::Txn& txn) -> Status {
    // Only the try that read this state may record over it: a concurrent Delete, disable or
    // duplicate run wins and this result is dropped.
    Result<int64_t> n =
        delivered ? txn.Exec(
                        "UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status_code "
                        "= ?, last_error = NULL, next_attempt_at = NULL, updated_at = ?, "
                        "delivered_at = ? WHERE delivery_id = ? AND status = ? AND attempts = ?",
                        {std::string(kDeliveryDelivered), attempts, code, now, now, d.delivery_id,
                         std::string(kDeliveryPending), d.attempts})
                  : txn.Exec(
                        "UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status_code "
                        "= ?, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE "
                        "delivery_id = ? AND status = ? AND attempts = ?",
                        {std::string(dead ? kDeliveryDead : kDeliveryPending), attempts, code,
                         error, dead ? store::Value() : store::Value(next_at), now, d.delivery_id,
                         std::string(kDeliveryPending), d.attempts});
    if (!n.ok()) return n.status();
    changed = *n;
    return Status::Ok();
  });
  // The try happened but is not recorded: the next run sends again (at least once).
  if (!st.ok()) return jobs::Outcome::Retry(now + kStoreRetryMs, st.ToString());
  if (changed == 0 || delivered) return jobs::Outcome::Done();
  if (dead) {
    log::Event(log::Level::kWarn, "webhook_delivery_dead",
               {{"tenant_id", d.tenant_id},
                {"webhook_id", d.webhook_id},
                {"delivery_id", DeliveryIdString(d.delivery_id)},
                {"event_id", EventIdString(d.event_id)},
                {"attempts", attempts},
                {"error", error}});
    return jobs::Outcome::Done();
  }
  return jobs::Outcome::Retry(next_at, error);
}

jobs::Outcome WebhookService::Bury(const Delivery& d, const std::string& why) {
  const int64_t now = clock_->NowMs();
  Status st = store_->Write([&](store::Txn& txn) -> Status {
    auto n = txn.Exec(
        "UPDATE webhook_deliveries SET status = ?, last_error = ?, next_attempt_at "
        "= NULL, updated_at = ? WHERE delivery_id = ? AND status = ?",
        {std::string(kDeliveryDead), why, now, d.delivery_id, std::string(kDeliveryPending)});
    return n.ok() ? Status::Ok() : n.status();
  });
  if (!st.ok()) return jobs::Outcome::Retry(now + kStoreRetryMs, st.ToString());
  log::Event(log::Level::kInfo, "webhook_delivery_dead",
             {{"tenant_id", d.tenant_id},
              {"webhook_id", d.webhook_id},
              {"delivery_id", DeliveryIdString(d.delivery_id)},
              {"error", why}});
  return jobs::Outcome::Done();
}

}  // namespace steward::events
