#include "audit/insights.h"

#include <map>
#include <utility>
#include <vector>

#include "audit/explanation.h"
#include "autonomy/gate.h"
#include "autonomy/intent.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/time_util.h"
#include "ledger/event_types.h"
#include "policy/auto_approval_policy.h"

namespace steward::audit {
namespace {

struct Tally {
  int64_t proposed = 0, auto_executed = 0, approved_unchanged = 0, edited = 0, rejected = 0,
          failed = 0, approval_routed = 0, would_auto_execute = 0;

  void Add(const Tally& o) {
    proposed += o.proposed;
    auto_executed += o.auto_executed;
    approved_unchanged += o.approved_unchanged;
    edited += o.edited;
    rejected += o.rejected;
    failed += o.failed;
    approval_routed += o.approval_routed;
    would_auto_execute += o.would_auto_execute;
  }
};

using Key = std::pair<std::string, std::string>;  // (action_type, account_id)

constexpr std::string_view kStatuses[] = {
    autonomy::kStatusProposed,  autonomy::kStatusAwaitingApproval, autonomy::kStatusApproved,
    autonomy::kStatusExecuting, autonomy::kStatusSucceeded,        autonomy::kStatusFailed,
    autonomy::kStatusBlocked,   autonomy::kStatusRejected,         autonomy::kStatusCancelled,
    autonomy::kStatusExpired};

void CountIntent(const autonomy::Intent& in, Tally* t) {
  ++t->proposed;
  if (in.approval && in.approval->source == "POLICY") ++t->auto_executed;
  if (in.approval && in.approval->source == "HUMAN") {
    if (in.approval->edited_fields.empty()) {
      ++t->approved_unchanged;
    } else {
      ++t->edited;
    }
  }
  if (in.status == autonomy::kStatusRejected) ++t->rejected;
  if (in.status == autonomy::kStatusFailed) ++t->failed;
  if (in.gate && in.gate->result == autonomy::kResultRequireApproval) ++t->approval_routed;
}

// For the approval-routed intents of one page: replays each one's decisive recorded policy
// input with mode AUTO_EXECUTE and counts those the policy would have auto-executed.
Status CountWouldAutoExecute(store::Txn& txn, std::string_view tenant,
                             const std::vector<const autonomy::Intent*>& routed,
                             std::map<Key, Tally>* tallies) {
  if (routed.empty()) return Status::Ok();
  std::string sql =
      "SELECT action_intent_id, data FROM ledger WHERE tenant_id = ? AND event_type = ? AND "
      "action_intent_id IN (";
  std::vector<store::Value> params = {std::string(tenant), std::string(ledger::kPolicyEvaluated)};
  for (size_t i = 0; i < routed.size(); ++i) {
    sql += i ? ", ?" : "?";
    params.emplace_back(routed[i]->action_intent_id);
  }
  sql += ") ORDER BY action_intent_id, seq";
  std::map<std::string, Json> decisive;  // id → data of its last deciding evaluation
  STEWARD_RETURN_IF_ERROR(txn.ForEach(sql, params, [&](const store::Row& r) {
    auto data = ParseJson(r.Text(1));
    const Json* reason =
        data.ok() && data->is_object() && data->contains("reason") ? &(*data)["reason"] : nullptr;
    if (reason && reason->is_string() && !IsRefusalReason(reason->get<std::string>())) {
      decisive[r.Text(0)] = std::move(*data);
    }
    return true;
  }));
  for (const autonomy::Intent* in : routed) {
    auto it = decisive.find(in->action_intent_id);
    if (it == decisive.end() || !it->second.contains("inputs")) continue;
    auto pin = RecordedPolicyInput(it->second["inputs"]);
    if (!pin) continue;
    pin->mode = policy::Mode::kAutoExecute;
    if (policy::EvaluateAutoApprovalV1(*pin).decision == policy::Decision::kAutoExecute) {
      ++(*tallies)[{in->action_type, in->account_id}].would_auto_execute;
    }
  }
  return Status::Ok();
}

Json Recommendation(const Key& key, const Tally& t, int days) {
  if (t.proposed < kRecommendationMinProposed) return nullptr;
  const std::string where = key.first + " on account " + key.second;
  const std::string window = " in the last " + std::to_string(days) + " days";
  const int64_t bad = t.rejected + t.edited + t.failed;
  if (bad == 0 && t.would_auto_execute > 0) {
    return {{"code", "CONSIDER_AUTO_EXECUTE"},
            {"text", "Consider AUTO_EXECUTE for " + where + ": " + std::to_string(t.proposed) +
                         " proposed" + window +
                         ", none rejected, edited or failed; the policy "
                         "would have auto-executed " +
                         std::to_string(t.would_auto_execute) + " of the " +
                         std::to_string(t.approval_routed) + " that waited for approval."}};
  }
  if (t.auto_executed > 0 && bad * 5 >= t.proposed) {
    return {{"code", "REVIEW_AUTONOMY"},
            {"text", "Review autonomy for " + where + ": " + std::to_string(bad) + " of " +
                         std::to_string(t.proposed) + " proposed" + window +
                         " were rejected, edited or failed while " +
                         std::to_string(t.auto_executed) + " ran autonomously."}};
  }
  return nullptr;
}

Json TallyJson(const Tally& t) {
  return {{"proposed", t.proposed},
          {"auto_executed", t.auto_executed},
          {"approved_unchanged", t.approved_unchanged},
          {"edited", t.edited},
          {"rejected", t.rejected},
          {"failed", t.failed},
          {"approval_routed", t.approval_routed},
          {"would_auto_execute", t.would_auto_execute}};
}

}  // namespace

Status Insights::Get(const autonomy::Actor& actor, std::string_view action_type, int days,
                     Json* out) {
  if (!action_type.empty()) STEWARD_RETURN_IF_ERROR(ValidateId(action_type, "action_type"));
  if (days < 1 || days > kMaxInsightDays) {
    return Status::InvalidArgument("days must be between 1 and 90", "days");
  }
  const int64_t now = clock_->NowMs();
  const int64_t since = now - int64_t{days} * kMsPerDay;
  return store_->Read([&](store::Txn& txn) -> Status {
    std::map<Key, Tally> tallies;
    // One status at a time, so each page walks the (tenant, status, created_at) index newest
    // first and the walk ends at the window's start instead of sorting the tenant's intents.
    for (std::string_view status : kStatuses) {
      autonomy::IntentFilter f;
      f.action_type = std::string(action_type);
      f.status = std::string(status);
      f.limit = kInsightsPage;
      bool done = false;
      while (!done) {
        std::vector<autonomy::Intent> page;
        std::string next;
        STEWARD_RETURN_IF_ERROR(autonomy::ListIntents(txn, actor.tenant_id, f, &page, &next));
        std::vector<const autonomy::Intent*> routed;
        for (const auto& in : page) {
          if (in.created_at < since) {
            done = true;
            break;
          }
          CountIntent(in, &tallies[{in.action_type, in.account_id}]);
          if (in.gate && in.gate->result == autonomy::kResultRequireApproval) {
            routed.push_back(&in);
          }
        }
        STEWARD_RETURN_IF_ERROR(CountWouldAutoExecute(txn, actor.tenant_id, routed, &tallies));
        if (next.empty()) break;
        f.cursor = next;
      }
    }
    Json items = Json::array();
    Tally totals;
    for (const auto& [key, t] : tallies) {
      Json item = TallyJson(t);
      item["action_type"] = key.first;
      item["account_id"] = key.second;
      item["recommendation"] = Recommendation(key, t, days);
      items.push_back(std::move(item));
      totals.Add(t);
    }
    *out = Json{{"days", days},
                {"from", FormatTimestamp(since)},
                {"to", FormatTimestamp(now)},
                {"action_type", action_type.empty() ? Json(nullptr) : Json(action_type)},
                {"items", std::move(items)},
                {"totals", TallyJson(totals)}};
    return Status::Ok();
  });
}

}  // namespace steward::audit
