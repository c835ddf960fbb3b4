#pragma once
// CPU time of named threads of this process, for benchmarks that report where the work went.

#include <filesystem>
#include <fstream>
#include <string>

namespace steward::bench {

// Nanoseconds the threads named `comm` (e.g. "sqlite-writer") have run so far, from
// /proc/self/task/*/schedstat.
inline double ThreadCpuNs(const std::string& comm) {
  double ns = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream c(task.path() / "comm");
    std::string name;
    std::getline(c, name);
    if (name != comm) continue;
    std::ifstream st(task.path() / "schedstat");
    double run = 0;
    st >> run;
    ns += run;
  }
  return ns;
}

}  // namespace steward::bench
