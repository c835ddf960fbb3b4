#pragma once
// Signals: the PostgreSQL backend's LISTEN/NOTIFY link, which carries Txn::NotifyOnCommit across
// nodes (SPEC §2: a job committed on one node wakes idle workers on every node).
//
// One thread with one dedicated connection (outside the pool). It LISTENs to every channel the
// Notifier has subscribers for, and hands each notification sent by another connection to
// Notifier::Deliver. Send() marks channels to NOTIFY; the thread sends them in one statement, so
// many commits signalled while it was busy coalesce into one NOTIFY per channel. The NOTIFY is
// its own transaction after the caller's commit (not inside it): a NOTIFY inside the writing
// transaction takes PostgreSQL's global notify lock at commit, which would serialise every
// committing writer behind one WAL flush; sent afterwards with synchronous_commit off it costs
// the writers nothing. A signal lost in a crash only delays work until the workers' next poll.
//
// A lost connection is re-opened with backoff (100 ms doubling to 5 s); once it is back, every
// subscriber is called once (signals may have been missed meanwhile) and channels marked while
// it was down are sent.
//
// Thread-safety: thread-safe. The thread starts in the constructor and stops in the destructor.

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "store/notifier.h"

namespace steward::store::postgres {

class Signals {
 public:
  // `notifier` must outlive this object. Starts the thread; a server that cannot be reached is
  // retried in the background.
  Signals(std::string url, Notifier* notifier);
  ~Signals();
  Signals(const Signals&) = delete;
  Signals& operator=(const Signals&) = delete;

  // Schedules a NOTIFY of `channel` to every node (the caller has delivered it locally).
  void Send(const std::string& channel);
  // Makes the thread LISTEN to channels subscribed since it last looked.
  void Refresh();
  // Notifications received from other connections so far (tests, metrics).
  int64_t received() const { return received_.load(); }
  // True while the listening connection is up and listening to every subscribed channel.
  bool listening() const { return listening_.load(); }

 private:
  void Loop();
  void Poke();

  const std::string url_;
  Notifier* const notifier_;
  int event_fd_ = -1;

  std::mutex mu_;
  std::set<std::string> to_send_;  // GUARDED_BY(mu_)
  bool refresh_ = false;           // GUARDED_BY(mu_)
  bool stopping_ = false;          // GUARDED_BY(mu_)
  std::condition_variable backoff_cv_;

  std::atomic<int64_t> received_{0};
  std::atomic<bool> listening_{false};
  std::thread thread_;
};

}  // namespace steward::store::postgres
