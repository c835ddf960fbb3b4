#include "store/postgres/signals.h"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

namespace steward::store::postgres {
namespace {

constexpr std::chrono::milliseconds kMinBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{5000};
// poll() timeout: an idle connection is still checked for loss this often.
constexpr int kPollTimeoutMs = 1000;

// Runs `sql` (no parameters); true when it succeeded.
bool Exec(PGconn* pg, const std::string& sql) {
  PGresult* res = PQexec(pg, sql.c_str());
  bool ok = res != nullptr &&
            (PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK);
  PQclear(res);
  return ok;
}

}  // namespace

Signals::Signals(std::string url, Notifier* notifier) : url_(std::move(url)), notifier_(notifier) {
  event_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  thread_ = std::thread([this] { Loop(); });
}

Signals::~Signals() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  backoff_cv_.notify_all();
  Poke();
  if (thread_.joinable()) thread_.join();
  if (event_fd_ >= 0) close(event_fd_);
}

void Signals::Send(const std::string& channel) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    to_send_.insert(channel);
  }
  Poke();
}

void Signals::Refresh() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    refresh_ = true;
  }
  Poke();
}

void Signals::Poke() {
  if (event_fd_ < 0) return;
  uint64_t one = 1;
  (void)!write(event_fd_, &one, sizeof(one));
}

void Signals::Loop() {
  PGconn* pg = nullptr;
  std::set<std::string> listened;
  auto backoff = kMinBackoff;
  auto drop = [&] {
    listening_.store(false);
    if (pg != nullptr) PQfinish(pg);
    pg = nullptr;
    listened.clear();
  };
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (stopping_) break;
    }
    if (pg == nullptr) {
      pg = PQconnectdb(url_.c_str());
      if (PQstatus(pg) != CONNECTION_OK ||
          !Exec(pg, "SET synchronous_commit = off; SET application_name = 'steward-signals'")) {
        drop();
        std::unique_lock<std::mutex> lock(mu_);
        backoff_cv_.wait_for(lock, backoff, [this] { return stopping_; });
        backoff = std::min(backoff * 2, kMaxBackoff);
        continue;
      }
      backoff = kMinBackoff;
      std::lock_guard<std::mutex> lock(mu_);
      refresh_ = true;
    }
    bool refresh = false;
    std::vector<std::string> send;
    {
      std::lock_guard<std::mutex> lock(mu_);
      refresh = std::exchange(refresh_, false);
      send.assign(to_send_.begin(), to_send_.end());
      to_send_.clear();
    }
    bool ok = true;
    if (refresh) {
      bool first = listened.empty();
      for (const std::string& channel : notifier_->Channels()) {
        if (listened.count(channel) != 0) continue;
        // Channel names are validated identifiers (ValidChannel): safe to splice.
        if (!Exec(pg, "LISTEN " + channel)) {
          ok = false;
          break;
        }
        listened.insert(channel);
      }
      if (ok) {
        listening_.store(true);
        // Newly (re)connected: anything signalled while nobody listened was missed.
        if (first) notifier_->DeliverAll();
      }
    }
    if (ok && !send.empty()) {
      std::string sql = "SELECT ";
      for (size_t i = 0; i < send.size(); ++i) {
        sql += (i ? ", pg_notify('" : "pg_notify('") + send[i] + "', '')";
      }
      ok = Exec(pg, sql);
    }
    if (!ok) {
      // Keep what was not sent for the next connection.
      std::lock_guard<std::mutex> lock(mu_);
      to_send_.insert(send.begin(), send.end());
      drop();
      continue;
    }
    // Notifications may have arrived with the results above: hand those out before sleeping.
    const int self = PQbackendPID(pg);
    auto drain = [&] {
      while (PGnotify* note = PQnotifies(pg)) {
        if (note->be_pid != self) {
          received_.fetch_add(1);
          notifier_->Deliver(note->relname);
        }
        PQfreemem(note);
      }
    };
    drain();
    pollfd fds[2] = {{PQsocket(pg), POLLIN, 0}, {event_fd_, POLLIN, 0}};
    (void)poll(fds, 2, kPollTimeoutMs);
    if (fds[1].revents & POLLIN) {
      uint64_t n = 0;
      (void)!read(event_fd_, &n, sizeof(n));
    }
    if (PQconsumeInput(pg) == 0) {
      drop();
      continue;
    }
    drain();
  }
  drop();
}

}  // namespace steward::store::postgres
