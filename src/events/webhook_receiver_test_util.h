#pragma once
// Test helper: tests/webhook_receiver/webhook_receiver.py as a child process, and a small curl
// client for its /control, /stats and /reset endpoints. Header only; for tests.

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace steward::events::testing {

namespace fs = std::filesystem;

inline constexpr char kReceiverRelPath[] = "tests/webhook_receiver/webhook_receiver.py";

inline std::optional<fs::path> FindUpwards(const fs::path& start) {
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec);
  if (ec) return std::nullopt;
  while (true) {
    fs::path candidate = dir / kReceiverRelPath;
    if (fs::is_regular_file(candidate, ec)) return candidate;
    if (dir == dir.parent_path()) return std::nullopt;
    dir = dir.parent_path();
  }
}

// $STEWARD_SOURCE_DIR; else upwards from the working directory (ctest runs inside the build
// tree, usually inside the source tree); else upwards from this file's compile-time path (a
// build tree elsewhere).
inline std::optional<fs::path> FindReceiverScript() {
  std::error_code ec;
  if (const char* src = std::getenv("STEWARD_SOURCE_DIR"); src != nullptr && *src != '\0') {
    fs::path candidate = fs::path(src) / kReceiverRelPath;
    if (fs::is_regular_file(candidate, ec)) return candidate;
  }
  if (auto found = FindUpwards(fs::current_path(ec)); found && !ec) return found;
  return FindUpwards(fs::path(__FILE__).parent_path());
}

// The receiver as a child process; Stop() (and the destructor) kill it by PID.
class ReceiverProcess {
 public:
  ReceiverProcess() = default;
  ~ReceiverProcess() { Stop(); }
  ReceiverProcess(const ReceiverProcess&) = delete;
  ReceiverProcess& operator=(const ReceiverProcess&) = delete;

  // Starts the receiver and waits until it listens. Returns "" on success, else the reason.
  std::string Start(const std::string& secret) {
    std::optional<fs::path> script = FindReceiverScript();
    if (!script) {
      return std::string("cannot find ") + kReceiverRelPath +
             " (set STEWARD_SOURCE_DIR to the source tree)";
    }
    std::string tmpl = (fs::temp_directory_path() / "webhook-receiver.XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) return "mkdtemp failed";
    dir_ = tmpl;
    const fs::path port_file = dir_ / "port";
    std::vector<std::string> args = {"python3",     script->string(),   "--port",   "0",
                                     "--port-file", port_file.string(), "--secret", secret};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) return "fork failed";
    if (pid_ == 0) {
      // Only async-signal-safe calls until exec. The receiver dies with the test, even on a crash.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(1);
      execvp("python3", argv.data());
      _exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return "webhook receiver exited during start-up (status " + std::to_string(status) + ")";
      }
      std::ifstream in(port_file);
      if (in >> port_ && port_ > 0) return "";
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Stop();
    return "webhook receiver did not write its port file in time";
  }

  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    if (!dir_.empty()) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
      dir_.clear();
    }
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  fs::path dir_;
};

struct Reply {
  long status = 0;
  std::string body;
};

inline size_t AppendTo(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// GET `url`, or POST `post_body` to it.
inline Reply Fetch(const std::string& url, const std::string* post_body = nullptr) {
  Reply reply;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendTo);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  if (post_body != nullptr) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post_body->data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post_body->size()));
  }
  CURLcode rc = curl_easy_perform(curl);
  EXPECT_EQ(rc, CURLE_OK) << curl_easy_strerror(rc) << " " << url;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_easy_cleanup(curl);
  return reply;
}

}  // namespace steward::events::testing
