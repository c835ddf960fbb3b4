#include "audit/explanation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <vector>

#include "autonomy/gate.h"
#include "autonomy/intent.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/time_util.h"
#include "exec/execution.h"
#include "ledger/event_types.h"
#include "ledger/ledger.h"

namespace steward::audit {
namespace {

using autonomy::Intent;
using policy::Mode;
using policy::RiskLevel;

constexpr std::string_view kStepKillSwitches = "kill_switches";
constexpr std::string_view kStepAllowlist = "allowlist";
constexpr std::string_view kStepPolicy = "policy";
constexpr std::string_view kStepBudget = "budget";
constexpr std::string_view kCancelKillSwitch = "KILL_SWITCH";

// "0.70" for scores with at most two decimals, else up to four significant digits.
std::string Score(double v) {
  char buf[32];
  double cents = v * 100;
  std::snprintf(buf, sizeof(buf), std::fabs(cents - std::round(cents)) < 1e-9 ? "%.2f" : "%.4g", v);
  return buf;
}

std::string Plural(int64_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

const Json& Field(const Json& obj, const char* key) {
  static const Json kNull = nullptr;
  return obj.is_object() && obj.contains(key) ? obj[key] : kNull;
}
bool Bool(const Json& obj, const char* key, bool dflt) {
  const Json& v = Field(obj, key);
  return v.is_boolean() ? v.get<bool>() : dflt;
}
int64_t Int(const Json& obj, const char* key) {
  const Json& v = Field(obj, key);
  return v.is_number_integer() ? v.get<int64_t>() : 0;
}
std::string Text(const Json& obj, const char* key) {
  const Json& v = Field(obj, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

// What the gate recorded in POLICY_EVALUATED.inputs, step by step; steps it never reached are
// absent (has_* false / pin empty).
struct Recorded {
  std::string action_type;
  bool has_ks = false;
  bool emergency_stop = false, autonomy_enabled = true, execution_enabled = true;
  bool type_disabled = false;
  bool has_allowlist = false, allowlisted = false;
  std::string allowlist_source;
  std::optional<policy::PolicyInput> pin;
  bool has_budget = false, budget_configured = false;
  int64_t limit = 0, used = 0, type_used = 0;
  std::optional<int64_t> type_limit;
  std::string day;
};

Recorded ParseRecorded(const Json& inputs, std::string action_type) {
  Recorded r;
  r.action_type = std::move(action_type);
  if (const Json& ks = Field(inputs, "kill_switches"); ks.is_object()) {
    r.has_ks = true;
    r.emergency_stop = Bool(ks, "emergency_stop", false);
    r.autonomy_enabled = Bool(ks, "autonomy_enabled", true);
    r.execution_enabled = Bool(ks, "execution_enabled", true);
    r.type_disabled = Bool(ks, "action_type_disabled", false);
  }
  if (const Json& al = Field(inputs, "allowlist"); al.is_object()) {
    r.has_allowlist = true;
    r.allowlisted = Bool(al, "allowlisted", false);
    r.allowlist_source = Text(al, "source");
  }
  r.pin = RecordedPolicyInput(inputs);
  if (const Json& b = Field(inputs, "budget"); b.is_object()) {
    r.has_budget = true;
    r.budget_configured = Bool(b, "configured", false);
    r.limit = Int(b, "limit");
    r.used = Int(b, "used");
    r.type_used = Int(b, "type_used");
    if (Field(b, "type_limit").is_number_integer()) r.type_limit = Int(b, "type_limit");
    r.day = Text(b, "day");
  }
  return r;
}

bool AnyKillSwitch(const Recorded& r) {
  return r.emergency_stop || !r.autonomy_enabled || !r.execution_enabled || r.type_disabled;
}

// The gate's steps 4–7 replayed on recorded inputs.
struct Sim {
  std::string result;
  std::string reason;
  std::string explanation;
  std::vector<std::string_view> unchecked;
};

Sim Simulate(const Recorded& r) {
  const std::string require(autonomy::kResultRequireApproval);
  if (!r.has_ks) {
    return {std::string(kWouldNotDetermined),
            "",
            "",
            {kStepKillSwitches, kStepAllowlist, kStepPolicy, kStepBudget}};
  }
  if (AnyKillSwitch(r)) {
    return {require, std::string(autonomy::kReasonKillSwitch), "A kill switch is on.", {}};
  }
  if (!r.has_allowlist) {
    return {std::string(kWouldNotDetermined), "", "", {kStepAllowlist, kStepPolicy, kStepBudget}};
  }
  if (!r.allowlisted) {
    return {require,
            std::string(autonomy::kReasonNotAllowlisted),
            r.action_type + " is not on the allowlist.",
            {}};
  }
  if (!r.pin) return {std::string(kWouldNotDetermined), "", "", {kStepPolicy, kStepBudget}};
  policy::PolicyResult pr = policy::EvaluateAutoApprovalV1(*r.pin);
  if (pr.decision == policy::Decision::kBlock) {
    return {std::string(autonomy::kResultBlocked), pr.reason, pr.explanation, {}};
  }
  if (pr.decision == policy::Decision::kRequireApproval) {
    return {require, pr.reason, pr.explanation, {}};
  }
  const std::string auto_executed(autonomy::kResultAutoExecuted);
  if (!r.has_budget) return {auto_executed, pr.reason, pr.explanation, {kStepBudget}};
  if (!r.budget_configured) {
    return {require,
            std::string(autonomy::kReasonBudgetNotConfigured),
            "No autonomy budget is configured for this account.",
            {}};
  }
  if (r.used >= r.limit) {
    return {require,
            std::string(autonomy::kReasonBudgetExceeded),
            "Today's autonomy budget is used up.",
            {}};
  }
  if (r.type_limit && r.type_used >= *r.type_limit) {
    return {require,
            std::string(autonomy::kReasonBudgetExceeded),
            "Today's budget for " + r.action_type + " is used up.",
            {}};
  }
  return {auto_executed, pr.reason, pr.explanation, {}};
}

// Collects counterfactual items in the order they are added.
class Counterfactuals {
 public:
  using Mutation = std::function<void(Recorded*)>;
  Counterfactuals(const Recorded& base, std::string recorded_result)
      : base_(base), all_(base), recorded_(std::move(recorded_result)) {}

  // `change` applied to the recorded inputs, all else as recorded. A `cumulative` change also
  // goes into the "all together" variant (mutually exclusive alternatives must not).
  void Vary(std::string_view input, Json recorded, Json changed, const std::string& cond,
            const Mutation& change, bool cumulative = false, bool tenant_can_change = true) {
    Recorded v = base_;
    change(&v);
    Sim s = Simulate(v);
    std::string sentence;
    if (s.result == kWouldNotDetermined) {
      sentence = "Cannot tell what would happen if " + cond + ": the gate stopped before the " +
                 Join(s.unchecked) + " step, so those inputs were never recorded.";
    } else if (s.result == recorded_) {
      sentence = "Would still " + Verb(s.result) + " if " + cond + ": " + s.explanation;
    } else {
      sentence = "Would " + Verb(s.result) + " if " + cond + ".";
    }
    Push(input, std::move(recorded), std::move(changed), s.result, sentence, tenant_can_change,
         s.unchecked);
    flipped_ |= s.result == autonomy::kResultAutoExecuted;
    if (cumulative && tenant_can_change) {
      change(&all_);
      conds_.push_back(cond);
    }
  }

  void Fixed(std::string_view input, Json recorded, std::string_view would, std::string sentence,
             bool tenant_can_change) {
    Push(input, std::move(recorded), nullptr, would, std::move(sentence), tenant_can_change, {});
  }

  // When no single change flips the result but the cumulative ones together would.
  void Combine() {
    if (flipped_ || conds_.size() < 2) return;
    Sim s = Simulate(all_);
    if (s.result != autonomy::kResultAutoExecuted) return;
    std::string joined;
    for (const auto& c : conds_) joined += (joined.empty() ? "" : "; ") + c;
    Push("combined", nullptr, conds_, s.result,
         "Would auto-execute only if all of these changed together: " + joined + ".", true,
         s.unchecked);
  }

  Json TakeItems() { return std::move(items_); }

 private:
  static std::string Verb(std::string_view result) {
    if (result == autonomy::kResultAutoExecuted) return "auto-execute";
    if (result == autonomy::kResultBlocked) return "be blocked";
    return "require approval";
  }
  static std::string Join(const std::vector<std::string_view>& steps) {
    std::string s;
    for (auto step : steps) s += (s.empty() ? "" : ", ") + std::string(step);
    return s;
  }
  void Push(std::string_view input, Json recorded, Json changed, std::string_view would,
            std::string sentence, bool tenant_can_change,
            const std::vector<std::string_view>& unchecked) {
    Json change = {{"input", input},
                   {"recorded", std::move(recorded)},
                   {"counterfactual", std::move(changed)}};
    items_.push_back({{"change", std::move(change)},
                      {"would_result", would},
                      {"explanation", std::move(sentence)},
                      {"tenant_can_change", tenant_can_change},
                      {"unchecked_steps", unchecked}});
  }

  const Recorded& base_;
  Recorded all_;
  std::string recorded_;
  std::vector<std::string> conds_;
  bool flipped_ = false;
  Json items_ = Json::array();
};

Json KillSwitchJson(const Recorded& r) {
  return {{"emergency_stop", r.emergency_stop},
          {"autonomy_enabled", r.autonomy_enabled},
          {"execution_enabled", r.execution_enabled},
          {"action_type_disabled", r.type_disabled}};
}

std::string UsedOf(int64_t used, int64_t limit, const std::string& what) {
  return std::to_string(used) + " of " + std::to_string(limit) + " used on " + what;
}

// Gate stage, recorded result other than AUTO_EXECUTED: what would have changed it.
void ChangeItems(const Recorded& r, Counterfactuals* cf) {
  if (r.has_ks && AnyKillSwitch(r)) {
    Recorded off = r;
    off.emergency_stop = off.type_disabled = false;
    off.autonomy_enabled = off.execution_enabled = true;
    cf->Vary(
        kStepKillSwitches, KillSwitchJson(r), KillSwitchJson(off), "the kill switch were off",
        [&](Recorded* x) { *x = off; }, true, !r.emergency_stop);
  }
  if (r.has_allowlist && !r.allowlisted) {
    std::string where = r.allowlist_source == "account"  ? "the account's allowlist"
                        : r.allowlist_source == "tenant" ? "the tenant's allowlist"
                                                         : "an allowlist (none was configured)";
    cf->Vary(
        kStepAllowlist, {{"allowlisted", false}, {"source", r.allowlist_source}},
        {{"allowlisted", true}}, r.action_type + " were on " + where,
        [](Recorded* x) { x->allowlisted = true; }, true);
  }
  if (r.pin) {
    const policy::PolicyInput& p = *r.pin;
    const std::string mode(policy::ModeName(p.mode));
    if (p.mode != Mode::kAutoExecute) {
      cf->Vary(
          "mode", mode, "AUTO_EXECUTE",
          "the account's mode were AUTO_EXECUTE (it was " + mode + ")",
          [](Recorded* x) { x->pin->mode = Mode::kAutoExecute; }, true);
    }
    if (p.mode == Mode::kDisabled) {
      cf->Vary("mode", mode, "APPROVAL_REQUIRED",
               "the account's mode were APPROVAL_REQUIRED (it was DISABLED)",
               [](Recorded* x) { x->pin->mode = Mode::kApprovalRequired; });
    }
    if (p.external_contact) {
      cf->Fixed("external_contact", true, autonomy::kResultRequireApproval,
                "Never auto-executes: external contact. " + r.action_type +
                    " reaches someone outside the company, so a person always decides.",
                false);
    }
    const std::string registry_risk(policy::RiskLevelName(p.registry_risk));
    if (p.registry_risk >= RiskLevel::kMedium) {
      cf->Fixed("registry_risk_class", registry_risk, autonomy::kResultRequireApproval,
                "Never auto-executes: risk " + registry_risk +
                    " from the registry. Only MINIMAL and LOW risk actions may run autonomously.",
                false);
    } else if (p.intent_risk && *p.intent_risk >= RiskLevel::kMedium) {
      const std::string risk(policy::RiskLevelName(*p.intent_risk));
      cf->Vary(
          "intent_risk_level", risk, "LOW",
          "the intent's risk level were LOW or lower (it was " + risk + ")",
          [](Recorded* x) { x->pin->intent_risk = RiskLevel::kLow; }, true);
    }
    const double threshold = std::max(p.tenant_threshold, p.registry_min_confidence);
    const double conf = p.confidence.value_or(0.0);
    if (conf < threshold) {
      const std::string was = p.confidence ? Score(conf) : std::string("missing");
      cf->Vary(
          "confidence_score", p.confidence ? Json(conf) : Json(nullptr), threshold,
          "the confidence were at least " + Score(threshold) + " (it was " + was + ")",
          [threshold](Recorded* x) { x->pin->confidence = threshold; }, true);
      if (p.tenant_threshold > p.registry_min_confidence && conf >= p.registry_min_confidence) {
        cf->Vary("tenant_threshold", p.tenant_threshold, conf,
                 "the tenant's confidence threshold were at most " + Score(conf) + " (it was " +
                     Score(p.tenant_threshold) + ")",
                 [conf](Recorded* x) { x->pin->tenant_threshold = conf; });
      }
    }
  }
  if (r.has_budget && !r.budget_configured) {
    cf->Vary(
        kStepBudget, {{"configured", false}}, {{"configured", true}},
        "an autonomy budget were configured for this account",
        [](Recorded* x) {
          x->budget_configured = true;
          x->limit = x->used + 1;
          x->type_limit.reset();
        },
        true);
  } else if (r.has_budget) {
    if (r.used >= r.limit) {
      cf->Vary(
          kStepBudget, {{"limit", r.limit}, {"used", r.used}},
          {{"limit", r.used + 1}, {"used", r.used}},
          Plural(r.used - r.limit + 1, "more budget unit") + " remained (" +
              UsedOf(r.used, r.limit, r.day) + ")",
          [](Recorded* x) { x->limit = x->used + 1; }, true);
    }
    if (r.type_limit && r.type_used >= *r.type_limit) {
      cf->Vary(
          "budget_action_type", {{"type_limit", *r.type_limit}, {"type_used", r.type_used}},
          {{"type_limit", r.type_used + 1}, {"type_used", r.type_used}},
          Plural(r.type_used - *r.type_limit + 1, "more " + r.action_type + " budget unit") +
              " remained (" + UsedOf(r.type_used, *r.type_limit, r.day) + ")",
          [](Recorded* x) { x->type_limit = x->type_used + 1; }, true);
    }
  }
  cf->Combine();
}

// Gate stage, recorded AUTO_EXECUTED: what would have stopped it.
void StopItems(const Recorded& r, Counterfactuals* cf) {
  if (r.has_ks) {
    Recorded on = r;
    on.autonomy_enabled = false;
    cf->Vary(kStepKillSwitches, KillSwitchJson(r), KillSwitchJson(on), "a kill switch were on",
             [&](Recorded* x) { *x = on; });
  }
  if (r.has_allowlist) {
    cf->Vary(kStepAllowlist, {{"allowlisted", true}}, {{"allowlisted", false}},
             r.action_type + " were not on the allowlist",
             [](Recorded* x) { x->allowlisted = false; });
  }
  if (!r.pin) return;
  const policy::PolicyInput& p = *r.pin;
  cf->Vary("mode", "AUTO_EXECUTE", "APPROVAL_REQUIRED",
           "the account's mode were APPROVAL_REQUIRED or PROPOSE_ONLY",
           [](Recorded* x) { x->pin->mode = Mode::kApprovalRequired; });
  cf->Vary("mode", "AUTO_EXECUTE", "DISABLED", "the account's mode were DISABLED",
           [](Recorded* x) { x->pin->mode = Mode::kDisabled; });
  const policy::PolicyResult pr = policy::EvaluateAutoApprovalV1(p);
  if (pr.effective_risk < RiskLevel::kMedium) {
    Json was = p.intent_risk ? Json(policy::RiskLevelName(*p.intent_risk)) : Json(nullptr);
    cf->Vary("intent_risk_level", was, "MEDIUM", "the intent's risk level were MEDIUM or higher",
             [](Recorded* x) { x->pin->intent_risk = RiskLevel::kMedium; });
  }
  if (pr.effective_threshold > 0) {
    const double below = std::nextafter(pr.effective_threshold, -1.0);
    cf->Vary("confidence_score", p.confidence.value_or(0.0), below,
             "the confidence were below " + Score(pr.effective_threshold) + " (it was " +
                 Score(p.confidence.value_or(0.0)) + ")",
             [below](Recorded* x) { x->pin->confidence = below; });
  }
  if (r.has_budget && r.budget_configured) {
    cf->Vary(kStepBudget, {{"limit", r.limit}, {"used", r.used}},
             {{"limit", r.limit}, {"used", r.limit}},
             "the daily budget had been used up (" + std::to_string(r.limit - r.used) + " of " +
                 std::to_string(r.limit) + " remained before this action)",
             [](Recorded* x) { x->used = x->limit; });
  }
}

// Execution stage: what ended an approved (or waiting) intent after the gate.
void ExecutionItems(const Intent& in, const std::vector<ledger::Entry>& entries,
                    const std::vector<Json>& data, const exec::Outcome* outcome,
                    Counterfactuals* cf) {
  const bool policy_approved = in.approval && in.approval->source == "POLICY";
  for (size_t i = 0; i < entries.size(); ++i) {
    const ledger::Entry& e = entries[i];
    const Json& d = data[i];
    if (e.event_type == ledger::kExecutionCancelled && Text(d, "reason") == kCancelKillSwitch &&
        in.status == autonomy::kStatusCancelled) {
      cf->Fixed("kill_switches_at_execution", d, kWouldExecute,
                policy_approved
                    ? "Would auto-execute if the kill switch were off: the gate approved it, and "
                      "a kill switch cancelled it just before it ran."
                    : "Would execute if the kill switch were off: a person approved it, and a "
                      "kill switch cancelled it just before it ran.",
                !Bool(d, "emergency_stop", false));
    }
    if (e.event_type == ledger::kExecutionExpired && in.status == autonomy::kStatusExpired) {
      std::string at = in.expires_at ? FormatTimestamp(*in.expires_at) : FormatTimestamp(e.ts_ms);
      cf->Fixed("expires_at", at, kWouldExecute,
                in.approval
                    ? "Would have run if the execution had started before it expired at " + at + "."
                    : "Would have run if someone had approved it before it expired at " + at + ".",
                true);
    }
  }
  if (!outcome || outcome->status != exec::kOutcomeFailed) return;
  Json rec = {{"error_code", outcome->error_code}, {"error_class", outcome->error_class}};
  if (outcome->error_code == "CONNECTOR_NOT_CONFIGURED") {
    cf->Fixed("connector", rec, kWouldExecute,
              "Would have been sent if a connector for " + in.action_type + " were configured (" +
                  outcome->error_message + ").",
              true);
  } else if (outcome->error_code == "MISSING_PARAMETER") {
    cf->Fixed(
        "parameters", rec, kWouldExecute,
        "Would have been sent if the parameters were complete (" + outcome->error_message + ").",
        true);
  } else if (outcome->error_class == "TIMEOUT" || outcome->error_class == "RATE_LIMIT" ||
             outcome->error_class == "DOWNSTREAM") {
    cf->Fixed("execution_policy.max_attempts", in.execution_policy.max_attempts,
              kWouldNotDetermined,
              "Might have succeeded with more attempts: it failed " +
                  Plural(outcome->attempt_count, "time") + " with " + outcome->error_class + ".",
              true);
  }
}

}  // namespace

std::optional<policy::PolicyInput> RecordedPolicyInput(const Json& inputs) {
  const Json& p = Field(inputs, "policy_input");
  if (!p.is_object()) return std::nullopt;
  auto mode = policy::ParseMode(Text(p, "mode"));
  auto registry_risk = policy::ParseRiskLevel(Text(p, "registry_risk_class"));
  if (!mode || !registry_risk) return std::nullopt;
  policy::PolicyInput in;
  in.mode = *mode;
  in.registry_risk = *registry_risk;
  if (Field(p, "intent_risk_level").is_string()) {
    in.intent_risk = policy::ParseRiskLevel(Text(p, "intent_risk_level"));
  }
  in.external_contact = Bool(p, "external_contact", false);
  if (Field(p, "confidence_score").is_number()) in.confidence = p["confidence_score"].get<double>();
  if (Field(p, "tenant_threshold").is_number()) {
    in.tenant_threshold = p["tenant_threshold"].get<double>();
  }
  if (Field(p, "registry_min_confidence").is_number()) {
    in.registry_min_confidence = p["registry_min_confidence"].get<double>();
  }
  return in;
}

bool IsRefusalReason(std::string_view reason) {
  return reason == autonomy::kReasonIntentNotPending || reason == autonomy::kReasonIntentExpired;
}

namespace {

// The intent's ledger entries with their data parsed, and the positions of the ones that matter.
struct Loaded {
  Loaded(const Intent& i, const std::vector<ledger::Entry>& e) : in(i), entries(e) {}
  const Intent& in;
  const std::vector<ledger::Entry>& entries;
  std::vector<Json> data;
  int decisive = -1, evaluations = 0;
  int created = -1, edited = -1, rejected = -1, cancelled = -1, expired = -1;
  const exec::Outcome* first = nullptr;

  const Json& At(int i) const {
    static const Json kEmpty = Json::object();
    return i >= 0 ? data[i] : kEmpty;
  }
  std::string When(int i) const { return FormatTimestamp(entries[i].ts_ms); }
};

Json Timeline(Loaded* l) {
  Json timeline = Json::array();
  int any_eval = -1;
  for (size_t i = 0; i < l->entries.size(); ++i) {
    const ledger::Entry& e = l->entries[i];
    auto parsed = ParseJson(e.data_json);
    l->data.push_back(parsed.ok() ? *parsed : Json::object());
    timeline.push_back({{"seq", e.seq},
                        {"event_type", e.event_type},
                        {"timestamp", FormatTimestamp(e.ts_ms)},
                        {"actor", e.actor},
                        {"data", l->data.back()}});
    const int k = static_cast<int>(i);
    if (e.event_type == ledger::kPolicyEvaluated) {
      ++l->evaluations;
      any_eval = k;
      if (!IsRefusalReason(Text(l->data.back(), "reason"))) l->decisive = k;
    }
    if (e.event_type == ledger::kIntentCreated) l->created = k;
    if (e.event_type == ledger::kActionEdited) l->edited = k;
    if (e.event_type == ledger::kActionRejected) l->rejected = k;
    if (e.event_type == ledger::kExecutionCancelled) l->cancelled = k;
    if (e.event_type == ledger::kExecutionExpired) l->expired = k;
  }
  if (l->decisive < 0) l->decisive = any_eval;
  return timeline;
}

std::string ExecutionStatus(const Intent& in, const exec::Outcome* outcome) {
  if (outcome) return outcome->status;
  if (in.status == autonomy::kStatusExecuting) return "RUNNING";
  if (in.status == autonomy::kStatusApproved) return "PENDING";
  return "";
}

// The path (see explanation.h) and a sentence saying it.
std::pair<std::string_view, std::string> PathOf(const Loaded& l, const Json& gate,
                                                const std::string& exec_status) {
  const Intent& in = l.in;
  const std::string& st = in.status;
  const std::string gate_reason = Text(gate, "reason"), gate_why = Text(gate, "explanation");
  const std::string ran = exec_status == exec::kOutcomeSucceeded ? "; it ran and succeeded."
                          : exec_status == "RUNNING"             ? "; it is running."
                                                                 : "; it is queued to run.";
  if (st == autonomy::kStatusCancelled) {
    const Json& c = l.At(l.cancelled);
    if (Text(c, "reason") == kCancelKillSwitch) {
      return {kPathCancelled, "It was cancelled just before it ran. " + Text(c, "explanation")};
    }
    const std::string by = l.cancelled >= 0 ? l.entries[l.cancelled].actor : "someone";
    return {kPathCancelled, by + " cancelled it before it ran."};
  }
  if (st == autonomy::kStatusExpired) {
    return {kPathExpired,
            std::string("It expired before it ") + (in.approval ? "could run." : "was decided.")};
  }
  if (st == autonomy::kStatusRejected) {
    const Json& r = l.At(l.rejected);
    return {kPathRejected, Text(r, "rejected_by") + " rejected it: " + Text(r, "reason")};
  }
  if (st == autonomy::kStatusBlocked) {
    return {kPathBlocked, "The policy blocked it, so it never runs. " + gate_why};
  }
  if (st == autonomy::kStatusFailed) {
    const std::string source = in.approval ? in.approval->source : "unknown";
    const std::string error =
        l.first ? ": " + l.first->error_code + " (" + l.first->error_class + ")." : ".";
    return {kPathFailed, "It was approved (" + source + ") but the execution failed" + error};
  }
  if (in.approval && in.approval->source == "POLICY") {
    return {kPathPolicyAutoExecuted, "The auto-approval gate approved it without a person" + ran};
  }
  if (in.approval && !in.approval->edited_fields.empty()) {
    std::string fields;
    for (const auto& f : in.approval->edited_fields) fields += (fields.empty() ? "" : ", ") + f;
    return {kPathHumanEdited, in.approval->by + " approved it after editing " + fields + ran};
  }
  if (in.approval) return {kPathHumanApproved, in.approval->by + " approved it unchanged" + ran};
  if (gate.is_object() && (gate_reason == autonomy::kReasonBudgetExceeded ||
                           gate_reason == autonomy::kReasonBudgetNotConfigured)) {
    return {
        kPathBudgetDenied,
        "The autonomy budget kept it from running on its own; it waits for a person. " + gate_why};
  }
  if (gate.is_object())
    return {kPathRequiresApproval, "It waits for a person's approval. " + gate_why};
  return {kPathNotGated,
          "The auto-approval gate has not evaluated it, and nobody has decided on it yet."};
}

Json Why(const Loaded& l, const Json& eval) {
  const Intent& in = l.in;
  Json gate = nullptr;
  if (in.gate) {
    autonomy::GateDecisionToJson(*in.gate, &gate);
    gate.erase("policy_version");
    gate.erase("policy_clause");
  } else if (l.decisive >= 0) {
    gate = {{"result", Text(eval, "result")},
            {"reason", Text(eval, "reason")},
            {"explanation", Text(eval, "explanation")},
            {"decided_at", l.When(l.decisive)}};
  }
  if (gate.is_object()) {
    gate["policy_decision"] = Field(eval, "policy_decision");
    gate["evaluations"] = l.evaluations;
  }
  const std::string exec_status = ExecutionStatus(in, l.first);
  auto [path, sentence] = PathOf(l, gate, exec_status);
  Json why = {{"path", path},
              {"path_explanation", sentence},
              {"gated", gate.is_object()},
              {"gate", gate},
              {"edited_fields", Json::array()}};
  for (const char* k :
       {"execution_status", "approval_source", "approved_by", "approved_at", "comment",
        "rejected_by", "rejection_reason", "rejected_at", "cancellation", "expiry"}) {
    why[k] = nullptr;
  }
  if (!exec_status.empty()) why["execution_status"] = exec_status;
  if (in.approval) {
    why["approval_source"] = in.approval->source;
    why["approved_by"] = in.approval->by;
    why["approved_at"] = FormatTimestamp(in.approval->at);
    why["edited_fields"] = in.approval->edited_fields;
    if (!in.approval->comment.empty()) why["comment"] = in.approval->comment;
  }
  if (l.rejected >= 0) {
    why["rejected_by"] = Field(l.At(l.rejected), "rejected_by");
    why["rejection_reason"] = Field(l.At(l.rejected), "reason");
    why["rejected_at"] = l.When(l.rejected);
  }
  if (in.status == autonomy::kStatusCancelled && l.cancelled >= 0) {
    const Json& c = l.At(l.cancelled);
    Json j = {
        {"reason", Text(c, "reason")},
        {"explanation", c.contains("explanation") ? c["explanation"] : Field(c, "comment")},
        {"by", c.contains("cancelled_by") ? c["cancelled_by"] : Json(l.entries[l.cancelled].actor)},
        {"at", l.When(l.cancelled)}};
    if (Field(c, "execution_enabled").is_boolean()) {
      j["kill_switches"] = {{"emergency_stop", Bool(c, "emergency_stop", false)},
                            {"autonomy_enabled", Bool(c, "autonomy_enabled", true)},
                            {"execution_enabled", Bool(c, "execution_enabled", true)},
                            {"action_type_disabled", Bool(c, "action_type_disabled", false)}};
    }
    why["cancellation"] = std::move(j);
  }
  if (in.status == autonomy::kStatusExpired) {
    why["expiry"] = {
        {"expires_at", in.expires_at ? Json(FormatTimestamp(*in.expires_at)) : Json(nullptr)},
        {"expired_at", l.expired >= 0 ? Json(l.When(l.expired)) : Json(nullptr)},
        {"previous_status", Field(l.At(l.expired), "previous_status")}};
  }
  return why;
}

Json WhatItKnew(const Loaded& l, const Json& inputs) {
  const Intent& in = l.in;
  const Json& pin = Field(inputs, "policy_input");
  Json steps = Json::array();
  for (const char* step : {"kill_switches", "allowlist", "policy_input", "budget"}) {
    if (Field(inputs, step).is_object()) steps.push_back(step);
  }
  auto parsed = [](const std::string& text) {
    auto j = ParseJson(text);
    return j.ok() ? *j : Json::object();
  };
  auto opt = [](const auto& v) { return v ? Json(*v) : Json(nullptr); };
  Json knew = {{"evaluated_at", l.decisive >= 0 ? Json(l.When(l.decisive)) : Json(nullptr)},
               {"intent_status_at_evaluation", Field(inputs, "intent_status")},
               {"action_type", in.action_type},
               {"registry_version", in.registry_version},
               {"confidence_score", opt(in.confidence_score)},
               {"risk_level", opt(in.risk_level)},
               {"mode", nullptr},
               {"confidence_threshold", nullptr},
               {"allowlist", Field(inputs, "allowlist")},
               {"budget", Field(inputs, "budget")},
               {"kill_switches", Field(inputs, "kill_switches")},
               {"recorded_steps", std::move(steps)},
               {"parameters", parsed(in.parameters_json)},
               {"original_parameters", nullptr},
               {"edits", Json::array()},
               {"target", parsed(in.target_json)}};
  for (const char* k : {"registry_risk_class", "effective_risk", "external_contact"}) {
    knew[k] = Field(pin, k);
  }
  if (pin.is_object()) {
    knew["confidence_score"] = Field(pin, "confidence_score");
    knew["risk_level"] = Field(pin, "intent_risk_level");
    knew["mode"] = {{"mode", Field(pin, "mode")}, {"source", Field(pin, "mode_source")}};
    knew["confidence_threshold"] = {{"tenant", Field(pin, "tenant_threshold")},
                                    {"registry_min", Field(pin, "registry_min_confidence")},
                                    {"effective", Field(pin, "effective_threshold")}};
  }
  if (l.edited >= 0) {
    knew["original_parameters"] = Field(l.At(l.created), "parameters");
    if (Field(l.At(l.edited), "changes").is_array()) knew["edits"] = l.At(l.edited)["changes"];
  }
  return knew;
}

Json Counterfactual(const Loaded& l, const Json& eval) {
  const std::string recorded_result = Text(eval, "result");
  Recorded rec = ParseRecorded(Field(eval, "inputs"), l.in.action_type);
  Counterfactuals cf(rec, recorded_result);
  ExecutionItems(l.in, l.entries, l.data, l.first, &cf);
  Json out = {{"available", false},
              {"recorded_result", l.decisive >= 0 ? Json(recorded_result) : Json(nullptr)},
              {"replayed_result", nullptr},
              {"replay_matches", nullptr}};
  if (l.decisive < 0) {
    out["explanation"] =
        "The gate never evaluated this intent, so there are no recorded inputs "
        "to replay.";
  } else if (IsRefusalReason(Text(eval, "reason"))) {
    out["explanation"] = "The gate refused to decide (" + Text(eval, "reason") +
                         "), so no policy inputs were recorded.";
  } else {
    if (recorded_result == autonomy::kResultAutoExecuted) {
      StopItems(rec, &cf);
    } else {
      ChangeItems(rec, &cf);
    }
    const Sim replay = Simulate(rec);
    out["available"] = true;
    out["explanation"] = "Recomputed with " + std::string(policy::kPolicyVersion) +
                         " and the gate's step order from the inputs recorded at " +
                         l.When(l.decisive) + ", changing one input at a time.";
    out["replayed_result"] = replay.result;
    out["replay_matches"] = replay.result == recorded_result;
  }
  out["items"] = cf.TakeItems();
  return out;
}

void Build(const Intent& in, const std::vector<ledger::Entry>& entries,
           const std::vector<exec::Outcome>& outcomes, Json* out) {
  Loaded l(in, entries);
  Json timeline = Timeline(&l);
  for (const auto& o : outcomes) {
    if (o.execution_no == 1) l.first = &o;
  }
  const Json& eval = l.At(l.decisive);
  Json which = nullptr;
  if (in.gate || l.decisive >= 0) {
    which = {
        {"policy_version", in.gate ? Json(in.gate->policy_version) : Field(eval, "policy_version")},
        {"policy_clause", in.gate ? Json(in.gate->policy_clause) : Field(eval, "policy_clause")},
        {"policy_decision", Field(eval, "policy_decision")}};
  }
  Json outcome = nullptr;
  if (l.first) exec::OutcomeToJson(*l.first, &outcome);
  *out = Json{{"action_intent_id", in.action_intent_id},
              {"account_id", in.account_id},
              {"action_type", in.action_type},
              {"status", in.status},
              {"why", Why(l, eval)},
              {"what_it_knew", WhatItKnew(l, Field(eval, "inputs"))},
              {"which_policy", std::move(which)},
              {"outcome", std::move(outcome)},
              {"timeline", std::move(timeline)},
              {"counterfactual", Counterfactual(l, eval)}};
}

}  // namespace

Status Explanation::Explain(const Actor& actor, std::string_view id, std::string_view account,
                            Json* out) {
  STEWARD_RETURN_IF_ERROR(ValidateId(id, "action_intent_id"));
  if (!account.empty()) STEWARD_RETURN_IF_ERROR(ValidateId(account, "account_id"));
  return store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto intent, autonomy::LoadIntent(txn, actor.tenant_id, id));
    if (!intent || (!account.empty() && intent->account_id != account)) {
      return Status::NotFound("intent " + std::string(id) + " not found");
    }
    STEWARD_ASSIGN_OR_RETURN(auto entries, ledger::ForIntent(txn, actor.tenant_id, id));
    STEWARD_ASSIGN_OR_RETURN(auto outcomes, exec::LoadOutcomes(txn, actor.tenant_id, id));
    Build(*intent, entries, outcomes, out);
    return Status::Ok();
  });
}

}  // namespace steward::audit
