// The WAL-coalescing VFS (wal_vfs.h) under the SQLite store: a commit's frames reach the WAL in a
// few large writes, what is committed reads back (also after a reopen, from the WAL), and a
// failed deferred write fails its transaction and nothing else.
//
// The unix VFS lets a test replace the system calls it makes (xSetSystemCall); this binary
// replaces pwrite/pwrite64 with wrappers that count the calls on the WAL file and can fail them
// with ENOSPC.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <string>

#include "store/store.h"

namespace steward::store {
namespace {

using PwriteFn = ssize_t (*)(int, const void*, size_t, off_t);
PwriteFn g_real_pwrite = nullptr;
PwriteFn g_real_pwrite64 = nullptr;
std::atomic<int64_t> g_wal_writes{0};
std::atomic<int64_t> g_wal_bytes{0};
std::atomic<bool> g_fail_wal{false};

bool IsWal(int fd) {
  char link[64];
  char target[4096];
  std::snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, target, sizeof(target) - 1);
  if (n < 4) return false;
  return std::string(target, static_cast<size_t>(n)).ends_with("-wal");
}

ssize_t Counted(PwriteFn real, int fd, const void* buf, size_t n, off_t off) {
  if (IsWal(fd)) {
    if (g_fail_wal.load()) {
      errno = ENOSPC;
      return -1;
    }
    g_wal_writes.fetch_add(1);
    g_wal_bytes.fetch_add(static_cast<int64_t>(n));
  }
  return real(fd, buf, n, off);
}
ssize_t CountedPwrite(int fd, const void* buf, size_t n, off_t off) {
  return Counted(g_real_pwrite, fd, buf, n, off);
}
ssize_t CountedPwrite64(int fd, const void* buf, size_t n, off_t off) {
  return Counted(g_real_pwrite64, fd, buf, n, off);
}

class WalVfsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sqlite3_vfs* unix_vfs = sqlite3_vfs_find("unix");
    ASSERT_NE(unix_vfs, nullptr);
    g_real_pwrite = reinterpret_cast<PwriteFn>(unix_vfs->xGetSystemCall(unix_vfs, "pwrite"));
    g_real_pwrite64 = reinterpret_cast<PwriteFn>(unix_vfs->xGetSystemCall(unix_vfs, "pwrite64"));
    int replaced = 0;
    if (g_real_pwrite &&
        unix_vfs->xSetSystemCall(unix_vfs, "pwrite",
                                 reinterpret_cast<sqlite3_syscall_ptr>(CountedPwrite)) == SQLITE_OK) {
      ++replaced;
    }
    if (g_real_pwrite64 &&
        unix_vfs->xSetSystemCall(unix_vfs, "pwrite64", reinterpret_cast<sqlite3_syscall_ptr>(
                                                           CountedPwrite64)) == SQLITE_OK) {
      ++replaced;
    }
    ASSERT_GT(replaced, 0) << "the unix VFS has no pwrite to replace";
  }
  static void TearDownTestSuite() {
    sqlite3_vfs* unix_vfs = sqlite3_vfs_find("unix");
    unix_vfs->xSetSystemCall(unix_vfs, nullptr, nullptr);  // restores every default
  }

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("steward_wal_vfs_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    url_ = "sqlite://" + (dir_ / "t.db").string();
    Reopen();
    ASSERT_TRUE(store_->Write([](Txn& t) {
      return t.Exec("CREATE TABLE IF NOT EXISTS blobs (id INTEGER PRIMARY KEY, body TEXT)").status();
    }).ok());
  }
  void TearDown() override {
    g_fail_wal = false;
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    auto s = Open(url_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  // Inserts `rows` rows of `bytes` bytes each in one write transaction.
  Status InsertRows(int first, int rows, size_t bytes) {
    return store_->Write([&](Txn& t) -> Status {
      for (int i = first; i < first + rows; ++i) {
        std::string body(bytes, static_cast<char>('a' + i % 26));
        STEWARD_RETURN_IF_ERROR(
            t.Exec("INSERT INTO blobs (id, body) VALUES (?, ?)", {int64_t{i}, body}).status());
      }
      return Status::Ok();
    });
  }
  // COUNT(*) and SUM(length(body)) of the table.
  std::pair<int64_t, int64_t> Totals() {
    std::pair<int64_t, int64_t> out{-1, -1};
    EXPECT_TRUE(store_->Read([&](Txn& t) -> Status {
      STEWARD_ASSIGN_OR_RETURN(
          auto row, t.QueryOne("SELECT COUNT(*), COALESCE(SUM(length(body)), 0) FROM blobs"));
      out = {row->Int(0), row->Int(1)};
      return Status::Ok();
    }).ok());
    return out;
  }

  std::filesystem::path dir_;
  std::string url_;
  std::unique_ptr<Store> store_;
};

TEST_F(WalVfsTest, ACommitsFramesReachTheWalInAFewLargeWrites) {
  g_wal_writes = 0;
  g_wal_bytes = 0;
  // About 200 KiB of rows: some 50 pages, which SQLite alone appends with some 100 writes.
  ASSERT_TRUE(InsertRows(1, 200, 1000).ok());
  const int64_t pages = g_wal_bytes.load() / 4096;
  ASSERT_GE(pages, 40) << "the transaction should have written at least 40 pages";
  // One write per 124 KiB, a little slack for the WAL header and a restart.
  EXPECT_LE(g_wal_writes.load(), g_wal_bytes.load() / 0x1f000 + 3)
      << g_wal_writes.load() << " writes for " << pages << " pages";
  EXPECT_EQ(Totals(), std::make_pair(int64_t{200}, int64_t{200000}));
}

TEST_F(WalVfsTest, LargeTransactionsAndManySmallOnesReadBackAlsoAfterAReopen) {
  // 12 MiB in one transaction: several 4 MiB flushes before the commit.
  ASSERT_TRUE(InsertRows(1, 3000, 4000).ok());
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(InsertRows(10000 + i, 1, 100).ok());
  const auto expected = std::make_pair(int64_t{3200}, int64_t{3000 * 4000 + 200 * 100});
  EXPECT_EQ(Totals(), expected);
  Reopen();
  EXPECT_EQ(Totals(), expected);
}

TEST_F(WalVfsTest, AFailedDeferredWriteFailsItsTransactionOnly) {
  ASSERT_TRUE(InsertRows(1, 10, 1000).ok());
  g_fail_wal = true;
  Status st = InsertRows(100, 50, 1000);
  g_fail_wal = false;
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Code::kUnavailable) << st.ToString();
  EXPECT_EQ(Totals(), std::make_pair(int64_t{10}, int64_t{10000}));
  // The store goes on: the next transaction commits, and both survive a reopen.
  ASSERT_TRUE(InsertRows(200, 5, 1000).ok());
  EXPECT_EQ(Totals(), std::make_pair(int64_t{15}, int64_t{15000}));
  Reopen();
  EXPECT_EQ(Totals(), std::make_pair(int64_t{15}, int64_t{15000}));
}

}  // namespace
}  // namespace steward::store
