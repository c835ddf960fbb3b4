#include "events/event_feed.h"

#include <algorithm>
#include <chrono>

#include "common/json.h"
#include "common/log.h"
#include "common/time_util.h"
#include "events/cursor.h"

namespace steward::events {
namespace {

constexpr size_t kMaxTypeLength = 64;

// Releases a long-poll slot on every path out of List.
class WaiterSlot {
 public:
  WaiterSlot(std::mutex* mu, int* waiters) : mu_(mu), waiters_(waiters) {}
  ~WaiterSlot() {
    if (!held_) return;
    std::lock_guard<std::mutex> lock(*mu_);
    --*waiters_;
  }
  WaiterSlot(const WaiterSlot&) = delete;
  WaiterSlot& operator=(const WaiterSlot&) = delete;
  // REQUIRES: *mu_ held by the caller.
  void TakeLocked() {
    ++*waiters_;
    held_ = true;
  }
  bool held() const { return held_; }

 private:
  std::mutex* mu_;
  int* waiters_;
  bool held_ = false;
};

Result<int64_t> ReadMaxEventId(store::Store* store) {
  int64_t max_id = 0;
  Status st = store->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto row, txn.QueryOne("SELECT MAX(event_id) FROM events"));
    max_id = row ? row->Int(0) : 0;  // NULL on an empty table reads as 0
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return max_id;
}

}  // namespace

std::string EventIdString(int64_t event_id) { return "evt_" + std::to_string(event_id); }

bool IsEventTypeName(std::string_view type) {
  return !type.empty() && type.size() <= kMaxTypeLength &&
         std::all_of(type.begin(), type.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || c == '_'; });
}

EventFeed::EventFeed(store::Store* store, EventFeedOptions options)
    : store_(store), options_(options) {}

EventFeed::~EventFeed() { Stop(); }

Status EventFeed::Start() {
  if (options_.max_waiters < 0 || options_.watch_interval_ms < 1) {
    return Status::InvalidArgument(
        "event feed: max_waiters must be >= 0 and watch_interval_ms >= 1");
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (started_) return Status::Internal("event feed started twice");
  }
  // Waiters compare against this, so it must be real before the first one registers.
  STEWARD_ASSIGN_OR_RETURN(int64_t max_id, ReadMaxEventId(store_));
  std::lock_guard<std::mutex> lock(mu_);
  if (started_) return Status::Internal("event feed started twice");
  started_ = true;
  watching_ = true;
  max_seen_ = max_id;
  watcher_ = std::thread([this] { WatchLoop(); });
  return Status::Ok();
}

void EventFeed::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!watching_) return;
    watching_ = false;
  }
  watch_cv_.notify_all();
  event_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

int EventFeed::waiters() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiters_;
}

void EventFeed::WatchLoop() {
  const auto interval = std::chrono::milliseconds(options_.watch_interval_ms);
  bool failing = false;
  std::unique_lock<std::mutex> lock(mu_);
  while (watching_) {
    lock.unlock();
    auto max_id = ReadMaxEventId(store_);
    // One log line per failure streak, not one per tick.
    if (!max_id.ok() && !failing) {
      log::Event(log::Level::kWarn, "event_feed_watch_failed",
                 {{"error", max_id.status().message()}});
    }
    failing = !max_id.ok();
    lock.lock();
    if (max_id.ok() && *max_id > max_seen_) {
      max_seen_ = *max_id;
      event_cv_.notify_all();
    }
    watch_cv_.wait_for(lock, interval, [this] { return !watching_; });
  }
}

Status EventFeed::List(const Actor& actor, std::string_view after_cursor,
                       std::vector<std::string> types, int limit, int wait_seconds, Json* out) {
  if (limit < kMinPageLimit || limit > kMaxPageLimit) {
    return Status::InvalidArgument("limit must be 1 to 500", "limit");
  }
  if (wait_seconds < 0 || wait_seconds > kMaxWaitSeconds) {
    return Status::InvalidArgument("wait must be 0 to 30 seconds", "wait");
  }
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  if (types.size() > kMaxTypeFilters) {
    return Status::InvalidArgument("at most 50 event types may be given", "type");
  }
  for (const auto& t : types) {
    if (!IsEventTypeName(t)) {
      return Status::InvalidArgument("event type must match [A-Z_]{1,64}", "type");
    }
  }
  int64_t after = 0;
  if (!after_cursor.empty() && !DecodeIdCursor(after_cursor, &after)) {
    return Status::InvalidArgument("cursor is not valid", "cursor");
  }

  std::string sql =
      "SELECT event_id, type, account_id, action_intent_id, data, created_at FROM events WHERE "
      "tenant_id = ? AND event_id > ?";
  std::vector<store::Value> params = {actor.tenant_id, after};
  if (!types.empty()) {
    sql += " AND type IN (";
    for (size_t i = 0; i < types.size(); ++i) {
      sql += i == 0 ? "?" : ", ?";
      params.emplace_back(types[i]);
    }
    sql += ")";
  }
  sql += " ORDER BY event_id LIMIT ?";
  params.emplace_back(int64_t{limit});

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
  WaiterSlot slot(&mu_, &waiters_);
  // Taken before each query: any event committed after the query moves MAX past it.
  int64_t seen = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    seen = max_seen_;
  }
  std::vector<store::Row> rows;
  while (true) {
    STEWARD_RETURN_IF_ERROR(store_->Read([&](store::Txn& txn) -> Status {
      STEWARD_ASSIGN_OR_RETURN(rows, txn.QueryV(sql, params));
      return Status::Ok();
    }));
    if (!rows.empty() || wait_seconds == 0) break;
    std::unique_lock<std::mutex> lock(mu_);
    if (!slot.held()) {
      if (!watching_ || waiters_ >= options_.max_waiters) break;  // answer at once
      slot.TakeLocked();
    }
    bool grew =
        event_cv_.wait_until(lock, deadline, [&] { return !watching_ || max_seen_ != seen; });
    if (!grew || !watching_) break;  // the time passed, or Stop()
    seen = max_seen_;
  }

  Json items = Json::array();
  for (const auto& r : rows) {
    auto data = ParseJson(r.Text(4));
    items.push_back({{"event_id", EventIdString(r.Int(0))},
                     {"type", r.Text(1)},
                     {"account_id", r.IsNull(2) ? Json(nullptr) : Json(r.Text(2))},
                     {"action_intent_id", r.IsNull(3) ? Json(nullptr) : Json(r.Text(3))},
                     {"data", data.ok() ? *data : Json::object()},
                     {"created_at", FormatTimestamp(r.Int(5))}});
  }
  std::string next = rows.empty() ? std::string(after_cursor) : EncodeIdCursor(rows.back().Int(0));
  *out = Json{{"items", std::move(items)}, {"next_cursor", std::move(next)}};
  return Status::Ok();
}

}  // namespace steward::events
