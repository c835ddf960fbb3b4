#pragma once
// AutoApprovalPolicyV1 (SPEC §5 step 6): a pure function from the resolved autonomy mode and the
// intent's risk and confidence to AUTO_EXECUTE, REQUIRE_APPROVAL or BLOCK. No I/O, no clock; the
// same input always gives the same result, so a recorded input replays to the recorded result.
//
// Order of clauses (first match wins):
//   mode DISABLED          -> BLOCK            ACTION_TYPE_DISABLED
//   mode PROPOSE_ONLY      -> REQUIRE_APPROVAL PROPOSE_ONLY
//   mode APPROVAL_REQUIRED -> REQUIRE_APPROVAL TENANT_POLICY
//   external-contact type  -> REQUIRE_APPROVAL EXTERNAL_CONTACT  (never autonomous)
//   effective risk >= MEDIUM -> REQUIRE_APPROVAL RISK_LEVEL_HIGH
//   confidence < threshold -> REQUIRE_APPROVAL CONFIDENCE_BELOW_THRESHOLD
//   otherwise              -> AUTO_EXECUTE     AUTO_EXECUTE_ALLOWED
// Effective risk is the higher of the intent's risk_level and the registry's risk_class (an agent
// cannot talk a HIGH action down). The threshold is the tenant's, never below the registry's
// min_confidence. A missing confidence counts as 0.

#include <optional>
#include <string>
#include <string_view>

namespace steward::policy {

inline constexpr std::string_view kPolicyVersion = "AutoApprovalPolicyV1";
inline constexpr double kDefaultConfidenceThreshold = 0.70;

enum class Mode { kProposeOnly, kApprovalRequired, kAutoExecute, kDisabled };
enum class RiskLevel { kMinimal = 0, kLow = 1, kMedium = 2, kHigh = 3 };
enum class Decision { kAutoExecute, kRequireApproval, kBlock };

std::optional<Mode> ParseMode(std::string_view s);
std::string_view ModeName(Mode m);
std::optional<RiskLevel> ParseRiskLevel(std::string_view s);
std::string_view RiskLevelName(RiskLevel r);
// "AUTO_EXECUTE", "REQUIRE_APPROVAL", "BLOCK".
std::string_view DecisionName(Decision d);

// Reason codes (wire strings, SPEC §5).
inline constexpr std::string_view kReasonActionTypeDisabled = "ACTION_TYPE_DISABLED";
inline constexpr std::string_view kReasonProposeOnly = "PROPOSE_ONLY";
inline constexpr std::string_view kReasonTenantPolicy = "TENANT_POLICY";
inline constexpr std::string_view kReasonExternalContact = "EXTERNAL_CONTACT";
inline constexpr std::string_view kReasonRiskLevelHigh = "RISK_LEVEL_HIGH";
inline constexpr std::string_view kReasonConfidenceBelowThreshold = "CONFIDENCE_BELOW_THRESHOLD";
inline constexpr std::string_view kReasonAutoExecuteAllowed = "AUTO_EXECUTE_ALLOWED";

struct PolicyInput {
  Mode mode = Mode::kApprovalRequired;
  std::optional<RiskLevel> intent_risk;  // the intent's risk_level, when given
  RiskLevel registry_risk = RiskLevel::kLow;
  bool external_contact = false;
  std::optional<double> confidence;  // missing counts as 0
  double tenant_threshold = kDefaultConfidenceThreshold;
  double registry_min_confidence = 0.0;
};

struct PolicyResult {
  Decision decision = Decision::kRequireApproval;
  std::string reason;       // one of the kReason* codes
  std::string explanation;  // a human sentence
  std::string policy_clause;
  RiskLevel effective_risk = RiskLevel::kLow;
  double effective_threshold = kDefaultConfidenceThreshold;
};

PolicyResult EvaluateAutoApprovalV1(const PolicyInput& input);

}  // namespace steward::policy
