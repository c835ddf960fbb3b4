#include "autonomy/budget.h"

#include "common/json.h"
#include "common/time_util.h"

namespace steward::autonomy {

Result<std::optional<BudgetConfig>> LoadBudgetConfig(store::Txn& txn, std::string_view tenant_id,
                                                     std::string_view account_id) {
  STEWARD_ASSIGN_OR_RETURN(auto row, txn.QueryOne("SELECT max_autonomous_per_day, "
                                                  "max_per_action_type, timezone, updated_at, "
                                                  "updated_by FROM budget_configs WHERE tenant_id "
                                                  "= ? AND account_id = ?",
                                                  {std::string(tenant_id), std::string(account_id)}));
  if (!row) return std::optional<BudgetConfig>();
  BudgetConfig c;
  c.max_autonomous_per_day = row->Int(0);
  auto per = ParseJson(row->Text(1));
  if (per.ok() && per->is_object()) {
    for (auto it = per->begin(); it != per->end(); ++it) {
      if (it->is_number_integer()) c.max_per_action_type[it.key()] = it->get<int64_t>();
    }
  }
  c.timezone = row->Text(2);
  c.updated_at = row->Int(3);
  c.updated_by = row->Text(4);
  return std::optional<BudgetConfig>(std::move(c));
}

Result<BudgetUsage> LoadBudgetUsage(store::Txn& txn, std::string_view tenant_id,
                                    std::string_view account_id, std::string_view day) {
  STEWARD_ASSIGN_OR_RETURN(auto rows, txn.Query("SELECT action_type, used FROM budget_usage WHERE "
                                                "tenant_id = ? AND account_id = ? AND day = ?",
                                                {std::string(tenant_id), std::string(account_id),
                                                 std::string(day)}));
  BudgetUsage u;
  for (const auto& r : rows) {
    if (r.Text(0) == kTotalUsageKey) {
      u.total = r.Int(1);
    } else {
      u.per_action_type[r.Text(0)] = r.Int(1);
    }
  }
  return u;
}

Result<BudgetCheck> CheckBudget(store::Txn& txn, std::string_view tenant_id,
                                std::string_view account_id, std::string_view action_type,
                                int64_t now_ms) {
  STEWARD_ASSIGN_OR_RETURN(auto config, LoadBudgetConfig(txn, tenant_id, account_id));
  if (!config) return BudgetCheck{};
  return CheckBudgetUsage(txn, tenant_id, account_id, action_type, *config,
                          LocalDay(now_ms, config->timezone));
}

Result<BudgetCheck> CheckBudgetUsage(store::Txn& txn, std::string_view tenant_id,
                                     std::string_view account_id, std::string_view action_type,
                                     const BudgetConfig& config, std::string day) {
  BudgetCheck check;
  check.configured = true;
  check.day = std::move(day);
  check.limit = config.max_autonomous_per_day;
  // The day's total ('*') and the type's count: two primary-key lookups in one row.
  std::string tenant(tenant_id), account(account_id);
  STEWARD_ASSIGN_OR_RETURN(
      auto row, txn.QueryOne("SELECT (SELECT used FROM budget_usage WHERE tenant_id = ? AND "
                             "account_id = ? AND day = ? AND action_type = '*'), (SELECT used FROM "
                             "budget_usage WHERE tenant_id = ? AND account_id = ? AND day = ? AND "
                             "action_type = ?)",
                             {tenant, account, check.day, tenant, account, check.day,
                              std::string(action_type)}));
  if (row) {
    check.used = row->Int(0);
    check.type_used = row->Int(1);
  }
  check.remaining = std::max<int64_t>(0, check.limit - check.used);
  auto cap = config.max_per_action_type.find(std::string(action_type));
  if (cap != config.max_per_action_type.end()) check.type_limit = cap->second;
  if (check.used >= check.limit) {
    check.exceeded = true;
    check.exceeded_scope = "total";
  } else if (check.type_limit && check.type_used >= *check.type_limit) {
    check.exceeded = true;
    check.exceeded_scope = "action_type";
  }
  return check;
}

Status ConsumeBudget(store::Txn& txn, std::string_view tenant_id, std::string_view account_id,
                     std::string_view action_type, std::string_view day) {
  // Both counters (the day's total and the action type's) in one statement.
  auto r = txn.Exec(
      "INSERT INTO budget_usage (tenant_id, account_id, day, action_type, used) VALUES (?, ?, ?, "
      "?, 1), (?, ?, ?, ?, 1) ON CONFLICT (tenant_id, account_id, day, action_type) DO UPDATE SET "
      "used = budget_usage.used + 1",
      {std::string(tenant_id), std::string(account_id), std::string(day),
       std::string(kTotalUsageKey), std::string(tenant_id), std::string(account_id),
       std::string(day), std::string(action_type)});
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace steward::autonomy
