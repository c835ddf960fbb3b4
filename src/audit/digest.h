#pragma once
// Digest: the daily digest of one account (SPEC §8), GET /v1/autonomy/digest?account_id&date,
// and its delivery as event DAILY_DIGEST at the tenant's configured hour.
//
// Day. `date` is a calendar day in the tenant's digest time zone (digest_settings.timezone,
// default UTC); the day runs from that zone's local midnight to the next (23, 24 or 25 hours
// around DST). The autonomy budget is read for the same date string (its own zone's day).
//
// Answer: {account_id, date, timezone, from, to (the day's UTC bounds, to exclusive),
//   autopilot: [{action_intent_id, action_type, status, taxonomy, completed_at, refs,
//                error_code}]   — executions auto-approved by the gate that finished that day
//   awaiting_approval: [{action_intent_id, action_type, created_at, expires_at,
//                confidence_score, reason, explanation}] — AWAITING_APPROVAL now, newest first
//   blocked: [{action_intent_id, action_type, at, reason, explanation}] — blocked by the policy
//                (reason ACTION_TYPE_DISABLED) or cancelled by a kill switch (KILL_SWITCH) that day
//   failures: [{action_intent_id, action_type, approval_source, auto_executed, completed_at,
//                error_code, error_class, error_message}] — executions that failed that day
//   budget: {configured, day, limit, used, remaining, per_action_type} (limit/remaining null
//                when no budget is configured)
//   kill_switches: {emergency_stop, autonomy_enabled, execution_enabled,
//                disabled_action_types} — the state when the digest is built
//   counts: {auto_executed, awaiting_approval, blocked, cancelled, expired, failed, rejected,
//                succeeded}   — over the whole day, not only the listed items
//   truncated: true when a list was cut at kMaxDigestItems}
// Lists are in time order (completed_at / at ascending, then id), awaiting_approval newest
// first. Memory is bounded: rows are streamed and at most kMaxDigestItems kept per list.
//
// Delivery. DIGEST_TICK is a periodic system job (tenant "_system", dedupe key "digest-tick")
// that re-runs itself every `interval_ms`. Each run visits the tenants whose digest is enabled;
// once a tenant's local time has reached its `hour`, every opted-in account (account_opt_in)
// without a digest_runs row for (tenant, account, local day) gets its digest of the PREVIOUS
// local day (the last complete one) as event DAILY_DIGEST {…digest, sent_on, sent_at}, and the
// row is inserted — one transaction per tenant. The row is inserted first (ON CONFLICT DO
// NOTHING) and the event appended only when it was new, so two nodes or a restart send each
// digest once: the primary key decides.
//
// Thread-safe (no mutable state; the store and clock are thread-safe).

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "autonomy/autonomy_service.h"
#include "common/clock.h"
#include "common/status.h"
#include "jobs/job.h"
#include "store/store.h"

namespace steward::audit {

inline constexpr std::string_view kEventDailyDigest = "DAILY_DIGEST";
inline constexpr std::string_view kJobDigestTick = "DIGEST_TICK";
inline constexpr std::string_view kDigestTickDedupeKey = "digest-tick";
inline constexpr std::string_view kDigestSystemTenant = "_system";
// Items kept per list of one digest.
inline constexpr int kMaxDigestItems = 100;

class Digest {
 public:
  // `store` and `clock` must outlive the service.
  Digest(store::Store* store, const Clock* clock) : store_(store), clock_(clock) {}

  // One Store::Read. `date` is "YYYY-MM-DD" or empty (today in the digest time zone).
  // InvalidArgument for an ill-formed account_id or date.
  Status Get(const autonomy::Actor& actor, std::string_view account_id, std::string_view date,
             nlohmann::json* out);

  // Sends every digest that is due now (see the file comment); returns how many were sent.
  Result<int> SendDue();
  // Ensures the periodic DIGEST_TICK job exists (one per store, by dedupe key).
  Status ScheduleTick();
  // The DIGEST_TICK handler: SendDue, then re-run after `interval_ms`.
  jobs::Outcome HandleTick(const jobs::Job& job, int64_t interval_ms);

 private:
  store::Store* store_;
  const Clock* clock_;
};

}  // namespace steward::audit
