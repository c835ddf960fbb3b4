#pragma once
// EventFeed: the per-tenant cursor feed of the events outbox (SPEC §7, `GET /v1/events`).
//
// Overview. Services append rows to `events` inside their transactions (exec::AppendEvent); the
// feed pages through them by event_id for the caller's tenant. A page is
// `{items: [{event_id, type, account_id, action_intent_id, data, created_at}], next_cursor}`,
// ordered by event_id ascending; `event_id` on the wire is "evt_<n>" and stable; `next_cursor` is
// opaque (base64url of the last event_id returned) and is always a string: the cursor to pass as
// `after` next time (the caller's own cursor again when the page is empty; "" only when the
// caller gave none and nothing matched).
//
// Long-poll. When a page would be empty and wait_seconds > 0, List waits until an event for the
// tenant may exist or the time passes, then answers (possibly empty, with the same cursor). No
// waiter polls the database: one watcher thread (Start) reads `SELECT MAX(event_id) FROM events`
// every watch_interval_ms for all waiters and wakes them when it grows; each woken waiter runs
// its query once more (the new events may be another tenant's, in which case it waits again).
// At most max_waiters requests wait at once; a request beyond the bound, or any request while
// the watcher is not running (before Start, after Stop), answers at once without waiting. Stop
// wakes every waiter, which then answers at once. Waiting uses the steady clock (a real wait),
// not the injected Clock: the feed stamps nothing.
//
// Known limit: the cursor assumes events become visible in event_id order. That holds for
// SQLite (one writer). A PostgreSQL backend, where ids from a sequence may commit out of order,
// needs a visibility guard (e.g. serve only ids below the oldest in-flight transaction's).
//
// Thread-safety: thread-safe. Start and Stop from one controlling thread; List from any thread.

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "autonomy/autonomy_service.h"
#include "common/status.h"
#include "store/store.h"

namespace steward::events {

// Who is calling; the same struct the other services take (header only: no link dependency).
using autonomy::Actor;

// Bounds of List's arguments.
inline constexpr int kMinPageLimit = 1;
inline constexpr int kMaxPageLimit = 500;
inline constexpr int kMaxWaitSeconds = 30;
// Most distinct type names one request may filter by.
inline constexpr size_t kMaxTypeFilters = 50;

// "evt_<n>": the wire form of an event id, shared by the feed and webhook deliveries.
std::string EventIdString(int64_t event_id);
// True when `type` matches [A-Z_]{1,64}: the shape of every event type name.
bool IsEventTypeName(std::string_view type);

struct EventFeedOptions {
  int max_waiters = 16;            // concurrent long-polls; beyond it requests answer at once
  int64_t watch_interval_ms = 50;  // how often the watcher reads MAX(event_id)
};

class EventFeed {
 public:
  // `store` must outlive the feed. Starts no thread.
  explicit EventFeed(store::Store* store, EventFeedOptions options = {});
  // Stops the watcher (see Stop).
  ~EventFeed();
  EventFeed(const EventFeed&) = delete;
  EventFeed& operator=(const EventFeed&) = delete;

  // Reads the current MAX(event_id) and starts the watcher thread.
  // Errors: InvalidArgument for bad options (max_waiters < 0, watch_interval_ms < 1); Internal
  // when called twice (a stopped feed does not restart); store errors from the first read.
  Status Start();
  // Ends the watcher and wakes every waiter (they answer at once). Idempotent; a no-op before
  // Start.
  void Stop();

  // GET /v1/events?after=<cursor>&type=…&limit=…&wait=… for actor.tenant_id only (see the file
  // comment for the page shape). `types` empty means every type; duplicates are ignored.
  // Errors: InvalidArgument for limit outside 1..500 ("limit"), wait_seconds outside 0..30
  // ("wait"), a type not matching [A-Z_]{1,64} or more than 50 of them ("type"), and a cursor
  // this feed did not make ("cursor is not valid", "cursor"); store errors.
  Status List(const Actor& actor, std::string_view after_cursor, std::vector<std::string> types,
              int limit, int wait_seconds, nlohmann::json* out);

  // Requests waiting right now (metrics, tests).
  int waiters() const;

 private:
  void WatchLoop();

  store::Store* const store_;
  const EventFeedOptions options_;

  mutable std::mutex mu_;
  std::condition_variable event_cv_;  // MAX(event_id) grew, or Stop()
  std::condition_variable watch_cv_;  // wakes the watcher's sleep on Stop()
  int64_t max_seen_ = 0;              // GUARDED_BY(mu_): latest MAX(event_id) the watcher read
  int waiters_ = 0;                   // GUARDED_BY(mu_)
  bool started_ = false;              // GUARDED_BY(mu_)
  bool watching_ = false;             // GUARDED_BY(mu_): the watcher runs (Start..Stop)
  std::thread watcher_;
};

}  // namespace steward::events
