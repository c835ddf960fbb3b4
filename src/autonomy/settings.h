#pragma once
// Reading the tenant's autonomy settings inside a transaction: kill switches, the global
// emergency stop, autonomy modes (with SPEC §4 resolution), allowlists (an account list, even
// empty, replaces the tenant list) and policy thresholds. Pure reads; the gate and the config
// service share them so both see exactly the same rules.

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "policy/auto_approval_policy.h"
#include "store/store.h"

namespace steward::autonomy {

inline constexpr std::string_view kWholeTenant = "*";      // account_id of tenant-wide rows
inline constexpr std::string_view kDefaultActionType = "DEFAULT";

struct KillSwitches {
  bool autonomy_enabled = true;
  bool execution_enabled = true;
  std::vector<std::string> disabled_action_types;
  int64_t updated_at = 0;
  std::string updated_by;
};
Result<KillSwitches> LoadKillSwitches(store::Txn& txn, std::string_view tenant_id);

struct EmergencyStop {
  bool engaged = false;
  int64_t updated_at = 0;
  std::string updated_by;
};
Result<EmergencyStop> LoadEmergencyStop(store::Txn& txn);

struct ModeResolution {
  policy::Mode mode = policy::Mode::kApprovalRequired;
  // Which rule matched: "account+type", "tenant+type", "account+DEFAULT", "tenant+DEFAULT" or
  // "default" (nothing configured).
  std::string source = "default";
};
Result<ModeResolution> ResolveMode(store::Txn& txn, std::string_view tenant_id,
                                   std::string_view account_id, std::string_view action_type);

struct AllowlistResolution {
  bool allowlisted = false;
  std::string source = "none";  // "account", "tenant" or "none"
  std::vector<std::string> action_types;
};
Result<AllowlistResolution> ResolveAllowlist(store::Txn& txn, std::string_view tenant_id,
                                             std::string_view account_id,
                                             std::string_view action_type);

struct PolicySettings {
  double confidence_threshold = policy::kDefaultConfidenceThreshold;
  bool allow_self_approval = false;
  int64_t max_pending_jobs = 10000;  // backpressure bound per tenant
  int64_t updated_at = 0;
  std::string updated_by;
};
Result<PolicySettings> LoadPolicySettings(store::Txn& txn, std::string_view tenant_id);

// Versions that triggers set, to a value never used before, on every write of the configuration
// the gate reads (migration 10): the platform's (emergency stop) and the tenant's (kill switches,
// policy, modes, allowlists, budgets, registry). 0 before the first write. Equal versions read in
// two transactions mean the same configuration, even across rolled-back writes.
struct ConfigVersions {
  int64_t platform = 0;
  int64_t tenant = 0;
  bool operator==(const ConfigVersions&) const = default;
};
Result<ConfigVersions> LoadConfigVersions(store::Txn& txn, std::string_view tenant_id);

}  // namespace steward::autonomy
