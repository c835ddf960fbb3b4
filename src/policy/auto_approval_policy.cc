#include "policy/auto_approval_policy.h"

#include <algorithm>
#include <cstdio>

namespace steward::policy {
namespace {

std::string Fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.4g", v);
  return buf;
}

PolicyResult Make(Decision d, std::string_view reason, std::string explanation,
                  std::string_view clause, RiskLevel risk, double threshold) {
  PolicyResult r;
  r.decision = d;
  r.reason = std::string(reason);
  r.explanation = std::move(explanation);
  r.policy_clause = std::string(clause);
  r.effective_risk = risk;
  r.effective_threshold = threshold;
  return r;
}

}  // namespace

std::optional<Mode> ParseMode(std::string_view s) {
  if (s == "PROPOSE_ONLY") return Mode::kProposeOnly;
  if (s == "APPROVAL_REQUIRED") return Mode::kApprovalRequired;
  if (s == "AUTO_EXECUTE") return Mode::kAutoExecute;
  if (s == "DISABLED") return Mode::kDisabled;
  return std::nullopt;
}

std::string_view ModeName(Mode m) {
  switch (m) {
    case Mode::kProposeOnly: return "PROPOSE_ONLY";
    case Mode::kApprovalRequired: return "APPROVAL_REQUIRED";
    case Mode::kAutoExecute: return "AUTO_EXECUTE";
    case Mode::kDisabled: return "DISABLED";
  }
  return "APPROVAL_REQUIRED";
}

std::optional<RiskLevel> ParseRiskLevel(std::string_view s) {
  if (s == "MINIMAL") return RiskLevel::kMinimal;
  if (s == "LOW") return RiskLevel::kLow;
  if (s == "MEDIUM") return RiskLevel::kMedium;
  if (s == "HIGH") return RiskLevel::kHigh;
  return std::nullopt;
}

std::string_view RiskLevelName(RiskLevel r) {
  switch (r) {
    case RiskLevel::kMinimal: return "MINIMAL";
    case RiskLevel::kLow: return "LOW";
    case RiskLevel::kMedium: return "MEDIUM";
    case RiskLevel::kHigh: return "HIGH";
  }
  return "HIGH";
}

std::string_view DecisionName(Decision d) {
  switch (d) {
    case Decision::kAutoExecute: return "AUTO_EXECUTE";
    case Decision::kRequireApproval: return "REQUIRE_APPROVAL";
    case Decision::kBlock: return "BLOCK";
  }
  return "REQUIRE_APPROVAL";
}

PolicyResult EvaluateAutoApprovalV1(const PolicyInput& in) {
  RiskLevel risk = in.registry_risk;
  if (in.intent_risk && *in.intent_risk > risk) risk = *in.intent_risk;
  double threshold = std::max(in.tenant_threshold, in.registry_min_confidence);
  double confidence = in.confidence.value_or(0.0);

  switch (in.mode) {
    case Mode::kDisabled:
      return Make(Decision::kBlock, kReasonActionTypeDisabled,
                  "This action type is disabled for this tenant or account, so it never runs.",
                  "V1.1 mode=DISABLED", risk, threshold);
    case Mode::kProposeOnly:
      return Make(Decision::kRequireApproval, kReasonProposeOnly,
                  "The autonomy mode is PROPOSE_ONLY: the agent may only propose; a person decides.",
                  "V1.2 mode=PROPOSE_ONLY", risk, threshold);
    case Mode::kApprovalRequired:
      return Make(Decision::kRequireApproval, kReasonTenantPolicy,
                  "The autonomy mode is APPROVAL_REQUIRED: every action of this type needs a "
                  "person's approval.",
                  "V1.3 mode=APPROVAL_REQUIRED", risk, threshold);
    case Mode::kAutoExecute:
      break;
  }
  if (in.external_contact) {
    return Make(Decision::kRequireApproval, kReasonExternalContact,
                "This action contacts someone outside the company; such actions never run "
                "autonomously and a person decides.",
                "V1.4 external_contact", risk, threshold);
  }
  if (risk >= RiskLevel::kMedium) {
    return Make(Decision::kRequireApproval, kReasonRiskLevelHigh,
                "The effective risk is " + std::string(RiskLevelName(risk)) +
                    " (the higher of the intent's risk level and the registry's risk class); "
                    "only MINIMAL and LOW risk actions may run autonomously.",
                "V1.5 effective_risk>=MEDIUM", risk, threshold);
  }
  if (confidence < threshold) {
    return Make(Decision::kRequireApproval, kReasonConfidenceBelowThreshold,
                "The confidence " + (in.confidence ? Fixed(confidence) : std::string("(missing, counted as 0)")) +
                    " is below the threshold " + Fixed(threshold) + ".",
                "V1.6 confidence<threshold", risk, threshold);
  }
  return Make(Decision::kAutoExecute, kReasonAutoExecuteAllowed,
              "The mode is AUTO_EXECUTE, the effective risk is " +
                  std::string(RiskLevelName(risk)) + " and the confidence " + Fixed(confidence) +
                  " meets the threshold " + Fixed(threshold) + ".",
              "V1.7 auto_execute", risk, threshold);
}

}  // namespace steward::policy
