#include "decision/trigger_registry.h"

#include <algorithm>
#include <map>

#include "common/json.h"
#include "common/time_util.h"

namespace steward::decision {
namespace {

TriggerDef Def(std::string type, int64_t debounce, int64_t cooldown, int64_t per_hour) {
  TriggerDef d;
  d.trigger_type = std::move(type);
  d.config = {debounce, cooldown, per_hour};
  return d;
}

const std::vector<TriggerDef> kDefaults = {
    Def("SIGNAL_ARRIVED", 60, 300, 12),
    Def("LIFECYCLE_STATE_CHANGE", 120, 600, 6),
    Def("POSTURE_CHANGE", 120, 600, 6),
    Def("TIME_RITUAL_DAILY_BRIEF", 0, 86400, 1),
    Def("TIME_RITUAL_WEEKLY_REVIEW", 0, 604800, 1),
    Def("TIME_RITUAL_RENEWAL_RUNWAY", 0, 86400, 2),
};

TriggerDef FromRow(const store::Row& r) {
  TriggerDef d;
  d.trigger_type = r.Text(0);
  d.enabled = r.Int(1) != 0;
  d.config = {r.Int(2), r.Int(3), r.Int(4)};
  d.source = "tenant";
  d.updated_at = r.Int(5);
  d.updated_by = r.Text(6);
  return d;
}

constexpr std::string_view kCols =
    "SELECT trigger_type, enabled, debounce_seconds, cooldown_seconds, max_per_hour, updated_at, "
    "updated_by FROM trigger_overrides ";

}  // namespace

const std::vector<TriggerDef>& DefaultTriggers() { return kDefaults; }

Status ValidateTriggerType(std::string_view type, std::string_view field) {
  bool ok = !type.empty() && type.size() <= 64 && type[0] >= 'A' && type[0] <= 'Z';
  for (char c : type) ok = ok && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
  if (!ok) {
    return Status::InvalidArgument(std::string(field) +
                                       " must be upper-case letters, digits and _ (at most 64), "
                                       "starting with a letter",
                                   std::string(field));
  }
  return Status::Ok();
}

Result<std::optional<TriggerDef>> ResolveTrigger(store::Txn& txn, std::string_view tenant_id,
                                                 std::string_view type) {
  STEWARD_ASSIGN_OR_RETURN(auto row, txn.QueryOne(std::string(kCols) +
                                                      "WHERE tenant_id = ? AND trigger_type = ?",
                                                  {std::string(tenant_id), std::string(type)}));
  if (row) return std::optional<TriggerDef>(FromRow(*row));
  for (const auto& d : kDefaults) {
    if (d.trigger_type == type) return std::optional<TriggerDef>(d);
  }
  return std::optional<TriggerDef>();
}

Result<std::vector<TriggerDef>> ListTriggers(store::Txn& txn, std::string_view tenant_id) {
  std::map<std::string, TriggerDef> all;
  for (const auto& d : kDefaults) all[d.trigger_type] = d;
  STEWARD_ASSIGN_OR_RETURN(auto rows, txn.Query(std::string(kCols) + "WHERE tenant_id = ?",
                                                {std::string(tenant_id)}));
  for (const auto& r : rows) {
    TriggerDef d = FromRow(r);
    all[d.trigger_type] = d;
  }
  std::vector<TriggerDef> out;
  for (auto& [k, v] : all) out.push_back(std::move(v));
  return out;
}

void TriggerToJson(const TriggerDef& t, Json* out) {
  *out = Json{{"trigger_type", t.trigger_type},
              {"enabled", t.enabled},
              {"debounce_seconds", t.config.debounce_seconds},
              {"cooldown_seconds", t.config.cooldown_seconds},
              {"max_per_hour", t.config.max_per_hour},
              {"source", t.source}};
  if (t.source == "tenant") {
    (*out)["updated_at"] = FormatTimestamp(t.updated_at);
    (*out)["updated_by"] = t.updated_by;
  }
}

}  // namespace steward::decision
