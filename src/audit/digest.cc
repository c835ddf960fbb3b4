#include "audit/digest.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <utility>
#include <vector>

#include "autonomy/budget.h"
#include "autonomy/intent.h"
#include "autonomy/settings.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/log.h"
#include "common/time_util.h"
#include "exec/execution.h"
#include "jobs/job_queue.h"

namespace steward::audit {
namespace {

constexpr int64_t kDefaultDigestHour = 8;
constexpr int kTenantPage = 100;
// Accounts handled per transaction: a tenant with more opted-in accounts takes several.
constexpr int kAccountsPerTxn = 200;
constexpr std::string_view kKillSwitchCode = "KILL_SWITCH";

struct DigestSettings {
  bool enabled = false;
  int64_t hour = kDefaultDigestHour;
  std::string timezone = "UTC";
};

Result<DigestSettings> LoadSettings(store::Txn& txn, std::string_view tenant) {
  STEWARD_ASSIGN_OR_RETURN(auto row, txn.QueryOne("SELECT enabled, hour, timezone FROM "
                                                  "digest_settings WHERE tenant_id = ?",
                                                  {std::string(tenant)}));
  DigestSettings s;
  if (row) {
    s.enabled = row->Int(0) != 0;
    s.hour = row->Int(1);
    s.timezone = row->Text(2);
  }
  return s;
}

// The zone named `tz`, or nullptr for UTC (and for a name the tz database does not know, which
// the settings API never stores).
const date::time_zone* Zone(std::string_view tz) {
  if (tz.empty() || tz == "UTC" || tz == "Etc/UTC") return nullptr;
  try {
    return date::locate_zone(std::string(tz));
  } catch (const std::exception&) {
    return nullptr;
  }
}

int64_t ToMs(date::sys_seconds t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

struct Bounds {
  int64_t from = 0;  // inclusive
  int64_t to = 0;    // exclusive
};

// The UTC instants of local midnight starting `date` and the next day in `tz`. A midnight that
// does not exist (a DST gap) maps to the end of the gap.
Result<Bounds> DayBounds(std::string_view date, std::string_view tz) {
  STEWARD_ASSIGN_OR_RETURN(int64_t utc_midnight, ParseDate(date));
  const int64_t days = utc_midnight / kMsPerDay;
  const date::time_zone* zone = Zone(tz);
  if (!zone) return Bounds{utc_midnight, utc_midnight + kMsPerDay};
  auto at = [&](int64_t d) {
    return ToMs(zone->to_sys(date::local_seconds{date::days{d}}, date::choose::earliest));
  };
  return Bounds{at(days), at(days + 1)};
}

struct LocalNow {
  std::string day;
  std::string previous_day;
  int64_t hour = 0;
};

LocalNow Local(int64_t now_ms, std::string_view tz) {
  using std::chrono::milliseconds;
  const date::sys_time<milliseconds> tp{milliseconds{now_ms}};
  const date::time_zone* zone = Zone(tz);
  const date::local_time<milliseconds> local =
      zone ? zone->to_local(tp) : date::local_time<milliseconds>{tp.time_since_epoch()};
  const date::local_days day = date::floor<date::days>(local);
  const int64_t n = day.time_since_epoch().count();
  LocalNow l;
  l.day = FormatDate(n * kMsPerDay);
  l.previous_day = FormatDate((n - 1) * kMsPerDay);
  l.hour = std::chrono::duration_cast<std::chrono::hours>(local - day).count();
  return l;
}

Json OptText(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

struct Counts {
  int64_t auto_executed = 0, awaiting = 0, blocked = 0, cancelled = 0, expired = 0, failed = 0,
          rejected = 0, succeeded = 0;
};

// A list that keeps its first kMaxDigestItems items and remembers whether it dropped any.
struct Capped {
  std::vector<std::pair<int64_t, Json>> items;  // (sort time, item)
  bool truncated = false;
  void Add(int64_t at, Json item) {
    if (static_cast<int>(items.size()) < kMaxDigestItems) {
      items.emplace_back(at, std::move(item));
    } else {
      truncated = true;
    }
  }
};

Json Sorted(Capped* list, bool* truncated) {
  std::stable_sort(list->items.begin(), list->items.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  Json arr = Json::array();
  for (auto& [at, item] : list->items) {
    if (static_cast<int>(arr.size()) == kMaxDigestItems) {
      list->truncated = true;
      break;
    }
    arr.push_back(std::move(item));
  }
  *truncated |= list->truncated;
  return arr;
}

// Executions finished that day: autopilot, failures, kill-switch cancellations and the counts.
Status ScanOutcomes(store::Txn& txn, std::string_view tenant, std::string_view account,
                    const Bounds& b, Capped* autopilot, Capped* failures, Capped* blocked,
                    Counts* c) {
  return txn.ForEach(
      "SELECT action_intent_id, action_type, status, external_object_refs, error_code, "
      "error_class, error_message, approval_source, auto_executed, taxonomy, completed_at FROM "
      "action_outcomes WHERE tenant_id = ? AND account_id = ? AND completed_at >= ? AND "
      "completed_at < ? ORDER BY completed_at, action_intent_id, execution_no",
      {std::string(tenant), std::string(account), b.from, b.to}, [&](const store::Row& r) {
        const std::string status = r.Text(2), code = r.Text(4), taxonomy = r.Text(9);
        const bool auto_executed = r.Int(8) != 0;
        const int64_t at = r.Int(10);
        if (status == exec::kOutcomeSucceeded) ++c->succeeded;
        if (status == exec::kOutcomeExpired) ++c->expired;
        if (status == exec::kOutcomeCancelled) {
          if (taxonomy == exec::kTaxonomyRejected) {
            ++c->rejected;
          } else {
            ++c->cancelled;
          }
          if (code == kKillSwitchCode) {
            ++c->blocked;
            blocked->Add(at, {{"action_intent_id", r.Text(0)},
                              {"action_type", r.Text(1)},
                              {"at", FormatTimestamp(at)},
                              {"reason", code},
                              {"explanation", r.Text(6)}});
          }
        }
        if (status == exec::kOutcomeFailed) {
          ++c->failed;
          failures->Add(at, {{"action_intent_id", r.Text(0)},
                             {"action_type", r.Text(1)},
                             {"approval_source", OptText(r.Text(7))},
                             {"auto_executed", auto_executed},
                             {"completed_at", FormatTimestamp(at)},
                             {"error_code", OptText(code)},
                             {"error_class", OptText(r.Text(5))},
                             {"error_message", OptText(r.Text(6))}});
        }
        if (auto_executed) {
          ++c->auto_executed;
          auto refs = ParseJson(r.Text(3));
          autopilot->Add(at, {{"action_intent_id", r.Text(0)},
                              {"action_type", r.Text(1)},
                              {"status", status},
                              {"taxonomy", taxonomy},
                              {"completed_at", FormatTimestamp(at)},
                              {"refs", refs.ok() ? *refs : Json::array()},
                              {"error_code", OptText(code)}});
        }
        return true;
      });
}

// Intents the policy blocked that day (a BLOCKED intent is final, so updated_at is the moment
// it was blocked).
Status ScanBlocked(store::Txn& txn, std::string_view tenant, std::string_view account,
                   const Bounds& b, Capped* blocked, Counts* c) {
  std::vector<std::string> ids;
  STEWARD_RETURN_IF_ERROR(txn.ForEach(
      "SELECT action_intent_id FROM intents WHERE tenant_id = ? AND account_id = ? AND status = "
      "'BLOCKED' AND updated_at >= ? AND updated_at < ? ORDER BY updated_at, action_intent_id",
      {std::string(tenant), std::string(account), b.from, b.to}, [&](const store::Row& r) {
        ++c->blocked;
        if (static_cast<int>(ids.size()) < kMaxDigestItems) ids.push_back(r.Text(0));
        return true;
      }));
  for (const auto& id : ids) {
    STEWARD_ASSIGN_OR_RETURN(auto in, autonomy::LoadIntent(txn, tenant, id));
    if (!in) continue;
    blocked->Add(in->updated_at,
                 {{"action_intent_id", id},
                  {"action_type", in->action_type},
                  {"at", FormatTimestamp(in->updated_at)},
                  {"reason", in->gate ? Json(in->gate->reason) : Json(nullptr)},
                  {"explanation", in->gate ? Json(in->gate->explanation) : Json(nullptr)}});
  }
  return Status::Ok();
}

Status Awaiting(store::Txn& txn, std::string_view tenant, std::string_view account, Json* list,
                Counts* c) {
  STEWARD_ASSIGN_OR_RETURN(auto row,
                           txn.QueryOne("SELECT COUNT(*) FROM intents WHERE tenant_id "
                                        "= ? AND account_id = ? AND status = ?",
                                        {std::string(tenant), std::string(account),
                                         std::string(autonomy::kStatusAwaitingApproval)}));
  c->awaiting = row ? row->Int(0) : 0;
  autonomy::IntentFilter f;
  f.account_id = std::string(account);
  f.status = std::string(autonomy::kStatusAwaitingApproval);
  f.limit = kMaxDigestItems;
  std::vector<autonomy::Intent> items;
  std::string next;
  STEWARD_RETURN_IF_ERROR(autonomy::ListIntents(txn, tenant, f, &items, &next));
  *list = Json::array();
  for (const auto& in : items) {
    list->push_back(
        {{"action_intent_id", in.action_intent_id},
         {"action_type", in.action_type},
         {"created_at", FormatTimestamp(in.created_at)},
         {"expires_at", in.expires_at ? Json(FormatTimestamp(*in.expires_at)) : Json(nullptr)},
         {"confidence_score", in.confidence_score ? Json(*in.confidence_score) : Json(nullptr)},
         {"reason", in.gate ? Json(in.gate->reason) : Json(nullptr)},
         {"explanation", in.gate ? Json(in.gate->explanation) : Json(nullptr)}});
  }
  return Status::Ok();
}

Result<Json> BudgetJson(store::Txn& txn, std::string_view tenant, std::string_view account,
                        const std::string& date) {
  STEWARD_ASSIGN_OR_RETURN(auto config, autonomy::LoadBudgetConfig(txn, tenant, account));
  STEWARD_ASSIGN_OR_RETURN(autonomy::BudgetUsage usage,
                           autonomy::LoadBudgetUsage(txn, tenant, account, date));
  std::map<std::string, Json> per;
  for (const auto& [type, used] : usage.per_action_type)
    per[type] = {{"limit", nullptr}, {"used", used}};
  if (config) {
    for (const auto& [type, cap] : config->max_per_action_type) {
      auto& j = per[type];
      if (!j.is_object()) j = {{"used", 0}};
      j["limit"] = cap;
    }
  }
  Json per_json = Json::object();
  for (auto& [type, j] : per) per_json[type] = std::move(j);
  Json limit = config ? Json(config->max_autonomous_per_day) : Json(nullptr);
  Json remaining = config ? Json(std::max<int64_t>(0, config->max_autonomous_per_day - usage.total))
                          : Json(nullptr);
  return Json{{"configured", config.has_value()},
              {"day", date},
              {"limit", limit},
              {"used", usage.total},
              {"remaining", remaining},
              {"per_action_type", std::move(per_json)}};
}

// The digest of (tenant, account) for local day `date` in zone `tz`, read inside `txn`.
Status BuildDigest(store::Txn& txn, std::string_view tenant, std::string_view account,
                   const std::string& date, const std::string& tz, Json* out) {
  STEWARD_ASSIGN_OR_RETURN(Bounds b, DayBounds(date, tz));
  Capped autopilot, failures, blocked;
  Counts c;
  STEWARD_RETURN_IF_ERROR(
      ScanOutcomes(txn, tenant, account, b, &autopilot, &failures, &blocked, &c));
  STEWARD_RETURN_IF_ERROR(ScanBlocked(txn, tenant, account, b, &blocked, &c));
  Json awaiting;
  STEWARD_RETURN_IF_ERROR(Awaiting(txn, tenant, account, &awaiting, &c));
  STEWARD_ASSIGN_OR_RETURN(Json budget, BudgetJson(txn, tenant, account, date));
  STEWARD_ASSIGN_OR_RETURN(autonomy::KillSwitches ks, autonomy::LoadKillSwitches(txn, tenant));
  STEWARD_ASSIGN_OR_RETURN(autonomy::EmergencyStop es, autonomy::LoadEmergencyStop(txn));
  bool truncated = c.awaiting > static_cast<int64_t>(awaiting.size());
  Json autopilot_json = Sorted(&autopilot, &truncated);
  Json failures_json = Sorted(&failures, &truncated);
  Json blocked_json = Sorted(&blocked, &truncated);
  *out = Json{{"account_id", account},
              {"date", date},
              {"timezone", tz},
              {"from", FormatTimestamp(b.from)},
              {"to", FormatTimestamp(b.to)},
              {"autopilot", std::move(autopilot_json)},
              {"awaiting_approval", std::move(awaiting)},
              {"blocked", std::move(blocked_json)},
              {"failures", std::move(failures_json)},
              {"budget", std::move(budget)},
              {"kill_switches",
               {{"emergency_stop", es.engaged},
                {"autonomy_enabled", ks.autonomy_enabled},
                {"execution_enabled", ks.execution_enabled},
                {"disabled_action_types", ks.disabled_action_types}}},
              {"counts",
               {{"auto_executed", c.auto_executed},
                {"awaiting_approval", c.awaiting},
                {"blocked", c.blocked},
                {"cancelled", c.cancelled},
                {"expired", c.expired},
                {"failed", c.failed},
                {"rejected", c.rejected},
                {"succeeded", c.succeeded}}},
              {"truncated", truncated}};
  return Status::Ok();
}

}  // namespace

Status Digest::Get(const autonomy::Actor& actor, std::string_view account, std::string_view date,
                   Json* out) {
  STEWARD_RETURN_IF_ERROR(ValidateId(account, "account_id"));
  if (!date.empty() && !ParseDate(date).ok()) {
    return Status::InvalidArgument("date must be a calendar day YYYY-MM-DD", "date");
  }
  const int64_t now = clock_->NowMs();
  return store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(DigestSettings s, LoadSettings(txn, actor.tenant_id));
    std::string day = date.empty() ? Local(now, s.timezone).day : std::string(date);
    return BuildDigest(txn, actor.tenant_id, account, day, s.timezone, out);
  });
}

Result<int> Digest::SendDue() {
  const int64_t now = clock_->NowMs();
  int sent = 0;
  std::string after;
  while (true) {
    std::vector<std::string> tenants;
    STEWARD_RETURN_IF_ERROR(store_->Read([&](store::Txn& txn) -> Status {
      tenants.clear();
      STEWARD_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT tenant_id FROM digest_settings WHERE "
                                                    "enabled = 1 AND tenant_id > ? ORDER BY "
                                                    "tenant_id LIMIT ?",
                                                    {after, int64_t{kTenantPage}}));
      for (const auto& r : rows) tenants.push_back(r.Text(0));
      return Status::Ok();
    }));
    for (const auto& tenant : tenants) {
      bool more = true;
      while (more) {
        int n = 0;
        Status st = store_->Write([&](store::Txn& txn) -> Status {
          n = 0;
          more = false;
          STEWARD_ASSIGN_OR_RETURN(DigestSettings s, LoadSettings(txn, tenant));
          if (!s.enabled) return Status::Ok();
          const LocalNow local = Local(now, s.timezone);
          if (local.hour < s.hour) return Status::Ok();
          STEWARD_ASSIGN_OR_RETURN(
              auto rows,
              txn.Query("SELECT o.account_id FROM account_opt_in o WHERE o.tenant_id = ? AND "
                        "o.opted_in = 1 AND NOT EXISTS (SELECT 1 FROM digest_runs r WHERE "
                        "r.tenant_id = o.tenant_id AND r.account_id = o.account_id AND r.day = ?) "
                        "ORDER BY o.account_id LIMIT ?",
                        {tenant, local.day, int64_t{kAccountsPerTxn}}));
          for (const auto& r : rows) {
            const std::string account = r.Text(0);
            // The primary key decides who sends: only the transaction that inserts the row does.
            STEWARD_ASSIGN_OR_RETURN(
                int64_t inserted,
                txn.Exec("INSERT INTO digest_runs (tenant_id, account_id, day, sent_at) VALUES "
                         "(?, ?, ?, ?) ON CONFLICT (tenant_id, account_id, day) DO NOTHING",
                         {tenant, account, local.day, now}));
            if (inserted == 0) continue;
            Json digest;
            STEWARD_RETURN_IF_ERROR(
                BuildDigest(txn, tenant, account, local.previous_day, s.timezone, &digest));
            digest["sent_on"] = local.day;
            digest["sent_at"] = FormatTimestamp(now);
            STEWARD_RETURN_IF_ERROR(
                exec::AppendEvent(txn, tenant, kEventDailyDigest, account, "", digest, now));
            ++n;
          }
          more = static_cast<int>(rows.size()) == kAccountsPerTxn;
          return Status::Ok();
        });
        if (!st.ok()) {
          // One tenant's failure must not stop the others; its digests are retried next tick.
          log::Event(log::Level::kWarn, "digest_send_failed",
                     {{"tenant_id", tenant}, {"error", st.message()}});
          break;
        }
        sent += n;
      }
    }
    if (static_cast<int>(tenants.size()) < kTenantPage) break;
    after = tenants.back();
  }
  return sent;
}

Status Digest::ScheduleTick() {
  const int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    return jobs::Enqueue(txn, kDigestSystemTenant, kJobDigestTick, "{}", now, now,
                         kDigestTickDedupeKey)
        .status();
  });
}

jobs::Outcome Digest::HandleTick(const jobs::Job&, int64_t interval_ms) {
  auto n = SendDue();
  if (!n.ok()) {
    log::Event(log::Level::kWarn, "digest_tick_failed", {{"error", n.status().message()}});
  } else if (*n > 0) {
    log::Event(log::Level::kInfo, "digests_sent", {{"count", *n}});
  }
  return jobs::Outcome::Retry(clock_->NowMs() + interval_ms, "");
}

}  // namespace steward::audit
