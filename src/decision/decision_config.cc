#include "decision/decision_config.h"

#include "common/ids.h"
#include "common/json.h"
#include "common/time_util.h"
#include "decision/cron.h"
#include "decision/trigger_registry.h"
#include "ledger/event_types.h"
#include "ledger/ledger.h"

namespace steward::decision {
namespace {

constexpr std::string_view kWholeTenant = "*";

Status ConfigChanged(store::Txn& txn, const Actor& a, std::string_view account, int64_t now,
                     Json data) {
  ledger::AppendRequest meta;
  meta.event_type = std::string(ledger::kConfigChanged);
  meta.account_id = account == kWholeTenant ? std::string() : std::string(account);
  meta.actor = a.subject;
  auto e = ledger::Append(txn, a.tenant_id, now, meta, data);
  return e.ok() ? Status::Ok() : e.status();
}

Status RequireAccount(const Json& body, std::string* account) {
  STEWARD_RETURN_IF_ERROR(GetString(body, "account_id", account));
  return ValidateId(*account, "account_id");
}

Json ScheduleJson(const store::Row& r) {
  return Json{{"account_id", r.Text(0)},
              {"trigger_type", r.Text(1)},
              {"cron", r.Text(2)},
              {"timezone", r.Text(3)},
              {"enabled", r.Int(4) != 0},
              {"next_fire_at", r.IsNull(5) ? Json(nullptr) : Json(FormatTimestamp(r.Int(5)))},
              {"last_slot_at", r.IsNull(6) ? Json(nullptr) : Json(FormatTimestamp(r.Int(6)))},
              {"updated_at", FormatTimestamp(r.Int(7))},
              {"updated_by", r.Text(8)}};
}

constexpr std::string_view kScheduleCols =
    "SELECT account_id, trigger_type, cron, timezone, enabled, next_fire_at, last_slot_at, "
    "updated_at, updated_by FROM schedules ";

}  // namespace

Status DecisionConfig::GetTriggers(const Actor& a, Json* out) {
  return store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto list, ListTriggers(txn, a.tenant_id));
    Json items = Json::array();
    for (const auto& t : list) {
      Json j;
      TriggerToJson(t, &j);
      items.push_back(std::move(j));
    }
    *out = Json{{"items", items}};
    return Status::Ok();
  });
}

Status DecisionConfig::PutTrigger(const Actor& a, const Json& body, Json* out) {
  STEWARD_RETURN_IF_ERROR(RejectUnknownFields(
      body, {"trigger_type", "enabled", "debounce_seconds", "cooldown_seconds", "max_per_hour"}));
  std::string type;
  STEWARD_RETURN_IF_ERROR(GetString(body, "trigger_type", &type));
  STEWARD_RETURN_IF_ERROR(ValidateTriggerType(type));
  bool enabled = true, has_enabled = false, has_d = false, has_c = false, has_m = false;
  int64_t debounce = 0, cooldown = 0, per_hour = 0;
  STEWARD_RETURN_IF_ERROR(GetOptionalBool(body, "enabled", &enabled, &has_enabled));
  STEWARD_RETURN_IF_ERROR(GetOptionalInt(body, "debounce_seconds", &debounce, 0, 30LL * 86400, &has_d));
  STEWARD_RETURN_IF_ERROR(GetOptionalInt(body, "cooldown_seconds", &cooldown, 0, 365LL * 86400, &has_c));
  STEWARD_RETURN_IF_ERROR(GetOptionalInt(body, "max_per_hour", &per_hour, 0, 3600, &has_m));
  const int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto current, ResolveTrigger(txn, a.tenant_id, type));
    if (!current && !(has_d && has_c && has_m)) {
      return Status::InvalidArgument(
          "a new trigger type needs debounce_seconds, cooldown_seconds and max_per_hour",
          "trigger_type");
    }
    TriggerDef before = current.value_or(TriggerDef{});
    TriggerDef t = before;
    t.trigger_type = type;
    if (has_enabled) t.enabled = enabled;
    if (!current) t.enabled = has_enabled ? enabled : true;
    if (has_d) t.config.debounce_seconds = debounce;
    if (has_c) t.config.cooldown_seconds = cooldown;
    if (has_m) t.config.max_per_hour = per_hour;
    t.source = "tenant";
    t.updated_at = now;
    t.updated_by = a.subject;
    STEWARD_RETURN_IF_ERROR(
        txn.Exec("INSERT INTO trigger_overrides (tenant_id, trigger_type, enabled, "
                 "debounce_seconds, cooldown_seconds, max_per_hour, updated_at, updated_by) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, trigger_type) DO UPDATE "
                 "SET enabled = excluded.enabled, debounce_seconds = excluded.debounce_seconds, "
                 "cooldown_seconds = excluded.cooldown_seconds, max_per_hour = "
                 "excluded.max_per_hour, updated_at = excluded.updated_at, updated_by = "
                 "excluded.updated_by",
                 {a.tenant_id, type, int64_t{t.enabled ? 1 : 0}, t.config.debounce_seconds,
                  t.config.cooldown_seconds, t.config.max_per_hour, now, a.subject})
            .status());
    Json b = nullptr, after;
    if (current) TriggerToJson(before, &b);
    TriggerToJson(t, &after);
    STEWARD_RETURN_IF_ERROR(ConfigChanged(txn, a, kWholeTenant, now,
                                          Json{{"setting", "trigger"}, {"before", b}, {"after", after}}));
    *out = after;
    return Status::Ok();
  });
}

Status DecisionConfig::DeleteTrigger(const Actor& a, std::string_view type, Json* out) {
  STEWARD_RETURN_IF_ERROR(ValidateTriggerType(type));
  const int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto current, ResolveTrigger(txn, a.tenant_id, type));
    STEWARD_ASSIGN_OR_RETURN(int64_t n, txn.Exec("DELETE FROM trigger_overrides WHERE tenant_id = ? "
                                                 "AND trigger_type = ?",
                                                 {a.tenant_id, std::string(type)}));
    if (n == 0) return Status::NotFound("no override for trigger type " + std::string(type));
    Json b;
    TriggerToJson(*current, &b);
    STEWARD_ASSIGN_OR_RETURN(auto now_def, ResolveTrigger(txn, a.tenant_id, type));
    Json after = nullptr;
    if (now_def) TriggerToJson(*now_def, &after);
    STEWARD_RETURN_IF_ERROR(ConfigChanged(txn, a, kWholeTenant, now,
                                          Json{{"setting", "trigger"}, {"before", b}, {"after", after}}));
    *out = Json{{"trigger_type", type}, {"deleted", true}, {"effective", after}};
    return Status::Ok();
  });
}

Status DecisionConfig::GetDecisionBudget(const Actor& a, std::string_view account, Json* out) {
  std::string acct = account.empty() ? std::string(kWholeTenant) : std::string(account);
  if (!account.empty()) STEWARD_RETURN_IF_ERROR(ValidateId(account, "account_id"));
  const std::string day = FormatDate(clock_->NowMs());
  return store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT account_id, max_per_day, updated_at, "
                                                  "updated_by FROM decision_budgets WHERE "
                                                  "tenant_id = ? AND account_id IN (?, '*')",
                                                  {a.tenant_id, acct}));
    const store::Row* chosen = nullptr;
    for (const auto& r : rows) {
      if (r.Text(0) == acct || !chosen) chosen = &r;
    }
    int64_t used = 0;
    if (acct != kWholeTenant) {
      STEWARD_ASSIGN_OR_RETURN(auto u, txn.QueryOne("SELECT runs FROM decision_usage WHERE "
                                                    "tenant_id = ? AND account_id = ? AND day = ?",
                                                    {a.tenant_id, acct, day}));
      used = u ? u->Int(0) : 0;
    }
    Json limit = chosen ? Json(chosen->Int(1)) : Json(nullptr);
    *out = Json{{"account_id", acct == kWholeTenant ? Json(nullptr) : Json(acct)},
                {"max_per_day", limit},
                {"source", !chosen ? "none" : chosen->Text(0) == kWholeTenant ? "tenant" : "account"},
                {"day", day},
                {"used_today", used},
                {"remaining_today",
                 chosen ? Json(std::max<int64_t>(0, chosen->Int(1) - used)) : Json(nullptr)}};
    return Status::Ok();
  });
}

Status DecisionConfig::PutDecisionBudget(const Actor& a, const Json& body, Json* out) {
  STEWARD_RETURN_IF_ERROR(RejectUnknownFields(body, {"account_id", "max_per_day"}));
  std::string account;
  bool has_account = false, has_max = false;
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "account_id", &account, &has_account));
  if (has_account) STEWARD_RETURN_IF_ERROR(ValidateId(account, "account_id"));
  int64_t max = 0;
  STEWARD_RETURN_IF_ERROR(GetOptionalInt(body, "max_per_day", &max, 0, 1000000, &has_max));
  if (!has_max) return Status::InvalidArgument("max_per_day is required", "max_per_day");
  std::string acct = has_account ? account : std::string(kWholeTenant);
  const int64_t now = clock_->NowMs();
  Status st = store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto before, txn.QueryOne("SELECT max_per_day FROM decision_budgets "
                                                       "WHERE tenant_id = ? AND account_id = ?",
                                                       {a.tenant_id, acct}));
    STEWARD_RETURN_IF_ERROR(
        txn.Exec("INSERT INTO decision_budgets (tenant_id, account_id, max_per_day, updated_at, "
                 "updated_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, account_id) DO "
                 "UPDATE SET max_per_day = excluded.max_per_day, updated_at = "
                 "excluded.updated_at, updated_by = excluded.updated_by",
                 {a.tenant_id, acct, max, now, a.subject})
            .status());
    return ConfigChanged(txn, a, acct, now,
                         Json{{"setting", "decision_budget"},
                              {"account_id", has_account ? Json(account) : Json(nullptr)},
                              {"before", before ? Json(before->Int(0)) : Json(nullptr)},
                              {"after", max}});
  });
  if (!st.ok()) return st;
  return GetDecisionBudget(a, has_account ? account : "", out);
}

Status DecisionConfig::GetOptIn(const Actor& a, std::string_view account, Json* out) {
  STEWARD_RETURN_IF_ERROR(ValidateId(account, "account_id"));
  return store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto row, txn.QueryOne("SELECT opted_in, updated_at, updated_by FROM "
                                                    "account_opt_in WHERE tenant_id = ? AND "
                                                    "account_id = ?",
                                                    {a.tenant_id, std::string(account)}));
    *out = Json{{"account_id", account}, {"opted_in", row && row->Int(0) != 0}};
    if (row) {
      (*out)["updated_at"] = FormatTimestamp(row->Int(1));
      (*out)["updated_by"] = row->Text(2);
    }
    return Status::Ok();
  });
}

Status DecisionConfig::PutOptIn(const Actor& a, const Json& body, Json* out) {
  STEWARD_RETURN_IF_ERROR(RejectUnknownFields(body, {"account_id", "opted_in"}));
  std::string account;
  STEWARD_RETURN_IF_ERROR(RequireAccount(body, &account));
  bool opted = false, has = false;
  STEWARD_RETURN_IF_ERROR(GetOptionalBool(body, "opted_in", &opted, &has));
  if (!has) return Status::InvalidArgument("opted_in (boolean) is required", "opted_in");
  const int64_t now = clock_->NowMs();
  Status st = store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto before, txn.QueryOne("SELECT opted_in FROM account_opt_in WHERE "
                                                       "tenant_id = ? AND account_id = ?",
                                                       {a.tenant_id, account}));
    STEWARD_RETURN_IF_ERROR(
        txn.Exec("INSERT INTO account_opt_in (tenant_id, account_id, opted_in, updated_at, "
                 "updated_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, account_id) DO UPDATE "
                 "SET opted_in = excluded.opted_in, updated_at = excluded.updated_at, updated_by "
                 "= excluded.updated_by",
                 {a.tenant_id, account, int64_t{opted ? 1 : 0}, now, a.subject})
            .status());
    if (!opted) {
      // Withdrawing consent stops the account's rituals at once.
      STEWARD_RETURN_IF_ERROR(txn.Exec("UPDATE schedules SET enabled = 0, updated_at = ?, "
                                       "updated_by = ? WHERE tenant_id = ? AND account_id = ? AND "
                                       "enabled = 1",
                                       {now, a.subject, a.tenant_id, account})
                                  .status());
    }
    return ConfigChanged(txn, a, account, now,
                         Json{{"setting", "opt_in"},
                              {"before", before ? Json(before->Int(0) != 0) : Json(nullptr)},
                              {"after", opted}});
  });
  if (!st.ok()) return st;
  return GetOptIn(a, account, out);
}

Status DecisionConfig::GetDigestSettings(const Actor& a, Json* out) {
  return store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto row, txn.QueryOne("SELECT enabled, hour, timezone, updated_at, "
                                                    "updated_by FROM digest_settings WHERE "
                                                    "tenant_id = ?",
                                                    {a.tenant_id}));
    *out = Json{{"enabled", row && row->Int(0) != 0},
                {"hour", row ? row->Int(1) : 8},
                {"timezone", row ? row->Text(2) : std::string("UTC")}};
    if (row) {
      (*out)["updated_at"] = FormatTimestamp(row->Int(3));
      (*out)["updated_by"] = row->Text(4);
    }
    return Status::Ok();
  });
}

Status DecisionConfig::PutDigestSettings(const Actor& a, const Json& body, Json* out) {
  STEWARD_RETURN_IF_ERROR(RejectUnknownFields(body, {"enabled", "hour", "timezone"}));
  bool enabled = false, has_enabled = false;
  int64_t hour = 8;
  std::string tz = "UTC";
  STEWARD_RETURN_IF_ERROR(GetOptionalBool(body, "enabled", &enabled, &has_enabled));
  if (!has_enabled) return Status::InvalidArgument("enabled (boolean) is required", "enabled");
  STEWARD_RETURN_IF_ERROR(GetOptionalInt(body, "hour", &hour, 0, 23));
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "timezone", &tz));
  if (!IsValidTimeZone(tz)) return Status::InvalidArgument("unknown time zone " + tz, "timezone");
  const int64_t now = clock_->NowMs();
  Status st = store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto before, txn.QueryOne("SELECT enabled, hour, timezone FROM "
                                                       "digest_settings WHERE tenant_id = ?",
                                                       {a.tenant_id}));
    STEWARD_RETURN_IF_ERROR(
        txn.Exec("INSERT INTO digest_settings (tenant_id, enabled, hour, timezone, updated_at, "
                 "updated_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET "
                 "enabled = excluded.enabled, hour = excluded.hour, timezone = excluded.timezone, "
                 "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                 {a.tenant_id, int64_t{enabled ? 1 : 0}, hour, tz, now, a.subject})
            .status());
    if (!enabled) {
      // Rituals need an active digest: turning it off stops them.
      STEWARD_RETURN_IF_ERROR(txn.Exec("UPDATE schedules SET enabled = 0, updated_at = ?, "
                                       "updated_by = ? WHERE tenant_id = ? AND enabled = 1",
                                       {now, a.subject, a.tenant_id})
                                  .status());
    }
    Json b = before ? Json{{"enabled", before->Int(0) != 0}, {"hour", before->Int(1)},
                           {"timezone", before->Text(2)}}
                    : Json(nullptr);
    return ConfigChanged(txn, a, kWholeTenant, now,
                         Json{{"setting", "digest"},
                              {"before", b},
                              {"after", {{"enabled", enabled}, {"hour", hour}, {"timezone", tz}}}});
  });
  if (!st.ok()) return st;
  return GetDigestSettings(a, out);
}

Status DecisionConfig::PutSchedule(const Actor& a, const Json& body, Json* out) {
  STEWARD_RETURN_IF_ERROR(
      RejectUnknownFields(body, {"account_id", "trigger_type", "cron", "timezone", "enabled"}));
  std::string account, type, cron, tz;
  STEWARD_RETURN_IF_ERROR(RequireAccount(body, &account));
  STEWARD_RETURN_IF_ERROR(GetString(body, "trigger_type", &type));
  STEWARD_RETURN_IF_ERROR(ValidateTriggerType(type));
  STEWARD_RETURN_IF_ERROR(GetString(body, "cron", &cron));
  STEWARD_RETURN_IF_ERROR(GetString(body, "timezone", &tz));
  bool enabled = false, has_enabled = false;
  STEWARD_RETURN_IF_ERROR(GetOptionalBool(body, "enabled", &enabled, &has_enabled));
  if (!has_enabled) return Status::InvalidArgument("enabled (boolean) is required", "enabled");
  STEWARD_ASSIGN_OR_RETURN(CronSpec spec, ParseCron(cron));
  if (!IsValidTimeZone(tz)) return Status::InvalidArgument("unknown time zone " + tz, "timezone");
  const int64_t now = clock_->NowMs();
  std::optional<int64_t> next;
  if (enabled) {
    auto n = NextSlot(spec, tz, now);
    if (!n.ok()) return Status::InvalidArgument("cron never matches: " + n.status().message(), "cron");
    next = *n;
  }
  Status st = store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto trig, ResolveTrigger(txn, a.tenant_id, type));
    if (!trig) return Status::InvalidArgument("unknown trigger type " + type, "trigger_type");
    if (enabled) {
      STEWARD_ASSIGN_OR_RETURN(auto opt, txn.QueryOne("SELECT opted_in FROM account_opt_in WHERE "
                                                      "tenant_id = ? AND account_id = ?",
                                                      {a.tenant_id, account}));
      STEWARD_ASSIGN_OR_RETURN(auto digest, txn.QueryOne("SELECT enabled FROM digest_settings WHERE "
                                                         "tenant_id = ?",
                                                         {a.tenant_id}));
      std::vector<std::string> missing;
      if (!opt || opt->Int(0) == 0) {
        missing.push_back("the account's opt-in (PUT /v1/autonomy/opt-in {\"account_id\": \"" +
                          account + "\", \"opted_in\": true})");
      }
      if (!digest || digest->Int(0) == 0) {
        missing.push_back("an active daily digest (PUT /v1/autonomy/digest/settings "
                          "{\"enabled\": true})");
      }
      if (!missing.empty()) {
        std::string msg = "enabling a schedule needs ";
        for (size_t i = 0; i < missing.size(); ++i) msg += (i ? " and " : "") + missing[i];
        return Status::Conflict(msg);
      }
    }
    STEWARD_ASSIGN_OR_RETURN(auto before, txn.QueryOne(std::string(kScheduleCols) +
                                                           "WHERE tenant_id = ? AND account_id = ? "
                                                           "AND trigger_type = ?",
                                                       {a.tenant_id, account, type}));
    STEWARD_RETURN_IF_ERROR(
        txn.Exec("INSERT INTO schedules (tenant_id, account_id, trigger_type, cron, timezone, "
                 "enabled, next_fire_at, last_slot_at, created_at, updated_at, updated_by) VALUES "
                 "(?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?) ON CONFLICT (tenant_id, account_id, "
                 "trigger_type) DO UPDATE SET cron = excluded.cron, timezone = excluded.timezone, "
                 "enabled = excluded.enabled, next_fire_at = excluded.next_fire_at, updated_at = "
                 "excluded.updated_at, updated_by = excluded.updated_by",
                 {a.tenant_id, account, type, cron, tz, int64_t{enabled ? 1 : 0},
                  next ? store::Value(*next) : store::Value(store::Null{}), now, now, a.subject})
            .status());
    STEWARD_ASSIGN_OR_RETURN(auto row, txn.QueryOne(std::string(kScheduleCols) +
                                                        "WHERE tenant_id = ? AND account_id = ? "
                                                        "AND trigger_type = ?",
                                                    {a.tenant_id, account, type}));
    *out = ScheduleJson(*row);
    return ConfigChanged(txn, a, account, now,
                         Json{{"setting", "schedule"},
                              {"before", before ? ScheduleJson(*before) : Json(nullptr)},
                              {"after", *out}});
  });
  return st;
}

Status DecisionConfig::GetSchedules(const Actor& a, std::string_view account, Json* out) {
  if (!account.empty()) STEWARD_RETURN_IF_ERROR(ValidateId(account, "account_id"));
  return store_->Read([&](store::Txn& txn) -> Status {
    std::vector<store::Value> params = {a.tenant_id};
    std::string sql = std::string(kScheduleCols) + "WHERE tenant_id = ?";
    if (!account.empty()) {
      sql += " AND account_id = ?";
      params.emplace_back(std::string(account));
    }
    sql += " ORDER BY account_id, trigger_type";
    STEWARD_ASSIGN_OR_RETURN(auto rows, txn.QueryV(sql, params));
    Json items = Json::array();
    for (const auto& r : rows) items.push_back(ScheduleJson(r));
    *out = Json{{"items", items}};
    return Status::Ok();
  });
}

Status DecisionConfig::DeleteSchedule(const Actor& a, std::string_view account,
                                      std::string_view type, Json* out) {
  STEWARD_RETURN_IF_ERROR(ValidateId(account, "account_id"));
  STEWARD_RETURN_IF_ERROR(ValidateTriggerType(type));
  const int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto before, txn.QueryOne(std::string(kScheduleCols) +
                                                           "WHERE tenant_id = ? AND account_id = ? "
                                                           "AND trigger_type = ?",
                                                       {a.tenant_id, std::string(account), std::string(type)}));
    if (!before) return Status::NotFound("no schedule for " + std::string(account) + " / " + std::string(type));
    STEWARD_RETURN_IF_ERROR(txn.Exec("DELETE FROM schedules WHERE tenant_id = ? AND account_id = ? "
                                     "AND trigger_type = ?",
                                     {a.tenant_id, std::string(account), std::string(type)})
                                .status());
    *out = Json{{"account_id", account}, {"trigger_type", type}, {"deleted", true}};
    return ConfigChanged(txn, a, account, now,
                         Json{{"setting", "schedule"}, {"before", ScheduleJson(*before)}, {"after", nullptr}});
  });
}

}  // namespace steward::decision
