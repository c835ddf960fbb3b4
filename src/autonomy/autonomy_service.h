#pragma once
// AutonomyService: the entry point the API calls for intents and the gate. Each method is one
// store transaction (one Store::Write or Store::Read); request bodies arrive as parsed JSON
// objects and responses leave as JSON in the SPEC §10 shapes. Thread-safe.

#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <string>

#include "autonomy/gate.h"
#include "autonomy/intent.h"
#include "common/clock.h"
#include "common/status.h"
#include "jobs/job_queue.h"
#include "store/store.h"

namespace steward::autonomy {

// Who is calling: the tenant comes from the token, never from a body.
struct Actor {
  std::string tenant_id;
  std::string subject;
};

class AutonomyService {
 public:
  // `waker` (may be null) is told after a commit that enqueued a job.
  AutonomyService(store::Store* store, const Clock* clock, jobs::Waker* waker)
      : store_(store), clock_(clock), waker_(waker) {}

  // POST /v1/intents → {intent, gate?}. `created` is false for an identical repeat (200).
  // InvalidArgument for a bad body or unknown action type; Conflict for an existing id with
  // different content; ResourceExhausted when the tenant's pending jobs exceed its bound.
  Status CreateIntent(const Actor& actor, const nlohmann::json& body, nlohmann::json* out,
                      bool* created);
  // The same without holding the caller's thread while the write commits (Store::WriteAsync).
  // `done` is called exactly once, possibly on a store thread, with an answer function; calling
  // that (on any thread, any number of times) gives CreateIntent's answer, its body as JSON text.
  // The body is validated on the calling thread; `body` need not outlive the call.
  struct CreateReply {
    Status status;
    std::string body;  // on success: the response body (JSON), as CreateIntent's `out`
    bool created = false;
    // When the gate decided the new intent: its result and reason.
    std::string gate_result;
    std::string gate_reason;
  };
  using CreateAnswer = std::function<CreateReply()>;
  void CreateIntentAsync(const Actor& actor, const nlohmann::json& body,
                         std::function<void(CreateAnswer)> done);
  // GET /v1/intents/{id}; NotFound for another tenant's intent.
  Status GetIntent(const Actor& actor, std::string_view id, nlohmann::json* out);
  // GET /v1/intents (and /v1/inbox with status AWAITING_APPROVAL) → {items, next_cursor}.
  Status ListIntents(const Actor& actor, const IntentFilter& filter, nlohmann::json* out);
  // POST /v1/intents/{id}/cancel. Conflict once the intent is executing or finished.
  Status CancelIntent(const Actor& actor, std::string_view id, const nlohmann::json& body,
                      nlohmann::json* out);
  // POST /v1/gate/auto-approval.
  Status Gate(const Actor& actor, const nlohmann::json& body, nlohmann::json* out);
  // The same without holding the caller's thread while the write commits, as CreateIntentAsync:
  // `done` is called exactly once, possibly on a store thread; its answer gives Gate's status and
  // `out`. A bad body is answered at once, without a write.
  using GateAnswer = std::function<Status(nlohmann::json* out)>;
  void GateAsync(const Actor& actor, const nlohmann::json& body,
                 std::function<void(GateAnswer)> done);

 private:
  struct CreateOp;
  void Wake();

  store::Store* store_;
  const Clock* clock_;
  jobs::Waker* waker_;
  GateConfigCache gate_config_;  // the gate's configuration, by version
};

}  // namespace steward::autonomy
