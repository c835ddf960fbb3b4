#pragma once
// Notifier: the subscriber registry behind Store::Subscribe, shared by both backends. A backend
// calls Deliver(channel) when a commit notified `channel` (or, on PostgreSQL, when another node's
// NOTIFY arrives) and the registry calls every subscriber of that channel.
//
// Thread-safety: thread-safe. Deliver may run on any thread; a subscriber's callback never runs
// concurrently with Unsubscribe of that subscriber returning (Unsubscribe waits for a running
// delivery), so a callback may capture an object that is destroyed after Unsubscribe.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace steward::store {

// True when `channel` is a valid channel name: 1–63 characters of [a-z0-9_], starting with a
// letter (a PostgreSQL identifier that needs no quoting).
bool ValidChannel(std::string_view channel);

class Notifier {
 public:
  Notifier() = default;
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // Adds a subscriber; returns its id (> 0). Errors: InvalidArgument for a malformed channel.
  Result<int64_t> Subscribe(std::string channel, std::function<void()> fn);
  // Removes the subscriber and waits until no delivery is calling it. Unknown ids are ignored.
  // REQUIRES: not called from inside a callback.
  void Unsubscribe(int64_t id);
  // Calls every subscriber of `channel` (in subscription order).
  void Deliver(std::string_view channel);
  // Calls every subscriber (a listening connection was lost: anything may have been missed).
  void DeliverAll();
  // The distinct channels subscribed to.
  std::vector<std::string> Channels() const;

 private:
  struct Sub {
    int64_t id = 0;
    std::string channel;
    std::function<void()> fn;
  };
  void DeliverIf(const std::function<bool(const Sub&)>& match);

  mutable std::mutex mu_;
  std::condition_variable idle_cv_;  // deliveries_ dropped to 0
  std::vector<Sub> subs_;            // GUARDED_BY(mu_)
  int64_t next_id_ = 1;              // GUARDED_BY(mu_)
  int deliveries_ = 0;               // GUARDED_BY(mu_): Deliver calls in progress
};

}  // namespace steward::store
