#pragma once
// Execution records (SPEC §4, §6): the attempt of each execution of an intent (execution 1, then
// one per replay), its outcome (written once), the idempotency key, and the events outbox row
// EXECUTION_COMPLETED. Storage functions run inside the caller's transaction.
//
// Attempt status: RUNNING → SUCCEEDED | FAILED | CANCELLED. Outcome status: SUCCEEDED | FAILED |
// CANCELLED | EXPIRED. An outcome row's primary key is (tenant, intent, execution_no), so a
// second InsertOutcome for one execution fails with Conflict: outcomes are written once.

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "exec/connector.h"
#include "store/store.h"

namespace steward::exec {

inline constexpr std::string_view kAttemptRunning = "RUNNING";
inline constexpr std::string_view kAttemptSucceeded = "SUCCEEDED";
inline constexpr std::string_view kAttemptFailed = "FAILED";
inline constexpr std::string_view kAttemptCancelled = "CANCELLED";

inline constexpr std::string_view kOutcomeSucceeded = "SUCCEEDED";
inline constexpr std::string_view kOutcomeFailed = "FAILED";
inline constexpr std::string_view kOutcomeCancelled = "CANCELLED";
inline constexpr std::string_view kOutcomeExpired = "EXPIRED";

inline constexpr std::string_view kTaxonomySucceeded = "EXECUTION_SUCCEEDED";
inline constexpr std::string_view kTaxonomyFailed = "EXECUTION_FAILED";
inline constexpr std::string_view kTaxonomyRejected = "IDEA_REJECTED";
inline constexpr std::string_view kTaxonomyEdited = "IDEA_EDITED";

inline constexpr std::string_view kEventExecutionCompleted = "EXECUTION_COMPLETED";

struct Attempt {
  std::string tenant_id;
  std::string action_intent_id;
  int64_t execution_no = 1;
  std::string status = std::string(kAttemptRunning);
  int64_t attempt_count = 0;
  std::string idempotency_key;
  std::string last_error_class;  // empty: none
  std::string last_error_message;
  std::string replay_reason;  // replays only
  std::string requested_by;   // replays only
  int64_t started_at = 0;
  int64_t updated_at = 0;
};

struct Outcome {
  std::string tenant_id;
  std::string action_intent_id;
  int64_t execution_no = 1;
  std::string account_id;
  std::string action_type;
  std::string status;
  std::vector<ExternalRef> refs;
  std::string error_code, error_class, error_message;
  int64_t attempt_count = 0;
  std::string tool_name;
  std::string tool_schema_version;
  int64_t registry_version = 1;
  std::string approval_source;  // POLICY | HUMAN | "" (never approved)
  bool auto_executed = false;
  std::string taxonomy;
  std::string trace_id;
  std::optional<int64_t> started_at;
  int64_t completed_at = 0;
};

// SHA-256 hex of tenant, intent, tool, canonical parameters and registry version joined by
// "\n" (docs/EXECUTION.md); replays (execution_no > 1) append "\n#<execution_no>" so a replay
// is a new call for the connector.
std::string IdempotencyKey(std::string_view tenant_id, std::string_view action_intent_id,
                           std::string_view tool_name, std::string_view canonical_parameters,
                           int64_t registry_version, int64_t execution_no);

Result<std::optional<Attempt>> LoadAttempt(store::Txn& txn, std::string_view tenant_id,
                                           std::string_view action_intent_id, int64_t execution_no);
// All attempts of an intent, by execution_no.
Result<std::vector<Attempt>> LoadAttempts(store::Txn& txn, std::string_view tenant_id,
                                          std::string_view action_intent_id);
Status InsertAttempt(store::Txn& txn, const Attempt& a);
Status UpdateAttempt(store::Txn& txn, const Attempt& a);

Result<std::optional<Outcome>> LoadOutcome(store::Txn& txn, std::string_view tenant_id,
                                           std::string_view action_intent_id, int64_t execution_no);
Result<std::vector<Outcome>> LoadOutcomes(store::Txn& txn, std::string_view tenant_id,
                                          std::string_view action_intent_id);
// Conflict when the execution already has an outcome.
Status InsertOutcome(store::Txn& txn, const Outcome& o);

struct OutcomeFilter {
  std::string account_id;
  std::optional<bool> auto_executed;
  std::string status;
  std::optional<int64_t> since_ms;
  int limit = 50;
  std::string cursor;
};
// The timeline, newest first. InvalidArgument for a bad cursor.
Status ListOutcomes(store::Txn& txn, std::string_view tenant_id, const OutcomeFilter& f,
                    std::vector<Outcome>* out, std::string* next_cursor);

// Appends to the events outbox (delivered by the event feed and webhooks).
Status AppendEvent(store::Txn& txn, std::string_view tenant_id, std::string_view type,
                   std::string_view account_id, std::string_view action_intent_id,
                   const nlohmann::json& data, int64_t now_ms);

void AttemptToJson(const Attempt& a, nlohmann::json* out);
void OutcomeToJson(const Outcome& o, nlohmann::json* out);
void RefsToJson(const std::vector<ExternalRef>& refs, nlohmann::json* out);

}  // namespace steward::exec
