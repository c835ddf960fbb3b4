#pragma once
// ActionIntent (SPEC §4): the record, its storage, its API shape, and the validation of a
// creation request. Status names are the SPEC's strings.

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace steward {
class CanonicalWriter;
}  // namespace steward

namespace steward::autonomy {

inline constexpr std::string_view kStatusProposed = "PROPOSED";
inline constexpr std::string_view kStatusAwaitingApproval = "AWAITING_APPROVAL";
inline constexpr std::string_view kStatusApproved = "APPROVED";
inline constexpr std::string_view kStatusExecuting = "EXECUTING";
inline constexpr std::string_view kStatusSucceeded = "SUCCEEDED";
inline constexpr std::string_view kStatusFailed = "FAILED";
inline constexpr std::string_view kStatusBlocked = "BLOCKED";
inline constexpr std::string_view kStatusRejected = "REJECTED";
inline constexpr std::string_view kStatusCancelled = "CANCELLED";
inline constexpr std::string_view kStatusExpired = "EXPIRED";
bool IsIntentStatus(std::string_view s);

struct ExecutionPolicy {
  int64_t retry_count = 2;
  int64_t timeout_seconds = 30;
  int64_t max_attempts = 3;
};

struct GateDecision {
  std::string result;  // AUTO_EXECUTED | REQUIRE_APPROVAL | BLOCKED
  std::string reason;
  std::string explanation;
  std::string policy_version;
  std::string policy_clause;
  int64_t decided_at = 0;
};

struct Approval {
  std::string source;  // POLICY | HUMAN
  std::string by;
  int64_t at = 0;
  std::vector<std::string> edited_fields;
  std::string comment;
};

struct Intent {
  std::string tenant_id;
  std::string action_intent_id;
  std::string account_id;
  std::string action_type;
  std::string parameters_json = "{}";  // canonical JSON object
  std::string target_json = "{}";
  std::optional<std::string> parameters_schema_version;
  std::optional<double> confidence_score;
  std::optional<std::string> risk_level;
  std::optional<int64_t> expires_at;
  ExecutionPolicy execution_policy;
  int64_t registry_version = 1;
  std::optional<std::string> original_decision_id;
  std::optional<std::string> trace_id;
  std::string content_hash;
  std::string status = std::string(kStatusProposed);
  std::optional<GateDecision> gate;
  std::optional<Approval> approval;
  int64_t created_at = 0;
  std::string created_by;
  int64_t updated_at = 0;
};

// A validated POST /v1/intents body. `run_gate` is false for "gate": "none".
struct CreateIntentRequest {
  Intent intent;  // tenant, created_*, registry_version, status are filled by the service
  bool run_gate = true;
  bool id_given = false;
};

// Validates a creation body (SPEC §10 fields; unknown fields, NaN/negative/>1 confidence,
// unknown risk levels, bad ids, bad times → InvalidArgument naming the field). `now_ms` turns
// ttl_seconds into expires_at. Computes the content hash used for idempotent repeats.
Status ParseCreateIntent(const nlohmann::json& body, int64_t now_ms, CreateIntentRequest* out);

Result<std::optional<Intent>> LoadIntent(store::Txn& txn, std::string_view tenant_id,
                                         std::string_view action_intent_id);
Status InsertIntent(store::Txn& txn, const Intent& intent);
// Writes status, gate, approval, parameters and updated_at.
Status UpdateIntent(store::Txn& txn, const Intent& intent);
// Writes only status and updated_at (what execution changes).
Status UpdateIntentStatus(store::Txn& txn, const Intent& intent);

struct IntentFilter {
  std::string account_id;
  std::string status;
  std::string action_type;
  int limit = 50;
  std::string cursor;  // opaque, from a previous page
};
// Newest first. InvalidArgument for a bad cursor.
Status ListIntents(store::Txn& txn, std::string_view tenant_id, const IntentFilter& filter,
                   std::vector<Intent>* out, std::string* next_cursor);

// The API shape of an intent and of its gate decision. The Write* forms write it into `w` as
// the member `key` (or as a value, when `key` is empty); the *ToJson forms are the same text
// parsed, for responses built as a DOM.
void WriteIntent(CanonicalWriter& w, std::string_view key, const Intent& intent);
void WriteGateDecision(CanonicalWriter& w, std::string_view key, const GateDecision& g);
void IntentToJson(const Intent& intent, nlohmann::json* out);
void GateDecisionToJson(const GateDecision& g, nlohmann::json* out);

}  // namespace steward::autonomy
