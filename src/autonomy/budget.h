#pragma once
// Autonomy budgets (SPEC §4): per (tenant, account) a maximum of autonomous executions per day,
// in total and per action type, counted per calendar day in the budget's time zone (default
// UTC). A consume checks both limits and increments both inside the caller's transaction, or
// changes nothing — the single writer (SQLite) or row locks (PostgreSQL) make it atomic.

#include <map>
#include <optional>
#include <string>

#include "common/status.h"
#include "store/store.h"

namespace steward::autonomy {

inline constexpr std::string_view kTotalUsageKey = "*";

struct BudgetConfig {
  int64_t max_autonomous_per_day = 0;
  std::map<std::string, int64_t> max_per_action_type;
  std::string timezone = "UTC";
  int64_t updated_at = 0;
  std::string updated_by;
};

Result<std::optional<BudgetConfig>> LoadBudgetConfig(store::Txn& txn, std::string_view tenant_id,
                                                     std::string_view account_id);

struct BudgetCheck {
  bool configured = false;
  std::string day;  // YYYY-MM-DD in the budget's time zone
  int64_t limit = 0;
  int64_t used = 0;
  int64_t remaining = 0;
  // Per action type, when the type has its own cap.
  std::optional<int64_t> type_limit;
  int64_t type_used = 0;
  bool exceeded = false;
  std::string exceeded_scope;  // "total" or "action_type"
};

// Reads usage for `now_ms` and says whether one more autonomous `action_type` execution fits.
Result<BudgetCheck> CheckBudget(store::Txn& txn, std::string_view tenant_id,
                                std::string_view account_id, std::string_view action_type,
                                int64_t now_ms);

// The same for a configuration already read (`config`) and its local `day`.
Result<BudgetCheck> CheckBudgetUsage(store::Txn& txn, std::string_view tenant_id,
                                     std::string_view account_id, std::string_view action_type,
                                     const BudgetConfig& config, std::string day);

// Adds one to the day's total and the type's count. REQUIRES: CheckBudget said it fits, in the
// same transaction.
Status ConsumeBudget(store::Txn& txn, std::string_view tenant_id, std::string_view account_id,
                     std::string_view action_type, std::string_view day);

// Usage of a day: total and per type.
struct BudgetUsage {
  int64_t total = 0;
  std::map<std::string, int64_t> per_action_type;
};
Result<BudgetUsage> LoadBudgetUsage(store::Txn& txn, std::string_view tenant_id,
                                    std::string_view account_id, std::string_view day);

}  // namespace steward::autonomy
