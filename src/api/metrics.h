#pragma once
// Metrics: in-process counters and latency histograms rendered as Prometheus text (SPEC §10
// /metrics): requests and latency per route, gate results by reason, and whatever gauges the
// composition root adds at scrape time (jobs pending/running by type). Thread-safe.

#include <array>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace steward::api {

class Metrics {
 public:
  // Latency bucket upper bounds in seconds.
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

  void RecordRequest(const std::string& method, const std::string& route, int status,
                     double seconds);
  void RecordGateResult(const std::string& result, const std::string& reason);
  // A callback appending extra Prometheus text at scrape time (e.g. job gauges from the store).
  void AddScrapeHook(std::function<void(std::string*)> hook);
  std::string Render();

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;  // GUARDED_BY(mu_)
  std::map<std::pair<std::string, std::string>, Histogram> latency_;       // GUARDED_BY(mu_)
  std::map<std::pair<std::string, std::string>, uint64_t> gate_;           // GUARDED_BY(mu_)
  std::vector<std::function<void(std::string*)>> hooks_;                   // GUARDED_BY(mu_)
};

}  // namespace steward::api
