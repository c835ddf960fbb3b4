#include "autonomy/config_service.h"

#include "autonomy/budget.h"
#include "autonomy/registry.h"
#include "autonomy/settings.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/time_util.h"
#include "ledger/event_types.h"
#include "ledger/ledger.h"

namespace steward::autonomy {
namespace {

constexpr int64_t kMaxDailyBudget = 1000000;

Status AppendConfigChange(store::Txn& txn, const Actor& a, int64_t now, std::string_view event,
                          std::string_view resource, std::string_view account_id, Json key,
                          Json before, Json after) {
  ledger::AppendRequest m;
  m.event_type = std::string(event);
  m.account_id = account_id == kWholeTenant ? "" : std::string(account_id);
  m.actor = a.subject;
  Json data = {{"resource", resource},
               {"key", std::move(key)},
               {"before", std::move(before)},
               {"after", std::move(after)}};
  auto e = ledger::Append(txn, a.tenant_id, now, m, data);
  return e.ok() ? Status::Ok() : e.status();
}

Json Nullable(std::string_view account) {
  return account.empty() || account == kWholeTenant ? Json(nullptr) : Json(std::string(account));
}

// Account scope of a configuration call: an id, or '*' for the whole tenant.
Status AccountScope(const std::string& given, std::string* scope) {
  if (given.empty()) {
    *scope = std::string(kWholeTenant);
    return Status::Ok();
  }
  STEWARD_RETURN_IF_ERROR(ValidateId(given, "account_id"));
  *scope = given;
  return Status::Ok();
}

Status KnownActionType(store::Txn& txn, const std::string& tenant, const std::string& type,
                       std::string_view field) {
  auto def = ResolveActionType(txn, tenant, type);
  if (def.ok()) return Status::Ok();
  if (def.status().code() == Code::kNotFound) {
    return Status::InvalidArgument("unknown action type " + type, std::string(field));
  }
  return def.status();
}

Json ModeRow(const store::Row& r) {
  return Json{{"account_id", Nullable(r.Text(0))},
              {"action_type", r.Text(1)},
              {"mode", r.Text(2)},
              {"updated_at", FormatTimestamp(r.Int(3))},
              {"updated_by", r.Text(4)}};
}

Json KillSwitchJson(const KillSwitches& ks, const EmergencyStop& es) {
  return Json{{"autonomy_enabled", ks.autonomy_enabled},
              {"execution_enabled", ks.execution_enabled},
              {"disabled_action_types", ks.disabled_action_types},
              {"emergency_stop", es.engaged},
              {"updated_at", ks.updated_at ? Json(FormatTimestamp(ks.updated_at)) : Json(nullptr)},
              {"updated_by", ks.updated_by.empty() ? Json(nullptr) : Json(ks.updated_by)}};
}

Json PolicyJson(const PolicySettings& ps) {
  return Json{{"policy_version", policy::kPolicyVersion},
              {"confidence_threshold", ps.confidence_threshold},
              {"allow_self_approval", ps.allow_self_approval},
              {"max_pending_jobs", ps.max_pending_jobs},
              {"updated_at", ps.updated_at ? Json(FormatTimestamp(ps.updated_at)) : Json(nullptr)},
              {"updated_by", ps.updated_by.empty() ? Json(nullptr) : Json(ps.updated_by)}};
}

Json BudgetConfigJson(const BudgetConfig& c) {
  return Json{{"max_autonomous_per_day", c.max_autonomous_per_day},
              {"max_per_action_type", c.max_per_action_type},
              {"timezone", c.timezone}};
}

}  // namespace

// ---- modes ----------------------------------------------------------------------------------

Status ConfigService::GetModes(const Actor& a, const ConfigQuery& q, Json* out) {
  std::string scope;
  if (!q.account_id.empty()) STEWARD_RETURN_IF_ERROR(ValidateId(q.account_id, "account_id"));
  return store_->Read([&](store::Txn& txn) -> Status {
    std::string sql =
        "SELECT account_id, action_type, mode, updated_at, updated_by FROM autonomy_modes WHERE "
        "tenant_id = ?";
    std::vector<store::Value> p = {a.tenant_id};
    if (!q.account_id.empty()) {
      sql += " AND account_id IN (?, '*')";
      p.emplace_back(q.account_id);
    }
    if (!q.action_type.empty()) {
      sql += " AND action_type IN (?, 'DEFAULT')";
      p.emplace_back(q.action_type);
    }
    sql += " ORDER BY account_id, action_type";
    STEWARD_ASSIGN_OR_RETURN(auto rows, txn.QueryV(sql, p));
    Json items = Json::array();
    for (const auto& r : rows) items.push_back(ModeRow(r));
    *out = Json{{"items", std::move(items)}};
    if (!q.account_id.empty() && !q.action_type.empty()) {
      STEWARD_ASSIGN_OR_RETURN(ModeResolution m, ResolveMode(txn, a.tenant_id, q.account_id, q.action_type));
      (*out)["effective"] = {{"mode", policy::ModeName(m.mode)}, {"source", m.source}};
    }
    return Status::Ok();
  });
}

Status ConfigService::PutMode(const Actor& a, const Json& body, Json* out) {
  STEWARD_RETURN_IF_ERROR(RejectUnknownFields(body, {"account_id", "action_type", "mode"}));
  std::string account, type = std::string(kDefaultActionType), mode, scope;
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "account_id", &account));
  STEWARD_RETURN_IF_ERROR(AccountScope(account, &scope));
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "action_type", &type));
  STEWARD_RETURN_IF_ERROR(GetString(body, "mode", &mode));
  if (!policy::ParseMode(mode)) {
    return Status::InvalidArgument(
        "mode must be PROPOSE_ONLY, APPROVAL_REQUIRED, AUTO_EXECUTE or DISABLED", "mode");
  }
  int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    if (type != kDefaultActionType) STEWARD_RETURN_IF_ERROR(KnownActionType(txn, a.tenant_id, type, "action_type"));
    STEWARD_ASSIGN_OR_RETURN(auto before, txn.QueryOne("SELECT mode FROM autonomy_modes WHERE "
                                                       "tenant_id = ? AND account_id = ? AND "
                                                       "action_type = ?",
                                                       {a.tenant_id, scope, type}));
    auto r = txn.Exec(
        "INSERT INTO autonomy_modes (tenant_id, account_id, action_type, mode, updated_at, "
        "updated_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, account_id, action_type) "
        "DO UPDATE SET mode = excluded.mode, updated_at = excluded.updated_at, updated_by = "
        "excluded.updated_by",
        {a.tenant_id, scope, type, mode, now, a.subject});
    if (!r.ok()) return r.status();
    Json key = {{"account_id", Nullable(scope)}, {"action_type", type}};
    STEWARD_RETURN_IF_ERROR(AppendConfigChange(
        txn, a, now, ledger::kConfigChanged, "autonomy_mode", scope, key,
        before ? Json{{"mode", before->Text(0)}} : Json(nullptr), Json{{"mode", mode}}));
    *out = Json{{"account_id", Nullable(scope)}, {"action_type", type}, {"mode", mode},
                {"updated_at", FormatTimestamp(now)}, {"updated_by", a.subject}};
    return Status::Ok();
  });
}

Status ConfigService::DeleteMode(const Actor& a, const ConfigQuery& q, Json* out) {
  std::string scope;
  STEWARD_RETURN_IF_ERROR(AccountScope(q.account_id, &scope));
  std::string type = q.action_type.empty() ? std::string(kDefaultActionType) : q.action_type;
  int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto before, txn.QueryOne("SELECT mode FROM autonomy_modes WHERE "
                                                       "tenant_id = ? AND account_id = ? AND "
                                                       "action_type = ?",
                                                       {a.tenant_id, scope, type}));
    if (!before) return Status::NotFound("no mode is configured for that account and action type");
    auto r = txn.Exec("DELETE FROM autonomy_modes WHERE tenant_id = ? AND account_id = ? AND "
                      "action_type = ?",
                      {a.tenant_id, scope, type});
    if (!r.ok()) return r.status();
    Json key = {{"account_id", Nullable(scope)}, {"action_type", type}};
    STEWARD_RETURN_IF_ERROR(AppendConfigChange(txn, a, now, ledger::kConfigChanged,
                                               "autonomy_mode", scope, key,
                                               Json{{"mode", before->Text(0)}}, nullptr));
    *out = Json{{"deleted", true}, {"account_id", Nullable(scope)}, {"action_type", type}};
    return Status::Ok();
  });
}

// ---- allowlists -----------------------------------------------------------------------------

Status ConfigService::GetAllowlist(const Actor& a, const ConfigQuery& q, Json* out) {
  std::string scope;
  STEWARD_RETURN_IF_ERROR(AccountScope(q.account_id, &scope));
  return store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT account_id, action_types, updated_at, "
                                                  "updated_by FROM allowlists WHERE tenant_id = ? "
                                                  "AND account_id IN (?, '*')",
                                                  {a.tenant_id, scope}));
    Json own = nullptr, tenant = nullptr;
    for (const auto& r : rows) {
      Json entry = {{"account_id", Nullable(r.Text(0))},
                    {"action_types", ParseJson(r.Text(1)).value()},
                    {"updated_at", FormatTimestamp(r.Int(2))},
                    {"updated_by", r.Text(3)}};
      if (r.Text(0) == scope) own = entry;
      if (r.Text(0) == kWholeTenant) tenant = entry;
    }
    Json effective = own.is_null() ? tenant : own;
    std::string source = !own.is_null() ? (scope == kWholeTenant ? "tenant" : "account")
                         : !tenant.is_null() ? "tenant" : "none";
    *out = Json{{"account_id", Nullable(scope)},
                {"action_types", effective.is_null() ? Json::array() : effective["action_types"]},
                {"source", source},
                {"configured", !own.is_null()},
                {"updated_at", effective.is_null() ? Json(nullptr) : effective["updated_at"]},
                {"updated_by", effective.is_null() ? Json(nullptr) : effective["updated_by"]}};
    return Status::Ok();
  });
}

Status ConfigService::PutAllowlist(const Actor& a, const Json& body, Json* out) {
  STEWARD_RETURN_IF_ERROR(RejectUnknownFields(body, {"account_id", "action_types"}));
  std::string account, scope;
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "account_id", &account));
  STEWARD_RETURN_IF_ERROR(AccountScope(account, &scope));
  std::vector<std::string> types;
  bool present = false;
  STEWARD_RETURN_IF_ERROR(GetOptionalStringArray(body, "action_types", &types, &present));
  if (!present) return Status::InvalidArgument("action_types is required", "action_types");
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    for (const auto& t : types) STEWARD_RETURN_IF_ERROR(KnownActionType(txn, a.tenant_id, t, "action_types"));
    STEWARD_ASSIGN_OR_RETURN(auto before, txn.QueryOne("SELECT action_types FROM allowlists WHERE "
                                                       "tenant_id = ? AND account_id = ?",
                                                       {a.tenant_id, scope}));
    Json list = types;
    auto r = txn.Exec(
        "INSERT INTO allowlists (tenant_id, account_id, action_types, updated_at, updated_by) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, account_id) DO UPDATE SET action_types = "
        "excluded.action_types, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        {a.tenant_id, scope, list.dump(), now, a.subject});
    if (!r.ok()) return r.status();
    STEWARD_RETURN_IF_ERROR(AppendConfigChange(
        txn, a, now, ledger::kConfigChanged, "allowlist", scope, {{"account_id", Nullable(scope)}},
        before ? Json{{"action_types", ParseJson(before->Text(0)).value()}} : Json(nullptr),
        Json{{"action_types", list}}));
    *out = Json{{"account_id", Nullable(scope)}, {"action_types", list},
                {"source", scope == kWholeTenant ? "tenant" : "account"}, {"configured", true},
                {"updated_at", FormatTimestamp(now)}, {"updated_by", a.subject}};
    return Status::Ok();
  });
}

Status ConfigService::DeleteAllowlist(const Actor& a, const ConfigQuery& q, Json* out) {
  std::string scope;
  STEWARD_RETURN_IF_ERROR(AccountScope(q.account_id, &scope));
  int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto before, txn.QueryOne("SELECT action_types FROM allowlists WHERE "
                                                       "tenant_id = ? AND account_id = ?",
                                                       {a.tenant_id, scope}));
    if (!before) return Status::NotFound("no allowlist is configured for that scope");
    auto r = txn.Exec("DELETE FROM allowlists WHERE tenant_id = ? AND account_id = ?",
                      {a.tenant_id, scope});
    if (!r.ok()) return r.status();
    STEWARD_RETURN_IF_ERROR(AppendConfigChange(
        txn, a, now, ledger::kConfigChanged, "allowlist", scope, {{"account_id", Nullable(scope)}},
        Json{{"action_types", ParseJson(before->Text(0)).value()}}, nullptr));
    *out = Json{{"deleted", true}, {"account_id", Nullable(scope)}};
    return Status::Ok();
  });
}

// ---- budgets --------------------------------------------------------------------------------

Status ConfigService::GetBudget(const Actor& a, const ConfigQuery& q, Json* out) {
  if (q.account_id.empty()) return Status::InvalidArgument("account_id is required", "account_id");
  STEWARD_RETURN_IF_ERROR(ValidateId(q.account_id, "account_id"));
  int64_t now = clock_->NowMs();
  return store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto config, LoadBudgetConfig(txn, a.tenant_id, q.account_id));
    if (!config) return Status::NotFound("no budget is configured for account " + q.account_id);
    std::string day = LocalDay(now, config->timezone);
    STEWARD_ASSIGN_OR_RETURN(BudgetUsage u, LoadBudgetUsage(txn, a.tenant_id, q.account_id, day));
    *out = BudgetConfigJson(*config);
    (*out)["account_id"] = q.account_id;
    (*out)["day"] = day;
    (*out)["used_today"] = u.total;
    (*out)["remaining_today"] = std::max<int64_t>(0, config->max_autonomous_per_day - u.total);
    (*out)["used_per_action_type"] = u.per_action_type;
    (*out)["updated_at"] = FormatTimestamp(config->updated_at);
    (*out)["updated_by"] = config->updated_by;
    return Status::Ok();
  });
}

Status ConfigService::PutBudget(const Actor& a, const Json& body, Json* out) {
  STEWARD_RETURN_IF_ERROR(RejectUnknownFields(
      body, {"account_id", "max_autonomous_per_day", "max_per_action_type", "timezone"}));
  std::string account;
  STEWARD_RETURN_IF_ERROR(GetString(body, "account_id", &account));
  STEWARD_RETURN_IF_ERROR(ValidateId(account, "account_id"));
  BudgetConfig c;
  bool has_max = false;
  STEWARD_RETURN_IF_ERROR(GetOptionalInt(body, "max_autonomous_per_day", &c.max_autonomous_per_day,
                                         0, kMaxDailyBudget, &has_max));
  if (!has_max) {
    return Status::InvalidArgument("max_autonomous_per_day is required", "max_autonomous_per_day");
  }
  Json per;
  bool has_per = false;
  STEWARD_RETURN_IF_ERROR(GetOptionalObject(body, "max_per_action_type", &per, &has_per));
  if (has_per) {
    for (auto it = per.begin(); it != per.end(); ++it) {
      int64_t v = 0;
      Json one = {{it.key(), *it}};
      Status st = GetOptionalInt(one, it.key(), &v, 0, kMaxDailyBudget);
      if (!st.ok()) {
        return Status::InvalidArgument("max_per_action_type values must be non-negative integers",
                                       "max_per_action_type");
      }
      c.max_per_action_type[it.key()] = v;
    }
  }
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "timezone", &c.timezone));
  if (c.timezone != "UTC" && !IsValidTimeZone(c.timezone)) {
    return Status::InvalidArgument("timezone must be an IANA time zone name", "timezone");
  }
  int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    for (const auto& [t, v] : c.max_per_action_type) {
      STEWARD_RETURN_IF_ERROR(KnownActionType(txn, a.tenant_id, t, "max_per_action_type"));
    }
    STEWARD_ASSIGN_OR_RETURN(auto before, LoadBudgetConfig(txn, a.tenant_id, account));
    Json per_json = c.max_per_action_type;
    auto r = txn.Exec(
        "INSERT INTO budget_configs (tenant_id, account_id, max_autonomous_per_day, "
        "max_per_action_type, timezone, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?) ON "
        "CONFLICT (tenant_id, account_id) DO UPDATE SET max_autonomous_per_day = "
        "excluded.max_autonomous_per_day, max_per_action_type = excluded.max_per_action_type, "
        "timezone = excluded.timezone, updated_at = excluded.updated_at, updated_by = "
        "excluded.updated_by",
        {a.tenant_id, account, c.max_autonomous_per_day, per_json.dump(), c.timezone, now,
         a.subject});
    if (!r.ok()) return r.status();
    STEWARD_RETURN_IF_ERROR(AppendConfigChange(
        txn, a, now, ledger::kConfigChanged, "budget", account, {{"account_id", account}},
        before ? BudgetConfigJson(*before) : Json(nullptr), BudgetConfigJson(c)));
    *out = BudgetConfigJson(c);
    (*out)["account_id"] = account;
    (*out)["updated_at"] = FormatTimestamp(now);
    (*out)["updated_by"] = a.subject;
    return Status::Ok();
  });
}

Status ConfigService::DeleteBudget(const Actor& a, const ConfigQuery& q, Json* out) {
  if (q.account_id.empty()) return Status::InvalidArgument("account_id is required", "account_id");
  STEWARD_RETURN_IF_ERROR(ValidateId(q.account_id, "account_id"));
  int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto before, LoadBudgetConfig(txn, a.tenant_id, q.account_id));
    if (!before) return Status::NotFound("no budget is configured for account " + q.account_id);
    auto r = txn.Exec("DELETE FROM budget_configs WHERE tenant_id = ? AND account_id = ?",
                      {a.tenant_id, q.account_id});
    if (!r.ok()) return r.status();
    STEWARD_RETURN_IF_ERROR(AppendConfigChange(txn, a, now, ledger::kConfigChanged, "budget",
                                               q.account_id, {{"account_id", q.account_id}},
                                               BudgetConfigJson(*before), nullptr));
    *out = Json{{"deleted", true}, {"account_id", q.account_id}};
    return Status::Ok();
  });
}

namespace {
Status StateDay(store::Txn& txn, const Actor& a, const ConfigQuery& q, int64_t now,
                std::string* day) {
  if (!q.date.empty()) {
    if (!ParseDate(q.date).ok()) return Status::InvalidArgument("date must be YYYY-MM-DD", "date");
    *day = q.date;
    return Status::Ok();
  }
  STEWARD_ASSIGN_OR_RETURN(auto config, LoadBudgetConfig(txn, a.tenant_id, q.account_id));
  *day = LocalDay(now, config ? config->timezone : "UTC");
  return Status::Ok();
}
}  // namespace

Status ConfigService::GetBudgetState(const Actor& a, const ConfigQuery& q, Json* out) {
  if (q.account_id.empty()) return Status::InvalidArgument("account_id is required", "account_id");
  STEWARD_RETURN_IF_ERROR(ValidateId(q.account_id, "account_id"));
  int64_t now = clock_->NowMs();
  return store_->Read([&](store::Txn& txn) -> Status {
    std::string day;
    STEWARD_RETURN_IF_ERROR(StateDay(txn, a, q, now, &day));
    STEWARD_ASSIGN_OR_RETURN(BudgetUsage u, LoadBudgetUsage(txn, a.tenant_id, q.account_id, day));
    *out = Json{{"account_id", q.account_id}, {"date", day}, {"total", u.total},
                {"per_action_type", u.per_action_type}};
    return Status::Ok();
  });
}

Status ConfigService::ResetBudgetState(const Actor& a, const ConfigQuery& q, Json* out) {
  if (q.account_id.empty()) return Status::InvalidArgument("account_id is required", "account_id");
  STEWARD_RETURN_IF_ERROR(ValidateId(q.account_id, "account_id"));
  int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    std::string day;
    STEWARD_RETURN_IF_ERROR(StateDay(txn, a, q, now, &day));
    STEWARD_ASSIGN_OR_RETURN(BudgetUsage u, LoadBudgetUsage(txn, a.tenant_id, q.account_id, day));
    auto r = txn.Exec("DELETE FROM budget_usage WHERE tenant_id = ? AND account_id = ? AND day = ?",
                      {a.tenant_id, q.account_id, day});
    if (!r.ok()) return r.status();
    Json before = {{"total", u.total}, {"per_action_type", u.per_action_type}};
    STEWARD_RETURN_IF_ERROR(AppendConfigChange(txn, a, now, ledger::kBudgetStateReset,
                                               "budget_state", q.account_id,
                                               {{"account_id", q.account_id}, {"date", day}},
                                               before, Json{{"total", 0}}));
    *out = Json{{"account_id", q.account_id}, {"date", day}, {"reset", true}, {"before", before}};
    return Status::Ok();
  });
}

// ---- kill switches --------------------------------------------------------------------------

Status ConfigService::GetKillSwitches(const Actor& a, Json* out) {
  return store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(KillSwitches ks, LoadKillSwitches(txn, a.tenant_id));
    STEWARD_ASSIGN_OR_RETURN(EmergencyStop es, LoadEmergencyStop(txn));
    *out = KillSwitchJson(ks, es);
    return Status::Ok();
  });
}

Status ConfigService::PutKillSwitches(const Actor& a, const Json& body, Json* out) {
  STEWARD_RETURN_IF_ERROR(RejectUnknownFields(
      body, {"autonomy_enabled", "execution_enabled", "disabled_action_types"}));
  bool autonomy = true, execution = true, has_a = false, has_e = false, has_d = false;
  std::vector<std::string> disabled;
  STEWARD_RETURN_IF_ERROR(GetOptionalBool(body, "autonomy_enabled", &autonomy, &has_a));
  STEWARD_RETURN_IF_ERROR(GetOptionalBool(body, "execution_enabled", &execution, &has_e));
  STEWARD_RETURN_IF_ERROR(GetOptionalStringArray(body, "disabled_action_types", &disabled, &has_d));
  if (!has_a && !has_e && !has_d) {
    return Status::InvalidArgument(
        "give at least one of autonomy_enabled, execution_enabled, disabled_action_types");
  }
  int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    for (const auto& t : disabled) {
      STEWARD_RETURN_IF_ERROR(KnownActionType(txn, a.tenant_id, t, "disabled_action_types"));
    }
    STEWARD_ASSIGN_OR_RETURN(KillSwitches before, LoadKillSwitches(txn, a.tenant_id));
    STEWARD_ASSIGN_OR_RETURN(EmergencyStop es, LoadEmergencyStop(txn));
    KillSwitches after = before;
    if (has_a) after.autonomy_enabled = autonomy;
    if (has_e) after.execution_enabled = execution;
    if (has_d) after.disabled_action_types = disabled;
    after.updated_at = now;
    after.updated_by = a.subject;
    Json list = after.disabled_action_types;
    auto r = txn.Exec(
        "INSERT INTO kill_switches (tenant_id, autonomy_enabled, execution_enabled, "
        "disabled_action_types, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT "
        "(tenant_id) DO UPDATE SET autonomy_enabled = excluded.autonomy_enabled, "
        "execution_enabled = excluded.execution_enabled, disabled_action_types = "
        "excluded.disabled_action_types, updated_at = excluded.updated_at, updated_by = "
        "excluded.updated_by",
        {a.tenant_id, int64_t{after.autonomy_enabled}, int64_t{after.execution_enabled},
         list.dump(), now, a.subject});
    if (!r.ok()) return r.status();
    auto view = [](const KillSwitches& k) {
      return Json{{"autonomy_enabled", k.autonomy_enabled},
                  {"execution_enabled", k.execution_enabled},
                  {"disabled_action_types", k.disabled_action_types}};
    };
    STEWARD_RETURN_IF_ERROR(AppendConfigChange(txn, a, now, ledger::kKillSwitchChanged,
                                               "kill_switches", "", Json::object(), view(before),
                                               view(after)));
    *out = KillSwitchJson(after, es);
    return Status::Ok();
  });
}

Status ConfigService::PutEmergencyStop(const Actor& a, const Json& body, Json* out) {
  STEWARD_RETURN_IF_ERROR(RejectUnknownFields(body, {"engaged"}));
  bool engaged = false, present = false;
  STEWARD_RETURN_IF_ERROR(GetOptionalBool(body, "engaged", &engaged, &present));
  if (!present) return Status::InvalidArgument("engaged (boolean) is required", "engaged");
  int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(EmergencyStop before, LoadEmergencyStop(txn));
    auto r = txn.Exec(
        "INSERT INTO platform_settings (key, value, updated_at, updated_by) VALUES "
        "('emergency_stop', ?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
        "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        {std::string(engaged ? "true" : "false"), now, a.tenant_id + "/" + a.subject});
    if (!r.ok()) return r.status();
    STEWARD_RETURN_IF_ERROR(AppendConfigChange(txn, a, now, ledger::kKillSwitchChanged,
                                               "emergency_stop", "", Json::object(),
                                               Json{{"engaged", before.engaged}},
                                               Json{{"engaged", engaged}}));
    *out = Json{{"emergency_stop", engaged}, {"updated_at", FormatTimestamp(now)},
                {"updated_by", a.tenant_id + "/" + a.subject}};
    return Status::Ok();
  });
}

// ---- policy thresholds ----------------------------------------------------------------------

Status ConfigService::GetPolicy(const Actor& a, Json* out) {
  return store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(PolicySettings ps, LoadPolicySettings(txn, a.tenant_id));
    *out = PolicyJson(ps);
    return Status::Ok();
  });
}

Status ConfigService::PutPolicy(const Actor& a, const Json& body, Json* out) {
  STEWARD_RETURN_IF_ERROR(RejectUnknownFields(
      body, {"confidence_threshold", "allow_self_approval", "max_pending_jobs"}));
  double threshold = 0;
  bool self = false, has_t = false, has_s = false, has_m = false;
  int64_t max_pending = 0;
  STEWARD_RETURN_IF_ERROR(GetOptionalNumber(body, "confidence_threshold", &threshold, &has_t));
  if (has_t && (threshold < 0 || threshold > 1)) {
    return Status::InvalidArgument("confidence_threshold must be between 0 and 1",
                                   "confidence_threshold");
  }
  STEWARD_RETURN_IF_ERROR(GetOptionalBool(body, "allow_self_approval", &self, &has_s));
  STEWARD_RETURN_IF_ERROR(GetOptionalInt(body, "max_pending_jobs", &max_pending, 1, 100000000, &has_m));
  if (!has_t && !has_s && !has_m) {
    return Status::InvalidArgument(
        "give at least one of confidence_threshold, allow_self_approval, max_pending_jobs");
  }
  int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(PolicySettings before, LoadPolicySettings(txn, a.tenant_id));
    PolicySettings after = before;
    if (has_t) after.confidence_threshold = threshold;
    if (has_s) after.allow_self_approval = self;
    if (has_m) after.max_pending_jobs = max_pending;
    after.updated_at = now;
    after.updated_by = a.subject;
    auto r = txn.Exec(
        "INSERT INTO policy_settings (tenant_id, confidence_threshold, allow_self_approval, "
        "max_pending_jobs, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT "
        "(tenant_id) DO UPDATE SET confidence_threshold = excluded.confidence_threshold, "
        "allow_self_approval = excluded.allow_self_approval, max_pending_jobs = "
        "excluded.max_pending_jobs, updated_at = excluded.updated_at, updated_by = "
        "excluded.updated_by",
        {a.tenant_id, after.confidence_threshold, int64_t{after.allow_self_approval},
         after.max_pending_jobs, now, a.subject});
    if (!r.ok()) return r.status();
    auto view = [](const PolicySettings& p) {
      return Json{{"confidence_threshold", p.confidence_threshold},
                  {"allow_self_approval", p.allow_self_approval},
                  {"max_pending_jobs", p.max_pending_jobs}};
    };
    STEWARD_RETURN_IF_ERROR(AppendConfigChange(txn, a, now, ledger::kConfigChanged, "policy", "",
                                               Json::object(), view(before), view(after)));
    *out = PolicyJson(after);
    return Status::Ok();
  });
}

// ---- registry -------------------------------------------------------------------------------

Status ConfigService::ListActionTypes(const Actor& a, Json* out) {
  return store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto defs, autonomy::ListActionTypes(txn, a.tenant_id));
    Json items = Json::array();
    for (const auto& d : defs) {
      Json j;
      ActionTypeToJson(d, &j);
      items.push_back(std::move(j));
    }
    *out = Json{{"items", std::move(items)}};
    return Status::Ok();
  });
}

Status ConfigService::GetActionType(const Actor& a, std::string_view type, const ConfigQuery& q,
                                    Json* out) {
  std::optional<int64_t> version;
  if (!q.version.empty()) {
    Json v;
    try {
      size_t pos = 0;
      long long n = std::stoll(q.version, &pos);
      if (pos != q.version.size() || n < 1) throw std::invalid_argument("v");
      version = n;
    } catch (const std::exception&) {
      return Status::InvalidArgument("version must be a positive integer", "version");
    }
  }
  return store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(ActionTypeDef d, ResolveActionType(txn, a.tenant_id, type, version));
    ActionTypeToJson(d, out);
    return Status::Ok();
  });
}

Status ConfigService::PutActionType(const Actor& a, std::string_view type, const Json& body,
                                    Json* out) {
  int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto before, ResolveActionType(txn, a.tenant_id, type).ok()
                                              ? Result<bool>(true)
                                              : Result<bool>(false));
    STEWARD_ASSIGN_OR_RETURN(ActionTypeDef d,
                             autonomy::PutActionType(txn, a.tenant_id, type, body, now, a.subject));
    ActionTypeToJson(d, out);
    STEWARD_RETURN_IF_ERROR(AppendConfigChange(
        txn, a, now, ledger::kConfigChanged, "action_type", "",
        {{"action_type", std::string(type)}, {"registry_version", d.registry_version}},
        before ? Json{{"registry_version", d.registry_version - 1}} : Json(nullptr), *out));
    return Status::Ok();
  });
}

}  // namespace steward::autonomy
