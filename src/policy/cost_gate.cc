#include "policy/cost_gate.h"

#include <algorithm>

namespace steward::policy {
namespace {

constexpr int64_t kHourMs = 3600 * 1000;

CostGateResult Skip(std::string_view reason, std::string explanation) {
  CostGateResult r;
  r.result = GateResult::kSkip;
  r.reason = std::string(reason);
  r.explanation = std::move(explanation);
  return r;
}

CostGateResult Defer(const CostGateInput& in, std::string_view reason, int64_t until_ms,
                     std::string explanation) {
  if (in.is_retry) {
    return Skip(kReasonRetryExhausted,
                "This was the one retry of a deferred run and it would be deferred again (" +
                    std::string(reason) + "); it is dropped.");
  }
  CostGateResult r;
  r.result = GateResult::kDefer;
  r.reason = std::string(reason);
  r.explanation = std::move(explanation);
  r.defer_until_ms = until_ms;
  r.retry_after_seconds = std::max<int64_t>(1, (until_ms - in.now_ms + 999) / 1000);
  return r;
}

std::string Seconds(int64_t ms) { return std::to_string((ms + 999) / 1000) + " s"; }

}  // namespace

std::string_view GateResultName(GateResult r) {
  switch (r) {
    case GateResult::kAllow:
      return "ALLOW";
    case GateResult::kDefer:
      return "DEFER";
    case GateResult::kSkip:
      return "SKIP";
  }
  return "SKIP";
}

CostGateResult EvaluateCostGate(const CostGateInput& in) {
  if (in.daily_budget && in.runs_today >= *in.daily_budget) {
    return Skip(kReasonBudgetExhausted, "Today's decision budget is spent (" +
                                            std::to_string(in.runs_today) + " of " +
                                            std::to_string(*in.daily_budget) + ").");
  }
  const int64_t debounce_ms = in.trigger.debounce_seconds * 1000;
  const int64_t cooldown_ms = in.trigger.cooldown_seconds * 1000;
  if (in.last_allowed_ms && debounce_ms > 0 && in.now_ms - *in.last_allowed_ms < debounce_ms) {
    return Skip(kReasonDebounced, "The same trigger ran " + Seconds(in.now_ms - *in.last_allowed_ms) +
                                      " ago, within its debounce window of " +
                                      std::to_string(in.trigger.debounce_seconds) + " s.");
  }
  if (in.last_allowed_ms && cooldown_ms > 0 && in.now_ms - *in.last_allowed_ms < cooldown_ms) {
    int64_t until = *in.last_allowed_ms + cooldown_ms;
    return Defer(in, kReasonCooldown, until,
                 "The last run of this trigger was " + Seconds(in.now_ms - *in.last_allowed_ms) +
                     " ago; its cooldown of " + std::to_string(in.trigger.cooldown_seconds) +
                     " s ends in " + Seconds(until - in.now_ms) + ".");
  }
  std::vector<int64_t> window;
  for (int64_t t : in.allowed_last_hour_ms) {
    if (t > in.now_ms - kHourMs && t <= in.now_ms) window.push_back(t);
  }
  if (in.trigger.max_per_hour <= 0 ||
      static_cast<int64_t>(window.size()) >= in.trigger.max_per_hour) {
    // A slot frees when the oldest run counted ages out of the rolling hour; a cap of 0 never
    // frees, so the run is deferred by an hour and its retry ends RETRY_EXHAUSTED.
    std::sort(window.begin(), window.end());
    int64_t k = static_cast<int64_t>(window.size()) - std::max<int64_t>(in.trigger.max_per_hour, 0);
    int64_t until = window.empty() || in.trigger.max_per_hour <= 0
                        ? in.now_ms + kHourMs
                        : window[static_cast<size_t>(std::max<int64_t>(k, 0))] + kHourMs;
    until = std::max(until, in.now_ms + 1);
    return Defer(in, kReasonRateLimited, until,
                 std::to_string(window.size()) + " runs of this trigger in the last hour reach "
                 "the cap of " + std::to_string(in.trigger.max_per_hour) +
                     "; a slot frees in " + Seconds(until - in.now_ms) + ".");
  }
  if (in.pending_evaluations >= in.max_pending_evaluations) {
    return Skip(kReasonMarginalValueLow,
                std::to_string(in.pending_evaluations) +
                    " evaluations of this account are already waiting; another adds little.");
  }
  CostGateResult r;
  r.explanation = "Within budget, outside debounce and cooldown, under the hourly cap.";
  return r;
}

}  // namespace steward::policy
