#include "autonomy/settings.h"

#include "common/json.h"

namespace steward::autonomy {
namespace {

std::vector<std::string> StringArray(const std::string& text) {
  std::vector<std::string> out;
  auto j = ParseJson(text);
  if (j.ok() && j->is_array()) {
    for (const auto& e : *j) {
      if (e.is_string()) out.push_back(e.get<std::string>());
    }
  }
  return out;
}

}  // namespace

Result<KillSwitches> LoadKillSwitches(store::Txn& txn, std::string_view tenant_id) {
  KillSwitches ks;
  STEWARD_ASSIGN_OR_RETURN(auto row, txn.QueryOne("SELECT autonomy_enabled, execution_enabled, "
                                                  "disabled_action_types, updated_at, updated_by "
                                                  "FROM kill_switches WHERE tenant_id = ?",
                                                  {std::string(tenant_id)}));
  if (row) {
    ks.autonomy_enabled = row->Int(0) != 0;
    ks.execution_enabled = row->Int(1) != 0;
    ks.disabled_action_types = StringArray(row->Text(2));
    ks.updated_at = row->Int(3);
    ks.updated_by = row->Text(4);
  }
  return ks;
}

Result<EmergencyStop> LoadEmergencyStop(store::Txn& txn) {
  EmergencyStop es;
  STEWARD_ASSIGN_OR_RETURN(auto row, txn.QueryOne("SELECT value, updated_at, updated_by FROM "
                                                  "platform_settings WHERE key = 'emergency_stop'"));
  if (row) {
    es.engaged = row->Text(0) == "true";
    es.updated_at = row->Int(1);
    es.updated_by = row->Text(2);
  }
  return es;
}

Result<ModeResolution> ResolveMode(store::Txn& txn, std::string_view tenant_id,
                                   std::string_view account_id, std::string_view action_type) {
  STEWARD_ASSIGN_OR_RETURN(
      auto rows, txn.Query("SELECT account_id, action_type, mode FROM autonomy_modes WHERE "
                           "tenant_id = ? AND account_id IN (?, '*') AND action_type IN (?, "
                           "'DEFAULT')",
                           {std::string(tenant_id), std::string(account_id),
                            std::string(action_type)}));
  // First match wins: account+type, tenant+type, account+DEFAULT, tenant+DEFAULT.
  int best = 5;
  ModeResolution res;
  for (const auto& r : rows) {
    bool account = r.Text(0) != kWholeTenant;
    bool type = r.Text(1) != kDefaultActionType;
    int rank = type ? (account ? 1 : 2) : (account ? 3 : 4);
    if (rank >= best) continue;
    auto mode = policy::ParseMode(r.Text(2));
    if (!mode) continue;
    best = rank;
    res.mode = *mode;
    static const char* kSources[] = {"", "account+type", "tenant+type", "account+DEFAULT",
                                     "tenant+DEFAULT"};
    res.source = kSources[rank];
  }
  return res;
}

Result<AllowlistResolution> ResolveAllowlist(store::Txn& txn, std::string_view tenant_id,
                                             std::string_view account_id,
                                             std::string_view action_type) {
  STEWARD_ASSIGN_OR_RETURN(
      auto rows, txn.Query("SELECT account_id, action_types FROM allowlists WHERE tenant_id = ? "
                           "AND account_id IN (?, '*')",
                           {std::string(tenant_id), std::string(account_id)}));
  AllowlistResolution res;
  const store::Row* chosen = nullptr;
  for (const auto& r : rows) {
    if (r.Text(0) != kWholeTenant) {
      chosen = &r;  // an account list, even empty, replaces the tenant list
      res.source = "account";
      break;
    }
    chosen = &r;
    res.source = "tenant";
  }
  if (!chosen) return res;
  res.action_types = StringArray(chosen->Text(1));
  for (const auto& t : res.action_types) {
    if (t == action_type) res.allowlisted = true;
  }
  return res;
}

Result<PolicySettings> LoadPolicySettings(store::Txn& txn, std::string_view tenant_id) {
  PolicySettings ps;
  STEWARD_ASSIGN_OR_RETURN(auto row, txn.QueryOne("SELECT confidence_threshold, "
                                                  "allow_self_approval, max_pending_jobs, "
                                                  "updated_at, updated_by FROM policy_settings "
                                                  "WHERE tenant_id = ?",
                                                  {std::string(tenant_id)}));
  if (row) {
    ps.confidence_threshold = row->Real(0);
    ps.allow_self_approval = row->Int(1) != 0;
    ps.max_pending_jobs = row->Int(2);
    ps.updated_at = row->Int(3);
    ps.updated_by = row->Text(4);
  }
  return ps;
}

Result<ConfigVersions> LoadConfigVersions(store::Txn& txn, std::string_view tenant_id) {
  // Two primary-key lookups in one row (an IN list would build a temporary index per call).
  STEWARD_ASSIGN_OR_RETURN(
      auto row, txn.QueryOne("SELECT (SELECT version FROM config_versions WHERE scope = ''), "
                             "(SELECT version FROM config_versions WHERE scope = ?)",
                             {std::string(tenant_id)}));
  ConfigVersions v;
  if (row) {
    v.platform = row->Int(0);
    v.tenant = row->Int(1);
  }
  return v;
}

}  // namespace steward::autonomy
