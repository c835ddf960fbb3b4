#pragma once
// WebhookService: per-tenant webhook subscriptions to the events outbox and their delivery
// (SPEC §7: `PUT|GET|DELETE /v1/webhooks/{id}`, `GET /v1/webhooks/{id}/deliveries`).
//
// Overview. A webhook is {url, event_types, secret, enabled} in `webhooks`, with a cursor
// (cursor_event_id) into `events`. Delivery runs on the job queue:
//  - WEBHOOK_DISPATCH: one periodic job (tenant "_system", dedupe key "webhook-dispatch",
//    ScheduleDispatcher) whose handler (HandleDispatch) re-runs itself every dispatch_interval_ms.
//    Each run, in one transaction per batch of webhooks, takes for every enabled webhook the
//    events of its tenant after its cursor whose type it subscribes to (at most
//    events_per_webhook per run), inserts one PENDING `webhook_deliveries` row per event (the
//    unique index on (tenant, webhook, event) makes a repeat a no-op), enqueues one
//    WEBHOOK_DELIVER job per new row (tenant = the webhook's, payload {delivery_id}, dedupe key
//    "wh-<delivery_id>") and moves the cursor. A tenant with max_pending_deliveries
//    WEBHOOK_DELIVER jobs outstanding gets no new ones until they drain (its events wait in the
//    outbox), so a dead receiver cannot fill the tenant's job backlog.
//  - WEBHOOK_DELIVER (HandleDeliver): POSTs the event, signed, to the webhook's current URL with
//    its current secret. 2xx → DELIVERED. Anything else → attempts + 1 with the status code and
//    error recorded; below max_attempts the delivery stays PENDING with next_attempt_at = now +
//    backoff and the job is retried then; the max_attempts-th failure makes it DEAD (the dead
//    letter is the delivery row; the job is done). A delivery whose webhook was deleted or
//    disabled, or whose event is gone, ends DEAD with last_error saying why.
// Delivery is at least once: a receiver dedupes by X-Steward-Event-Id, which is the same on
// every try of one event.
//
// Request (docs: the webhook format):
//   POST <url>
//   Content-Type: application/json
//   X-Steward-Event-Id: evt_<n>
//   X-Steward-Delivery-Id: dlv_<n>
//   X-Steward-Timestamp: <unix seconds>
//   X-Steward-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//   {"account_id", "action_intent_id", "created_at", "data", "event_id", "tenant_id", "type"}
// The body is the same bytes on every try (keys sorted, no whitespace); only the timestamp and
// signature change.
//
// New webhooks, and webhooks enabled again after being disabled, start at the current
// MAX(event_id): they never replay history. Disabling or deleting a webhook ends its PENDING
// deliveries as DEAD in the same transaction, so a webhook re-created under the same id never
// receives the old one's backlog.
//
// Thread-safety: thread-safe. Every method is one or a few store transactions; the handlers run
// on worker threads concurrently.

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "autonomy/autonomy_service.h"
#include "common/clock.h"
#include "common/status.h"
#include "events/webhook_sender.h"
#include "jobs/job.h"
#include "store/store.h"

namespace steward::events {

using autonomy::Actor;

inline constexpr std::string_view kJobWebhookDispatch = "WEBHOOK_DISPATCH";
inline constexpr std::string_view kJobWebhookDeliver = "WEBHOOK_DELIVER";
inline constexpr std::string_view kDispatchDedupeKey = "webhook-dispatch";
// The tenant of platform-wide jobs (the same string as exec::kSystemTenant).
inline constexpr std::string_view kSystemTenant = "_system";

// webhook_deliveries.status.
inline constexpr std::string_view kDeliveryPending = "PENDING";
inline constexpr std::string_view kDeliveryDelivered = "DELIVERED";
inline constexpr std::string_view kDeliveryDead = "DEAD";

// Header names of a delivery.
inline constexpr std::string_view kHeaderEventId = "X-Steward-Event-Id";
inline constexpr std::string_view kHeaderDeliveryId = "X-Steward-Delivery-Id";
inline constexpr std::string_view kHeaderTimestamp = "X-Steward-Timestamp";
inline constexpr std::string_view kHeaderSignature = "X-Steward-Signature";

struct WebhookOptions {
  int64_t dispatch_interval_ms = 500;     // how often WEBHOOK_DISPATCH runs
  int events_per_webhook = 500;           // most deliveries created per webhook per run
  int webhooks_per_transaction = 100;     // webhooks handled per dispatch transaction
  int64_t max_pending_deliveries = 1000;  // per tenant; see the file comment
  int max_attempts = 10;                  // the max_attempts-th failure is DEAD
  int64_t backoff_base_ms = 1000;         // delay after the first failure; doubles per failure
  int64_t backoff_cap_ms = 300000;        // longest delay between tries
  // Each delay is drawn uniformly from [delay * (1 - jitter), delay]; 0 makes it exact.
  double jitter = 0.5;
  int64_t request_timeout_ms = 10000;  // per POST
};

class WebhookService {
 public:
  // `store` and `clock` must outlive the service; `waker` (may be null) is told after a commit
  // that enqueued delivery jobs; `sender` null means NewCurlWebhookSender().
  WebhookService(store::Store* store, const Clock* clock, jobs::Waker* waker,
                 WebhookOptions options = {}, std::unique_ptr<WebhookSender> sender = nullptr);
  ~WebhookService();
  WebhookService(const WebhookService&) = delete;
  WebhookService& operator=(const WebhookService&) = delete;

  // PUT /v1/webhooks/{id} {url, event_types, secret?, enabled?} → the webhook as Get shows it,
  // plus `created` (true when it did not exist). `url`: http:// or https://, at most 2048
  // characters, no whitespace. `event_types`: a non-empty array of at most 50 names matching
  // [A-Z_]{1,64} (duplicates dropped, kept sorted). `secret`: 16 to 512 characters, required
  // when creating, omitted on update = keep the current one. `enabled`: default true. Appends
  // CONFIG_CHANGED {setting: "webhook", …} without the secret.
  // Errors: InvalidArgument naming the field (unknown fields too).
  Status Put(const Actor& actor, std::string_view webhook_id, const nlohmann::json& body,
             nlohmann::json* out);
  // GET /v1/webhooks/{id} → {webhook_id, url, event_types, enabled, secret_set, created_at,
  // updated_at, updated_by}; never the secret. NotFound for a missing (or another tenant's) id.
  Status Get(const Actor& actor, std::string_view webhook_id, nlohmann::json* out);
  // DELETE /v1/webhooks/{id} → {webhook_id, deleted: true, dead_deliveries: n}: removes the
  // webhook, ends its PENDING deliveries as DEAD, appends CONFIG_CHANGED. NotFound when absent.
  Status Delete(const Actor& actor, std::string_view webhook_id, nlohmann::json* out);
  // GET /v1/webhooks/{id}/deliveries?status&limit&cursor → {items: [{delivery_id, event_id,
  // event_type, status, attempts, last_status_code, last_error, next_attempt_at, created_at,
  // delivered_at}], next_cursor}, newest first; next_cursor is null on the last page. Deliveries
  // of a deleted webhook stay listed until the id is reused.
  // Errors: InvalidArgument for a status other than "", PENDING, DELIVERED, DEAD ("status"),
  // limit outside 1..500 ("limit") or a bad cursor ("cursor"); NotFound when the webhook does
  // not exist and has no deliveries.
  Status ListDeliveries(const Actor& actor, std::string_view webhook_id, std::string_view status,
                        int limit, std::string_view cursor, nlohmann::json* out);

  // Ensures the periodic WEBHOOK_DISPATCH job exists (one per store, by dedupe key).
  Status ScheduleDispatcher();
  // One dispatch run over every enabled webhook; returns how many deliveries it created.
  Result<int> DispatchOnce();
  // The WEBHOOK_DISPATCH handler: DispatchOnce, then Retry at now + dispatch_interval_ms.
  jobs::Outcome HandleDispatch(const jobs::Job& job);
  // The WEBHOOK_DELIVER handler (see the file comment). Done when the delivery is finished
  // (DELIVERED, DEAD, gone); Retry at next_attempt_at after a failed try below max_attempts;
  // Retry soon when the store is unavailable; Failed for a malformed payload.
  jobs::Outcome HandleDeliver(const jobs::Job& job);

  // The delay before the next try after `failures` failed tries (1 → about backoff_base_ms),
  // jitter included.
  int64_t BackoffMs(int64_t failures) const;

 private:
  struct Delivery;
  // Records the result of one try; returns the job's outcome.
  jobs::Outcome Record(const Delivery& d, const SendResult& r);
  // Marks the delivery DEAD with `why` (only if still PENDING at `attempts`).
  jobs::Outcome Bury(const Delivery& d, const std::string& why);
  void Wake();

  store::Store* const store_;
  const Clock* const clock_;
  jobs::Waker* const waker_;
  const WebhookOptions options_;
  const std::unique_ptr<WebhookSender> sender_;
};

}  // namespace steward::events
