#include "api/metrics.h"

#include <cstdio>

namespace steward::api {
namespace {
std::string Label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}
}  // namespace

void Metrics::RecordRequest(const std::string& method, const std::string& route, int status,
                            double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  requests_[{method, route, status}]++;
  Histogram& h = latency_[{method, route}];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) h.buckets[i]++;
  }
  h.count++;
  h.sum += seconds;
}

void Metrics::RecordGateResult(const std::string& result, const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  gate_[{result, reason}]++;
}

void Metrics::AddScrapeHook(std::function<void(std::string*)> hook) {
  std::lock_guard<std::mutex> lock(mu_);
  hooks_.push_back(std::move(hook));
}

std::string Metrics::Render() {
  std::string out;
  std::vector<std::function<void(std::string*)>> hooks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    out += "# HELP steward_http_requests_total HTTP requests by route and status.\n";
    out += "# TYPE steward_http_requests_total counter\n";
    for (const auto& [k, v] : requests_) {
      out += "steward_http_requests_total{method=\"" + Label(std::get<0>(k)) + "\",route=\"" +
             Label(std::get<1>(k)) + "\",status=\"" + std::to_string(std::get<2>(k)) + "\"} " +
             std::to_string(v) + "\n";
    }
    out += "# HELP steward_http_request_duration_seconds HTTP request latency by route.\n";
    out += "# TYPE steward_http_request_duration_seconds histogram\n";
    for (const auto& [k, h] : latency_) {
      std::string labels = "method=\"" + Label(k.first) + "\",route=\"" + Label(k.second) + "\"";
      for (size_t i = 0; i < kBuckets.size(); ++i) {
        char le[32];
        std::snprintf(le, sizeof(le), "%g", kBuckets[i]);
        out += "steward_http_request_duration_seconds_bucket{" + labels + ",le=\"" + le + "\"} " +
               std::to_string(h.buckets[i]) + "\n";
      }
      out += "steward_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
             std::to_string(h.count) + "\n";
      char sum[64];
      std::snprintf(sum, sizeof(sum), "%.6f", h.sum);
      out += "steward_http_request_duration_seconds_sum{" + labels + "} " + sum + "\n";
      out += "steward_http_request_duration_seconds_count{" + labels + "} " +
             std::to_string(h.count) + "\n";
    }
    out += "# HELP steward_gate_results_total Auto-approval gate results by reason.\n";
    out += "# TYPE steward_gate_results_total counter\n";
    for (const auto& [k, v] : gate_) {
      out += "steward_gate_results_total{result=\"" + Label(k.first) + "\",reason=\"" +
             Label(k.second) + "\"} " + std::to_string(v) + "\n";
    }
    hooks = hooks_;
  }
  for (auto& h : hooks) h(&out);
  return out;
}

}  // namespace steward::api
