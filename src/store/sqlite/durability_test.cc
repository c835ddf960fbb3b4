// The SQLite store's overlapped sync: a write is answered only after an fdatasync of the WAL
// that started after it committed; a reader is never shown a commit before it is durable; a
// failed sync stops the store from accepting or showing anything more.
//
// This binary interposes fdatasync(2): the store's call resolves to the definition below, which
// counts calls, can hold them at a gate, or can fail them, and otherwise calls the C library's.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include "store/store.h"

namespace {

std::atomic<int64_t> g_syncs{0};
std::atomic<bool> g_fail{false};

// While held, fdatasync calls wait (after announcing themselves) until released.
std::mutex g_gate_mu;
std::condition_variable g_gate_cv;
bool g_held = false;     // GUARDED_BY(g_gate_mu)
int g_waiting = 0;       // GUARDED_BY(g_gate_mu)

}  // namespace

extern "C" int fdatasync(int fd) {
  using Fn = int (*)(int);
  static Fn real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "fdatasync"));
  {
    std::unique_lock<std::mutex> lock(g_gate_mu);
    if (g_held) {
      ++g_waiting;
      g_gate_cv.notify_all();
      g_gate_cv.wait(lock, [] { return !g_held; });
      --g_waiting;
    }
  }
  g_syncs.fetch_add(1);
  if (g_fail.load()) {
    errno = EIO;
    return -1;
  }
  return real(fd);
}

namespace steward::store {
namespace {

class SqliteDurabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_fail = false;
    dir_ = std::filesystem::temp_directory_path() /
           ("steward_durability_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = Open("sqlite://" + (dir_ / "t.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    Release();
    g_fail = false;
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  static void Hold() {
    std::lock_guard<std::mutex> lock(g_gate_mu);
    g_held = true;
  }
  static void Release() {
    {
      std::lock_guard<std::mutex> lock(g_gate_mu);
      g_held = false;
    }
    g_gate_cv.notify_all();
  }
  static void WaitForHeldSync() {
    std::unique_lock<std::mutex> lock(g_gate_mu);
    g_gate_cv.wait(lock, [] { return g_waiting > 0; });
  }

  static Status PutSetting(Txn& t, const std::string& key, const std::string& value) {
    auto r = t.Exec("INSERT INTO platform_settings (key, value, updated_at, updated_by) VALUES (?, ?, 0, 't') "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    {key, value});
    return r.ok() ? Status::Ok() : r.status();
  }
  // The setting's value, "" when absent; the Read's status in *st.
  std::string GetSetting(const std::string& key, Status* st) {
    std::string value;
    *st = store_->Read([&](Txn& t) -> Status {
      STEWARD_ASSIGN_OR_RETURN(auto row,
                               t.QueryOne("SELECT value FROM platform_settings WHERE key = ?", {key}));
      if (row) value = row->Text(0);
      return Status::Ok();
    });
    return value;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteDurabilityTest, EveryAnsweredWriteWasSyncedAfterItsClosureRan) {
  for (int i = 0; i < 20; ++i) {
    int64_t during = -1;
    Status st = store_->Write([&](Txn& t) -> Status {
      during = g_syncs.load();
      return PutSetting(t, "k" + std::to_string(i), "v");
    });
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_GT(g_syncs.load(), during) << "write " << i << " was answered before any sync";
  }
}

TEST_F(SqliteDurabilityTest, NeitherWriterNorReaderIsAnsweredBeforeTheSync) {
  Hold();
  auto write = std::async(std::launch::async, [&] {
    return store_->Write([&](Txn& t) { return PutSetting(t, "held", "yes"); });
  });
  // The syncer calls fdatasync only after the batch committed: from here the row is visible
  // to a new snapshot, but not yet durable.
  WaitForHeldSync();
  auto read = std::async(std::launch::async, [&] {
    Status st;
    std::string v = GetSetting("held", &st);
    return std::make_pair(st, v);
  });
  EXPECT_EQ(write.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  EXPECT_EQ(read.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout)
      << "a reader saw a commit that was not yet durable";
  Release();
  ASSERT_TRUE(write.get().ok());
  auto [st, v] = read.get();
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(v, "yes");
}

TEST_F(SqliteDurabilityTest, ReadsOfDurableDataDoNotWait) {
  ASSERT_TRUE(store_->Write([&](Txn& t) { return PutSetting(t, "a", "1"); }).ok());
  Status st;
  EXPECT_EQ(GetSetting("a", &st), "1");
  EXPECT_TRUE(st.ok());
  // With nothing committed since, a read needs no sync at all.
  int64_t before = g_syncs.load();
  Hold();
  EXPECT_EQ(GetSetting("a", &st), "1");
  EXPECT_TRUE(st.ok());
  Release();
  EXPECT_EQ(g_syncs.load(), before);
}

TEST_F(SqliteDurabilityTest, FailedSyncFailsTheWriteAndStopsTheStore) {
  ASSERT_TRUE(store_->Write([&](Txn& t) { return PutSetting(t, "before", "1"); }).ok());
  g_fail = true;
  Status st = store_->Write([&](Txn& t) { return PutSetting(t, "lost", "1"); });
  EXPECT_EQ(st.code(), Code::kUnavailable) << st.ToString();
  EXPECT_NE(st.message().find("durable"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(std::strerror(EIO)), std::string::npos) << st.message();
  g_fail = false;
  // Even with the disk healthy again, nothing more is accepted or shown until a restart.
  bool ran = false;
  st = store_->Write([&](Txn&) {
    ran = true;
    return Status::Ok();
  });
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_FALSE(ran);
  Status read_st;
  GetSetting("before", &read_st);
  EXPECT_EQ(read_st.code(), Code::kUnavailable);
  // A restart recovers from the disk; the acknowledged write is there.
  store_.reset();
  auto s = Open("sqlite://" + (dir_ / "t.db").string());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  store_ = std::move(s).value();
  EXPECT_EQ(GetSetting("before", &read_st), "1");
  EXPECT_TRUE(read_st.ok());
}

TEST_F(SqliteDurabilityTest, ProcessDurabilityNeverSyncsOnCommit) {
  store_.reset();
  StoreOptions opts;
  opts.durability = Durability::kProcess;
  auto s = Open("sqlite://" + (dir_ / "p.db").string(), opts);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  store_ = std::move(s).value();
  int64_t before = g_syncs.load();
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(store_->Write([&](Txn& t) { return PutSetting(t, "p" + std::to_string(i), "v"); }).ok());
  }
  EXPECT_EQ(g_syncs.load(), before);
}

}  // namespace
}  // namespace steward::store
