#include "store/notifier.h"

#include <algorithm>

namespace steward::store {

bool ValidChannel(std::string_view channel) {
  if (channel.empty() || channel.size() > 63) return false;
  if (channel[0] < 'a' || channel[0] > 'z') return false;
  return std::all_of(channel.begin(), channel.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Result<int64_t> Notifier::Subscribe(std::string channel, std::function<void()> fn) {
  if (!ValidChannel(channel)) {
    return Status::InvalidArgument("invalid notification channel '" + channel +
                                   "' (1-63 of [a-z0-9_], starting with a letter)");
  }
  if (!fn) return Status::InvalidArgument("subscription without a callback");
  std::lock_guard<std::mutex> lock(mu_);
  int64_t id = next_id_++;
  subs_.push_back(Sub{id, std::move(channel), std::move(fn)});
  return id;
}

void Notifier::Unsubscribe(int64_t id) {
  std::unique_lock<std::mutex> lock(mu_);
  subs_.erase(std::remove_if(subs_.begin(), subs_.end(), [id](const Sub& s) { return s.id == id; }),
              subs_.end());
  // A delivery that copied the subscriber before the erase may still be calling it.
  idle_cv_.wait(lock, [this] { return deliveries_ == 0; });
}

void Notifier::Deliver(std::string_view channel) {
  DeliverIf([channel](const Sub& s) { return s.channel == channel; });
}

void Notifier::DeliverAll() {
  DeliverIf([](const Sub&) { return true; });
}

std::vector<std::string> Notifier::Channels() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const Sub& s : subs_) {
    if (std::find(out.begin(), out.end(), s.channel) == out.end()) out.push_back(s.channel);
  }
  return out;
}

void Notifier::DeliverIf(const std::function<bool(const Sub&)>& match) {
  std::vector<std::function<void()>> calls;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Sub& s : subs_) {
      if (match(s)) calls.push_back(s.fn);
    }
    if (calls.empty()) return;
    ++deliveries_;
  }
  for (const auto& fn : calls) fn();
  {
    std::lock_guard<std::mutex> lock(mu_);
    --deliveries_;
  }
  idle_cv_.notify_all();
}

}  // namespace steward::store
