#include "exec/circuit_breaker.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "common/json.h"
#include "common/time_util.h"

namespace steward::exec {
namespace {

// Compare-and-set retries before giving up. SQLite has one writer and never retries; with
// PostgreSQL at READ COMMITTED a retry means another node changed the breaker between our read
// and our write.
constexpr int kMaxCasAttempts = 16;
// Stands for NULL in the compare-and-set (the -1 of its COALESCE); instants are never negative.
constexpr int64_t kNullInstant = -1;

constexpr std::string_view kClosedName = "CLOSED";
constexpr std::string_view kOpenName = "OPEN";
constexpr std::string_view kHalfOpenName = "HALF_OPEN";

std::optional<BreakerState> ParseState(std::string_view name) {
  if (name == kClosedName) return BreakerState::kClosed;
  if (name == kOpenName) return BreakerState::kOpen;
  if (name == kHalfOpenName) return BreakerState::kHalfOpen;
  return std::nullopt;
}

// One breaker row. `failures_text` and the raw columns are kept as read so the write can check
// that nobody changed the row in between.
struct Breaker {
  BreakerState state = BreakerState::kClosed;
  std::vector<int64_t> failures;
  std::optional<int64_t> opened_at;
  std::string probe_owner;  // empty: no probe
  std::optional<int64_t> probe_lease_until;

  bool operator==(const Breaker&) const = default;
};

struct Loaded {
  Breaker breaker;
  std::string failures_text = "[]";  // as stored; "[]" for a breaker never written
};

std::string FailuresText(const std::vector<int64_t>& failures) { return Json(failures).dump(); }

Status CheckArgs(std::string_view tenant_id, std::string_view connector_id,
                 const BreakerOptions& o) {
  if (tenant_id.empty()) return Status::InvalidArgument("tenant_id is required", "tenant_id");
  if (connector_id.empty()) {
    return Status::InvalidArgument("connector_id is required", "connector_id");
  }
  if (o.failure_threshold < 1 || o.window_ms <= 0 || o.cooldown_ms <= 0 || o.probe_lease_ms <= 0) {
    return Status::InvalidArgument("circuit breaker options must be positive");
  }
  return Status::Ok();
}

Status RequireWritable(const store::Txn& txn) {
  return txn.writable() ? Status::Ok()
                        : Status::Internal("circuit breaker write outside a write transaction");
}

Result<Loaded> Load(store::Txn& txn, const std::string& tenant, const std::string& connector) {
  STEWARD_ASSIGN_OR_RETURN(
      auto row, txn.QueryOne("SELECT state, failures, opened_at, probe_owner, probe_lease_until "
                             "FROM circuit_breakers WHERE tenant_id = ? AND connector_id = ?",
                             {tenant, connector}));
  Loaded out;
  if (!row) return out;
  std::optional<BreakerState> state = ParseState(row->Text(0));
  if (!state) return Status::Internal("circuit breaker has unknown state '" + row->Text(0) + "'");
  out.breaker.state = *state;
  out.failures_text = row->Text(1);
  auto failures = ParseJson(out.failures_text);
  if (!failures.ok() || !failures->is_array()) {
    return Status::Internal("circuit breaker failures are not a JSON array");
  }
  for (const Json& f : *failures) {
    if (!f.is_number_integer()) {
      return Status::Internal("circuit breaker failures hold a non-integer");
    }
    out.breaker.failures.push_back(f.get<int64_t>());
  }
  out.breaker.opened_at = row->OptInt(2);
  out.breaker.probe_owner = row->Text(3);
  out.breaker.probe_lease_until = row->OptInt(4);
  return out;
}

// Writes `next` if the row still holds `prev`: an upsert whose DO UPDATE only applies when every
// column matches what Load saw (a breaker never written is matched as CLOSED with no failures).
// Returns false when another transaction got there first.
Result<bool> CompareAndSet(store::Txn& txn, const std::string& tenant, const std::string& connector,
                           const Loaded& prev, const Breaker& next, int64_t now_ms) {
  const Breaker& p = prev.breaker;
  STEWARD_ASSIGN_OR_RETURN(
      int64_t changed,
      txn.Exec("INSERT INTO circuit_breakers (tenant_id, connector_id, state, failures, "
               "opened_at, probe_owner, probe_lease_until, updated_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
               "ON CONFLICT (tenant_id, connector_id) DO UPDATE SET state = excluded.state, "
               "failures = excluded.failures, opened_at = excluded.opened_at, "
               "probe_owner = excluded.probe_owner, "
               "probe_lease_until = excluded.probe_lease_until, updated_at = excluded.updated_at "
               "WHERE circuit_breakers.state = ? AND circuit_breakers.failures = ? "
               "AND COALESCE(circuit_breakers.opened_at, -1) = ? "
               "AND COALESCE(circuit_breakers.probe_owner, '') = ? "
               "AND COALESCE(circuit_breakers.probe_lease_until, -1) = ?",
               {tenant, connector, std::string(BreakerStateName(next.state)),
                FailuresText(next.failures),
                next.opened_at ? store::Value(*next.opened_at) : store::Value(store::Null{}),
                store::TextOrNull(next.probe_owner),
                next.probe_lease_until ? store::Value(*next.probe_lease_until)
                                       : store::Value(store::Null{}),
                now_ms, std::string(BreakerStateName(p.state)), prev.failures_text,
                p.opened_at.value_or(kNullInstant), p.probe_owner,
                p.probe_lease_until.value_or(kNullInstant)}));
  return changed == 1;
}

// Runs `step` (prev → next) until its write lands on an unchanged row.
template <typename Step>
Status Transition(store::Txn& txn, const std::string& tenant, const std::string& connector,
                  int64_t now_ms, const Step& step) {
  for (int attempt = 0; attempt < kMaxCasAttempts; ++attempt) {
    STEWARD_ASSIGN_OR_RETURN(Loaded prev, Load(txn, tenant, connector));
    Breaker next = step(prev.breaker);
    if (next == prev.breaker) return Status::Ok();
    STEWARD_ASSIGN_OR_RETURN(bool written,
                             CompareAndSet(txn, tenant, connector, prev, next, now_ms));
    if (written) return Status::Ok();
  }
  return Status::Unavailable("circuit breaker of connector '" + connector +
                             "' is changing too fast");
}

// Failures still inside the window at now_ms (age < window_ms).
void PruneFailures(std::vector<int64_t>* failures, int64_t now_ms, int64_t window_ms) {
  std::erase_if(*failures, [&](int64_t t) { return t <= now_ms - window_ms; });
}

int64_t CountRecent(const std::vector<int64_t>& failures, int64_t now_ms, int64_t window_ms) {
  return std::count_if(failures.begin(), failures.end(),
                       [&](int64_t t) { return t > now_ms - window_ms; });
}

bool ProbeLive(const Breaker& b, int64_t now_ms) {
  return !b.probe_owner.empty() && b.probe_lease_until && now_ms < *b.probe_lease_until;
}

void ClearProbe(Breaker* b) {
  b->probe_owner.clear();
  b->probe_lease_until.reset();
}

// Seconds as an integer when whole, else fractional.
Json Seconds(int64_t ms) {
  if (ms % kMsPerSecond == 0) return ms / kMsPerSecond;
  return static_cast<double>(ms) / kMsPerSecond;
}

}  // namespace

std::string_view BreakerStateName(BreakerState s) {
  switch (s) {
    case BreakerState::kClosed:
      return kClosedName;
    case BreakerState::kOpen:
      return kOpenName;
    case BreakerState::kHalfOpen:
      return kHalfOpenName;
  }
  return kClosedName;
}

Result<BreakerDecision> BreakerAcquire(store::Txn& txn, std::string_view tenant_id,
                                       std::string_view connector_id, std::string_view owner,
                                       int64_t now_ms, const BreakerOptions& options) {
  STEWARD_RETURN_IF_ERROR(RequireWritable(txn));
  STEWARD_RETURN_IF_ERROR(CheckArgs(tenant_id, connector_id, options));
  if (owner.empty()) return Status::InvalidArgument("breaker owner is required", "owner");
  const std::string tenant(tenant_id), connector(connector_id), me(owner);
  BreakerDecision decision;
  STEWARD_RETURN_IF_ERROR(Transition(txn, tenant, connector, now_ms, [&](const Breaker& b) {
    decision = BreakerDecision{};
    Breaker next = b;
    switch (b.state) {
      case BreakerState::kClosed:
        decision.allowed = true;
        return next;
      case BreakerState::kOpen: {
        int64_t retry_at = b.opened_at.value_or(0) + options.cooldown_ms;
        if (now_ms < retry_at) {
          decision.wait_until_ms = retry_at;
          return next;
        }
        break;  // cooldown over: take the probe below
      }
      case BreakerState::kHalfOpen:
        // The holder asking again (a retry of the same attempt) keeps the probe; the lease is
        // renewed below because a new call starts now.
        if (ProbeLive(b, now_ms) && b.probe_owner != me) {
          decision.wait_until_ms = std::min(*b.probe_lease_until, now_ms + options.cooldown_ms);
          return next;
        }
        break;
    }
    next.state = BreakerState::kHalfOpen;
    next.probe_owner = me;
    next.probe_lease_until = now_ms + options.probe_lease_ms;
    decision.allowed = true;
    decision.probe = true;
    return next;
  }));
  return decision;
}

Status BreakerRecord(store::Txn& txn, std::string_view tenant_id, std::string_view connector_id,
                     std::string_view owner, ErrorClass error_class, int64_t now_ms,
                     const BreakerOptions& options) {
  STEWARD_RETURN_IF_ERROR(RequireWritable(txn));
  STEWARD_RETURN_IF_ERROR(CheckArgs(tenant_id, connector_id, options));
  const std::string tenant(tenant_id), connector(connector_id), me(owner);
  const bool trips = TripsBreaker(error_class);
  return Transition(txn, tenant, connector, now_ms, [&](const Breaker& b) {
    Breaker next = b;
    const bool from_probe =
        b.state == BreakerState::kHalfOpen && !b.probe_owner.empty() && b.probe_owner == me;
    if (from_probe) {
      // The connector answered the probe: anything but a tripping failure closes the breaker.
      ClearProbe(&next);
      if (trips) {
        next.state = BreakerState::kOpen;
        next.opened_at = now_ms;
        PruneFailures(&next.failures, now_ms, options.window_ms);
      } else {
        next.state = BreakerState::kClosed;
        next.opened_at.reset();
        next.failures.clear();
      }
      return next;
    }
    // Success never clears the window, and late results of calls let through before the breaker
    // opened do not change OPEN/HALF_OPEN; only tripping failures are remembered.
    if (!trips) return next;
    next.failures.push_back(now_ms);
    PruneFailures(&next.failures, now_ms, options.window_ms);
    if (b.state == BreakerState::kClosed &&
        static_cast<int64_t>(next.failures.size()) >= options.failure_threshold) {
      next.state = BreakerState::kOpen;
      next.opened_at = now_ms;
      next.failures.clear();
    }
    return next;
  });
}

Result<std::string> BreakerStateJson(store::Txn& txn, std::string_view tenant_id,
                                     std::string_view connector_id, int64_t now_ms,
                                     const BreakerOptions& options) {
  STEWARD_RETURN_IF_ERROR(CheckArgs(tenant_id, connector_id, options));
  STEWARD_ASSIGN_OR_RETURN(Loaded loaded,
                           Load(txn, std::string(tenant_id), std::string(connector_id)));
  const Breaker& b = loaded.breaker;
  Json out = Json::object();
  const int64_t retry_at = b.opened_at.value_or(0) + options.cooldown_ms;
  BreakerState shown = b.state;
  // Past its cooldown an open breaker lets the next call through as the probe.
  if (b.state == BreakerState::kOpen && now_ms >= retry_at) shown = BreakerState::kHalfOpen;
  out["state"] = BreakerStateName(shown);
  out["recent_failures"] = CountRecent(b.failures, now_ms, options.window_ms);
  out["failure_threshold"] = options.failure_threshold;
  out["window_seconds"] = Seconds(options.window_ms);
  out["cooldown_seconds"] = Seconds(options.cooldown_ms);
  if (b.opened_at && shown != BreakerState::kClosed) {
    out["opened_at"] = FormatTimestamp(*b.opened_at);
  }
  if (shown == BreakerState::kOpen) out["retry_at"] = FormatTimestamp(retry_at);
  if (b.state == BreakerState::kHalfOpen && ProbeLive(b, now_ms)) {
    out["probe_lease_until"] = FormatTimestamp(*b.probe_lease_until);
  }
  return out.dump();
}

}  // namespace steward::exec
