// The decision cost gate: every clause, its order, and the rolling hour.
#include "policy/cost_gate.h"

#include <gtest/gtest.h>

namespace steward::policy {
namespace {

constexpr int64_t kNow = 1795500000000;
constexpr int64_t kS = 1000;

CostGateInput Signal() {
  CostGateInput in;
  in.trigger = {60, 300, 12};  // SIGNAL_ARRIVED
  in.now_ms = kNow;
  return in;
}

TEST(CostGateTest, FirstRunIsAllowed) {
  auto r = EvaluateCostGate(Signal());
  EXPECT_EQ(r.result, GateResult::kAllow);
  EXPECT_TRUE(r.reason.empty());
  EXPECT_FALSE(r.defer_until_ms);
}

TEST(CostGateTest, BudgetComesFirst) {
  auto in = Signal();
  in.daily_budget = 5;
  in.runs_today = 5;
  in.last_allowed_ms = kNow - 1 * kS;  // would also be debounced
  auto r = EvaluateCostGate(in);
  EXPECT_EQ(r.result, GateResult::kSkip);
  EXPECT_EQ(r.reason, kReasonBudgetExhausted);
  in.runs_today = 4;
  EXPECT_EQ(EvaluateCostGate(in).reason, kReasonDebounced);
  in.daily_budget = 0;
  in.runs_today = 0;
  EXPECT_EQ(EvaluateCostGate(in).reason, kReasonBudgetExhausted);
}

TEST(CostGateTest, DebounceThenCooldownWithDeferUntil) {
  auto in = Signal();
  in.last_allowed_ms = kNow - 59 * kS;
  EXPECT_EQ(EvaluateCostGate(in).reason, kReasonDebounced);
  in.last_allowed_ms = kNow - 60 * kS;
  auto r = EvaluateCostGate(in);
  EXPECT_EQ(r.result, GateResult::kDefer);
  EXPECT_EQ(r.reason, kReasonCooldown);
  EXPECT_EQ(*r.defer_until_ms, kNow + 240 * kS);
  EXPECT_EQ(*r.retry_after_seconds, 240);
  in.last_allowed_ms = kNow - 300 * kS;
  EXPECT_EQ(EvaluateCostGate(in).result, GateResult::kAllow);
}

TEST(CostGateTest, RetryDeferredAgainIsExhausted) {
  auto in = Signal();
  in.last_allowed_ms = kNow - 100 * kS;
  in.is_retry = true;
  auto r = EvaluateCostGate(in);
  EXPECT_EQ(r.result, GateResult::kSkip);
  EXPECT_EQ(r.reason, kReasonRetryExhausted);
  in.last_allowed_ms = kNow - 400 * kS;
  EXPECT_EQ(EvaluateCostGate(in).result, GateResult::kAllow);
}

TEST(CostGateTest, RollingHourFreesAsRunsAgeOut) {
  auto in = Signal();
  in.trigger = {0, 0, 3};
  in.allowed_last_hour_ms = {kNow - 3500 * kS, kNow - 1000 * kS, kNow - 10 * kS};
  auto r = EvaluateCostGate(in);
  EXPECT_EQ(r.result, GateResult::kDefer);
  EXPECT_EQ(r.reason, kReasonRateLimited);
  EXPECT_EQ(*r.defer_until_ms, kNow + 100 * kS);  // the oldest ages out in 100 s
  in.now_ms = *r.defer_until_ms;                    // at that time a slot is free
  EXPECT_EQ(EvaluateCostGate(in).result, GateResult::kAllow);
  // Runs older than an hour never count: an account is never locked out for good.
  in.now_ms = kNow + 10 * 3600 * kS;
  EXPECT_EQ(EvaluateCostGate(in).result, GateResult::kAllow);
}

TEST(CostGateTest, CapOfZeroDefersAnHour) {
  auto in = Signal();
  in.trigger = {0, 0, 0};
  auto r = EvaluateCostGate(in);
  EXPECT_EQ(r.reason, kReasonRateLimited);
  EXPECT_EQ(*r.defer_until_ms, kNow + 3600 * kS);
}

TEST(CostGateTest, SaturationIsMarginalValueLow) {
  auto in = Signal();
  in.pending_evaluations = 10;
  EXPECT_EQ(EvaluateCostGate(in).reason, kReasonMarginalValueLow);
  in.pending_evaluations = 9;
  EXPECT_EQ(EvaluateCostGate(in).result, GateResult::kAllow);
}

TEST(CostGateTest, DailyRitualCooldown) {
  CostGateInput in;
  in.trigger = {0, 86400, 1};
  in.now_ms = kNow;
  in.last_allowed_ms = kNow - 3600 * kS;
  in.allowed_last_hour_ms = {};
  auto r = EvaluateCostGate(in);
  EXPECT_EQ(r.reason, kReasonCooldown);
  EXPECT_EQ(*r.defer_until_ms, kNow + 23 * 3600 * kS);
  EXPECT_EQ(GateResultName(r.result), "DEFER");
}

TEST(CostGateTest, SameInputSameResult) {
  auto in = Signal();
  in.last_allowed_ms = kNow - 120 * kS;
  auto a = EvaluateCostGate(in), b = EvaluateCostGate(in);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.defer_until_ms, b.defer_until_ms);
  EXPECT_EQ(a.explanation, b.explanation);
}

}  // namespace
}  // namespace steward::policy
