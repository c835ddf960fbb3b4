#include "policy/auto_approval_policy.h"

#include <gtest/gtest.h>

namespace steward::policy {
namespace {

struct Case {
  const char* name;
  PolicyInput in;
  Decision decision;
  std::string_view reason;
};

PolicyInput Auto(std::optional<double> conf, RiskLevel reg = RiskLevel::kLow,
                 std::optional<RiskLevel> intent = std::nullopt, bool external = false,
                 double threshold = 0.70, double min_conf = 0.0) {
  PolicyInput in;
  in.mode = Mode::kAutoExecute;
  in.confidence = conf;
  in.registry_risk = reg;
  in.intent_risk = intent;
  in.external_contact = external;
  in.tenant_threshold = threshold;
  in.registry_min_confidence = min_conf;
  return in;
}

PolicyInput WithMode(Mode m) {
  PolicyInput in = Auto(0.99);
  in.mode = m;
  return in;
}

TEST(AutoApprovalPolicyV1, EveryClause) {
  const Case cases[] = {
      {"disabled", WithMode(Mode::kDisabled), Decision::kBlock, kReasonActionTypeDisabled},
      {"propose_only", WithMode(Mode::kProposeOnly), Decision::kRequireApproval, kReasonProposeOnly},
      {"approval_required", WithMode(Mode::kApprovalRequired), Decision::kRequireApproval,
       kReasonTenantPolicy},
      {"external_contact", Auto(1.0, RiskLevel::kLow, std::nullopt, true),
       Decision::kRequireApproval, kReasonExternalContact},
      {"external_beats_risk", Auto(1.0, RiskLevel::kHigh, std::nullopt, true),
       Decision::kRequireApproval, kReasonExternalContact},
      {"registry_medium", Auto(1.0, RiskLevel::kMedium), Decision::kRequireApproval,
       kReasonRiskLevelHigh},
      {"registry_high", Auto(1.0, RiskLevel::kHigh), Decision::kRequireApproval,
       kReasonRiskLevelHigh},
      {"intent_raises_risk", Auto(1.0, RiskLevel::kLow, RiskLevel::kHigh),
       Decision::kRequireApproval, kReasonRiskLevelHigh},
      {"intent_cannot_lower_risk", Auto(1.0, RiskLevel::kHigh, RiskLevel::kMinimal),
       Decision::kRequireApproval, kReasonRiskLevelHigh},
      {"intent_medium_on_minimal", Auto(1.0, RiskLevel::kMinimal, RiskLevel::kMedium),
       Decision::kRequireApproval, kReasonRiskLevelHigh},
      {"conf_0.6999", Auto(0.6999), Decision::kRequireApproval, kReasonConfidenceBelowThreshold},
      {"conf_0.70", Auto(0.70), Decision::kAutoExecute, kReasonAutoExecuteAllowed},
      {"conf_1.0", Auto(1.0), Decision::kAutoExecute, kReasonAutoExecuteAllowed},
      {"conf_missing", Auto(std::nullopt), Decision::kRequireApproval,
       kReasonConfidenceBelowThreshold},
      {"conf_zero_threshold_zero", Auto(std::nullopt, RiskLevel::kLow, std::nullopt, false, 0.0),
       Decision::kAutoExecute, kReasonAutoExecuteAllowed},
      {"registry_min_wins", Auto(0.8, RiskLevel::kLow, std::nullopt, false, 0.7, 0.9),
       Decision::kRequireApproval, kReasonConfidenceBelowThreshold},
      {"tenant_threshold_wins", Auto(0.8, RiskLevel::kLow, std::nullopt, false, 0.85, 0.5),
       Decision::kRequireApproval, kReasonConfidenceBelowThreshold},
      {"lower_tenant_threshold", Auto(0.5, RiskLevel::kLow, std::nullopt, false, 0.5),
       Decision::kAutoExecute, kReasonAutoExecuteAllowed},
      {"minimal_auto", Auto(0.9, RiskLevel::kMinimal), Decision::kAutoExecute,
       kReasonAutoExecuteAllowed},
      {"intent_low_on_minimal", Auto(0.9, RiskLevel::kMinimal, RiskLevel::kLow),
       Decision::kAutoExecute, kReasonAutoExecuteAllowed},
  };
  for (const Case& c : cases) {
    PolicyResult r = EvaluateAutoApprovalV1(c.in);
    EXPECT_EQ(r.decision, c.decision) << c.name;
    EXPECT_EQ(r.reason, c.reason) << c.name;
    EXPECT_FALSE(r.explanation.empty()) << c.name;
    EXPECT_FALSE(r.policy_clause.empty()) << c.name;
    // Pure: the same input gives the same result.
    PolicyResult again = EvaluateAutoApprovalV1(c.in);
    EXPECT_EQ(again.explanation, r.explanation) << c.name;
  }
}

TEST(AutoApprovalPolicyV1, EffectiveRiskAndThresholdAreReported) {
  auto r = EvaluateAutoApprovalV1(Auto(0.9, RiskLevel::kLow, RiskLevel::kHigh, false, 0.6, 0.8));
  EXPECT_EQ(r.effective_risk, RiskLevel::kHigh);
  EXPECT_DOUBLE_EQ(r.effective_threshold, 0.8);
}

TEST(AutoApprovalPolicyV1, NamesRoundTrip) {
  for (auto m : {Mode::kProposeOnly, Mode::kApprovalRequired, Mode::kAutoExecute, Mode::kDisabled}) {
    EXPECT_EQ(ParseMode(ModeName(m)), m);
  }
  for (auto r : {RiskLevel::kMinimal, RiskLevel::kLow, RiskLevel::kMedium, RiskLevel::kHigh}) {
    EXPECT_EQ(ParseRiskLevel(RiskLevelName(r)), r);
  }
  EXPECT_FALSE(ParseMode("auto_execute").has_value());
  EXPECT_FALSE(ParseRiskLevel("CRITICAL").has_value());
}

}  // namespace
}  // namespace steward::policy
