#pragma once
// DecisionConfig: the tenant's settings for decision scheduling (SPEC §7, §10) — trigger
// overrides (`/v1/autonomy/triggers`), the daily decision budget
// (`/v1/autonomy/decision-budget`), account opt-in (`/v1/autonomy/opt-in`), the daily digest's
// settings (`/v1/autonomy/digest/settings`) and ritual schedules (`/v1/autonomy/schedules`).
// Every change is one transaction with a CONFIG_CHANGED ledger entry carrying before and after.
// Thread-safe.

#include <nlohmann/json_fwd.hpp>

#include <string>

#include "autonomy/autonomy_service.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace steward::decision {

using autonomy::Actor;

class DecisionConfig {
 public:
  DecisionConfig(store::Store* store, const Clock* clock) : store_(store), clock_(clock) {}

  // GET → {items: [trigger…]}; PUT {trigger_type, enabled?, debounce_seconds?,
  // cooldown_seconds?, max_per_hour?} (fields not given keep their effective value; a type
  // that is not a default adds the tenant's own); DELETE ?trigger_type → back to the default.
  Status GetTriggers(const Actor& a, nlohmann::json* out);
  Status PutTrigger(const Actor& a, const nlohmann::json& body, nlohmann::json* out);
  Status DeleteTrigger(const Actor& a, std::string_view trigger_type, nlohmann::json* out);

  // {account_id?, max_per_day}: account_id omitted is the tenant's default for every account.
  Status GetDecisionBudget(const Actor& a, std::string_view account_id, nlohmann::json* out);
  Status PutDecisionBudget(const Actor& a, const nlohmann::json& body, nlohmann::json* out);

  // {account_id, opted_in}.
  Status GetOptIn(const Actor& a, std::string_view account_id, nlohmann::json* out);
  Status PutOptIn(const Actor& a, const nlohmann::json& body, nlohmann::json* out);

  // {enabled, hour (0–23, default 8), timezone (IANA, default UTC)}.
  Status GetDigestSettings(const Actor& a, nlohmann::json* out);
  Status PutDigestSettings(const Actor& a, const nlohmann::json& body, nlohmann::json* out);

  // PUT {account_id, trigger_type, cron, timezone, enabled}. Enabling needs the account's
  // opt-in and an enabled daily digest: Conflict naming what is missing otherwise. The next
  // slot is computed at once (next_fire_at). GET ?account_id → {items}; DELETE
  // ?account_id&trigger_type.
  Status PutSchedule(const Actor& a, const nlohmann::json& body, nlohmann::json* out);
  Status GetSchedules(const Actor& a, std::string_view account_id, nlohmann::json* out);
  Status DeleteSchedule(const Actor& a, std::string_view account_id, std::string_view trigger_type,
                        nlohmann::json* out);

 private:
  store::Store* store_;
  const Clock* clock_;
};

}  // namespace steward::decision
